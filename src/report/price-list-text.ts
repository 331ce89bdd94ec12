import type { PriceListRow } from '../pricing/pricing.js';

function rate(usdPerMTok: number): string {
  return `$${usdPerMTok.toFixed(usdPerMTok >= 1 ? 2 : usdPerMTok >= 0.01 ? 3 : 4)}`;
}

/**
 * Renders price rows as an aligned table: model, input, output, cache read and cache write in
 * USD per million tokens, and the source. Rows keep their order.
 */
export function formatPriceList(rows: readonly PriceListRow[]): string {
  const header = ['model', 'input', 'output', 'cache read', 'cache write', 'source'];
  const cells = rows.map((r) => [
    r.model,
    rate(r.inputPerMTok),
    rate(r.outputPerMTok),
    rate(r.cacheReadPerMTok),
    rate(r.cacheWritePerMTok),
    r.source,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (i === 0 || i === 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    'Prices in USD per million tokens',
    line(header),
    ...cells.map(line),
    `${rows.length.toLocaleString('en-US')} models`,
  ].join('\n');
}
