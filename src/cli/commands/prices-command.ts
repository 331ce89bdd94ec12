import { createPricing } from '../../pricing/pricing.js';
import { formatPriceList } from '../../report/price-list-text.js';
import { loadPriceTable } from '../../report/report-config.js';
import { parseCommand, stringOption } from '../cli-args.js';
import type { CliIO } from '../cli-io.js';

/** Help text of `token-kernel prices`. */
export const PRICES_USAGE = `Usage: token-kernel prices [pattern] [--prices FILE] [--json]

Lists model prices in USD per million tokens (input, output, cache read, cache write): your
price table first, then the @pydantic/genai-prices catalog (named <provider>:<model>).
A pattern is a case-insensitive substring, or a glob with * and ? (e.g. 'gpt-4o*', '*sonnet*').

Options:
  --prices FILE    JSON or YAML price table whose models are listed (and win) too
  --json           print the rows as a JSON array
  -h, --help       show this help

Exit codes: 0 listed (also when nothing matches), 2 bad usage or price file.`;

/**
 * `token-kernel prices [pattern]`: lists prices matching a pattern.
 * @throws KernelError `INVALID_ARGUMENT`, `INVALID_CONFIG` (as rejections)
 */
export async function pricesCommand(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    'prices',
    PRICES_USAGE,
    args,
    { prices: { type: 'string' }, json: { type: 'boolean' } },
    io,
    { min: 0, max: 1 },
  );
  if (typeof parsed === 'number') return parsed;
  const path = stringOption(parsed.values, 'prices');
  const prices = path === undefined ? undefined : await loadPriceTable(path);
  const pattern = parsed.positionals[0];
  const rows = createPricing(prices === undefined ? {} : { prices }).list(pattern);
  if (parsed.values['json'] === true) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stderr.write(`token-kernel prices: no model matches ${JSON.stringify(pattern ?? '')}\n`);
    return 0;
  }
  io.stdout.write(`${formatPriceList(rows)}\n`);
  return 0;
}
