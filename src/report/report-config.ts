import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { LimitSpec } from '../budget/limit-spec.js';
import { validateLimitSpec } from '../budget/limit-registry.js';
import { KernelError, isKernelError } from '../errors.js';
import { PriceTable, type PriceTableInput } from '../pricing/price-table.js';
import { describeValue } from '../validate.js';

/** A report configuration file: `{ limits?: LimitSpec[], prices?: PriceTableInput }`. */
export interface ReportConfig {
  readonly limits: readonly LimitSpec[];
  readonly prices: PriceTableInput | undefined;
}

function configError(path: string, message: string, cause?: unknown): never {
  throw new KernelError('INVALID_CONFIG', `Invalid config ${JSON.stringify(path)}: ${message}`, {
    cause,
    details: { path },
  });
}

/**
 * Reads a JSON or YAML file (YAML is a superset of JSON).
 * @throws KernelError `INVALID_CONFIG` naming the file, for a read or syntax error — as a rejection
 */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return configError(path, (error as NodeJS.ErrnoException).code ?? String(error), error);
  }
  try {
    return parse(text) as unknown;
  } catch (error) {
    return configError(path, (error as Error).message.split('\n')[0] ?? 'syntax error', error);
  }
}

/**
 * Loads a report configuration from a JSON or YAML file: `limits` (an array of limit specs, as
 * `createKernel`'s) and `prices` (a user price table). Unknown top-level keys are refused, so a
 * typo does not silently drop a limit.
 * @throws KernelError `INVALID_CONFIG` naming the file and the field — as a rejection
 */
export async function loadReportConfig(path: string): Promise<ReportConfig> {
  const value = await readConfigFile(path);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    configError(
      path,
      `expected an object with \`limits\` and/or \`prices\`, got ${describeValue(value)}`,
    );
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'limits' && key !== 'prices')
      configError(path, `unknown key \`${key}\` (expected \`limits\` and/or \`prices\`)`);
  }
  const limits = fields['limits'] ?? [];
  if (!Array.isArray(limits))
    configError(path, `expected \`limits\` to be an array, got ${describeValue(limits)}`);
  try {
    const checked = limits.map((spec: unknown, i) => validateLimitSpec(spec, `limits[${i}]`));
    const prices = fields['prices'];
    if (prices !== undefined) new PriceTable(prices, 'prices');
    return { limits: checked, prices: prices as PriceTableInput | undefined };
  } catch (error) {
    if (!isKernelError(error)) throw error;
    return configError(path, error.message, error);
  }
}

/**
 * Loads a user price table (model → `{ input, output, cacheRead?, cacheWrite?, … }`, USD per
 * million tokens) from a JSON or YAML file.
 * @throws KernelError `INVALID_CONFIG` naming the file and the field — as a rejection
 */
export async function loadPriceTable(path: string): Promise<PriceTableInput> {
  const value = await readConfigFile(path);
  try {
    new PriceTable(value, 'prices');
  } catch (error) {
    if (!isKernelError(error)) throw error;
    return configError(path, error.message, error);
  }
  return value as PriceTableInput;
}
