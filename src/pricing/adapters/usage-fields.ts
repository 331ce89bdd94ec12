import { validateUsage, type Usage } from '../../usage.js';
import { invalid, isTokenCount } from '../../validate.js';

/** A provider payload read as a plain record. */
export type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Finds the usage object in `value`: `value` itself when it has one of `keys`, else the object
 * under one of `wrappers` (a response, a final stream chunk, an event), searched two levels deep.
 * @throws KernelError `INVALID_ARGUMENT` naming `usage`
 */
export function findUsage(
  value: unknown,
  keys: readonly string[],
  wrappers: readonly string[],
  expected: string,
): Fields {
  let current: unknown = value;
  for (let depth = 0; depth < 3 && isFields(current); depth++) {
    const fields = current;
    if (keys.some((key) => fields[key] !== undefined)) return fields;
    const wrapper = wrappers.find((key) => isFields(fields[key]));
    if (wrapper === undefined) break;
    current = fields[wrapper];
  }
  return invalid('usage', expected, value);
}

/** An optional nested object: null/undefined → undefined. @throws KernelError `INVALID_ARGUMENT` */
export function objectField(from: Fields, key: string, path: string): Fields | undefined {
  const value = from[key];
  if (value === undefined || value === null) return undefined;
  if (!isFields(value)) invalid(path, 'an object, null or undefined', value);
  return value;
}

/** An optional token count: null/undefined → undefined. @throws KernelError `INVALID_ARGUMENT` */
export function tokenField(
  from: Fields | undefined,
  key: string,
  path: string,
): number | undefined {
  const value = from?.[key];
  if (value === undefined || value === null) return undefined;
  if (!isTokenCount(value)) invalid(path, 'a non-negative safe integer, null or undefined', value);
  return value;
}

/** A required token count. @throws KernelError `INVALID_ARGUMENT` */
export function requiredTokens(from: Fields, key: string, path: string): number {
  const value = from[key];
  if (!isTokenCount(value)) invalid(path, 'a non-negative safe integer', value);
  return value;
}

/** Asserts that cache reads and writes fit in the inclusive input. @throws KernelError `INVALID_ARGUMENT` */
export function expectCacheWithin(
  input: number,
  inputPath: string,
  read: number | undefined,
  write: number | undefined,
  cachePath: string,
): void {
  const cached = (read ?? 0) + (write ?? 0);
  if (cached > input) invalid(cachePath, `at most ${inputPath} (${input})`, cached);
}

/** Asserts that reasoning fits in the inclusive output. @throws KernelError `INVALID_ARGUMENT` */
export function expectReasoningWithin(
  output: number,
  outputPath: string,
  reasoning: number | undefined,
  reasoningPath: string,
): void {
  if ((reasoning ?? 0) > output)
    invalid(reasoningPath, `at most ${outputPath} (${output})`, reasoning);
}

/**
 * Output tokens with reasoning included. Some providers (xAI, Gemini through some layers) report
 * reasoning outside the output count; their total then counts it separately, which is how this
 * is detected. Without a total, reasoning larger than the output can only be exclusive.
 */
export function inclusiveOutput(
  input: number,
  output: number,
  reasoning: number | undefined,
  total: number | undefined,
): number {
  if (reasoning === undefined || reasoning === 0) return output;
  const exclusive = total === undefined ? reasoning > output : total === input + output + reasoning;
  return exclusive ? output + reasoning : output;
}

/**
 * Builds an inclusive {@link Usage}, leaving out the classes the provider did not report.
 * @throws KernelError `INVALID_ARGUMENT` when the result fails `validateUsage`
 */
export function makeUsage(
  inputTokens: number,
  outputTokens: number,
  cacheReadTokens: number | undefined,
  cacheWriteTokens: number | undefined,
  reasoningTokens: number | undefined,
): Usage {
  const usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens?: number;
    cacheWriteTokens?: number;
    reasoningTokens?: number;
  } = { inputTokens, outputTokens };
  if (cacheReadTokens !== undefined) usage.cacheReadTokens = cacheReadTokens;
  if (cacheWriteTokens !== undefined) usage.cacheWriteTokens = cacheWriteTokens;
  if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens;
  return validateUsage(usage);
}
