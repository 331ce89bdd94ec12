import type { Forecast } from '../budget/ledger.js';
import { periodKey } from '../budget/period.js';
import { NO_KEY } from '../budget/usage-record.js';
import { usd } from '../kernel/cost-report.js';
import type { LimitForecastRow } from './report-forecast.js';
import type { SeriesRow } from './spend-series.js';
import type { ReportRow, UsageReport } from './usage-report.js';

/** Options of {@link formatUsageReport}. */
export interface FormatUsageReportOptions {
  /** Rows per table. @default 10 */
  readonly top?: number;
  /** Latest periods shown in the series. @default 31 */
  readonly periods?: number;
}

function n(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** `1.23 GB`-style size. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-01-31 23:59` in `timeZone`. */
function time(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

function usage(r: {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}): string {
  return `${n(r.calls)} calls; ${n(r.inputTokens)} input tokens (cache read ${n(r.cacheReadTokens)}, cache write ${n(r.cacheWriteTokens)}), ${n(r.outputTokens)} output (reasoning ${n(r.reasoningTokens)})`;
}

function table(title: string, rows: readonly ReportRow[], top: number): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, top);
  const width = Math.max(...shown.map((r) => r.key.length), 4);
  const more = rows.length > top ? ` (top ${top} of ${n(rows.length)})` : '';
  return [
    '',
    `${title}${more}:`,
    ...shown.map(
      (r) =>
        `  ${r.key.padEnd(width)}  ${usd(r.costNano).padStart(12)}  ${`${(100 * r.share).toFixed(1)}%`.padStart(6)}  ${n(r.calls).padStart(9)} calls  ${n(r.inputTokens).padStart(13)} in  ${n(r.outputTokens).padStart(12)} out`,
    ),
  ];
}

function series(
  rows: readonly SeriesRow[],
  kind: string,
  shown: number,
  dropped: number,
): string[] {
  if (rows.length === 0) return [];
  const last = rows.slice(-shown);
  const max = Math.max(...last.map((r) => r.costNano), 1);
  const width = Math.max(...last.map((r) => r.period.length));
  const hidden = rows.length - last.length + dropped;
  return [
    '',
    `Spend by ${kind}${hidden > 0 ? ` (last ${last.length}; ${n(hidden)} earlier not shown)` : ''}:`,
    ...last.map((r) => {
      const bar = '█'.repeat(Math.round((20 * r.costNano) / max));
      return `  ${r.period.padEnd(width)}  ${usd(r.costNano).padStart(12)}  ${n(r.calls).padStart(9)} calls  ${n(r.inputTokens + r.outputTokens).padStart(13)} tokens  ${bar}`;
    }),
  ];
}

function projection(f: Forecast, timeZone: string): string {
  return `Forecast for ${periodKey(f.period, f.start, timeZone)} (${f.period}): ${usd(f.projectedNano)} (${n(f.projectedTokens)} tokens), spent so far ${usd(f.spentNano)}`;
}

function limitLine(l: LimitForecastRow, timeZone: string): string {
  const fig = (x: number) => (l.unit === 'usd' ? `$${x.toFixed(2)}` : n(x));
  const projected =
    l.projected === undefined
      ? ''
      : `, projected ${fig(l.projected)} (${(100 * (l.projectedUtilization ?? 0)).toFixed(0)}%)`;
  const status = l.status === 'ok' ? 'ok' : l.status === 'exceeded' ? 'EXCEEDED' : 'AT RISK';
  const resets = l.resetsAt === undefined ? '' : `, resets ${time(l.resetsAt, timeZone)}`;
  return `  ${l.name}: ${fig(l.used)} of ${fig(l.limit)} ${l.unit === 'usd' ? 'USD' : 'tokens'} (${(100 * l.utilization).toFixed(0)}%)${projected} — ${status}${resets}`;
}

/**
 * Renders a {@link UsageReport} as text: what was read, totals, spend tables by agent, user,
 * model and task, the series, burn and average rates, projections, limits, unknown models and
 * optimization opportunities.
 */
export function formatUsageReport(
  report: UsageReport,
  options: FormatUsageReportOptions = {},
): string {
  const top = options.top ?? 10;
  const zone = report.timeZone;
  const i = report.input;
  const lines = [`token-kernel usage report (${report.period}, ${zone})`, ''];
  const formats = Object.entries(i.formats)
    .map(([format, count]) => `${format} ${n(count)}`)
    .join(', ');
  lines.push(
    `Read ${n(i.lines)} lines (${formatBytes(i.bytes)}): ${n(i.records)} records${formats === '' ? '' : ` (${formats})`}` +
      (i.malformedLines > 0 ? `, ${n(i.malformedLines)} malformed lines skipped` : '') +
      (i.ignoredSpans > 0 ? `, ${n(i.ignoredSpans)} spans without model usage ignored` : ''),
  );
  if (i.firstTime !== undefined && i.lastTime !== undefined)
    lines.push(`Records from ${time(i.firstTime, zone)} to ${time(i.lastTime, zone)} ${zone}`);
  if (i.untimed > 0)
    lines.push(
      i.timed > 0
        ? `${n(i.untimed)} records had no time: booked at the previous record's time`
        : `No record had a time: the tables cover all records; the series, rates and forecasts need times`,
    );
  if (i.outOfOrder > 0)
    lines.push(
      `${n(i.outOfOrder)} records were out of time order (up to ${n(i.maxLagMs / 1000)} s): booked in the latest record's periods`,
    );
  const folded = Object.entries(i.folded).filter(([, c]) => c > 0);
  if (folded.length > 0)
    lines.push(
      `Distinct keys over the limit booked as (other): ${folded.map(([d, c]) => `${d} ${n(c)} records`).join(', ')}`,
    );
  const t = report.total;
  lines.push('', `Total: ${usd(t.costNano)} over ${usage(t)}`);
  if (t.cachedCalls > 0) lines.push(`Cache: ${n(t.cachedCalls)} hits saved ${usd(t.savedNano)}`);
  lines.push(...table('By agent', report.byAgent, top));
  lines.push(...table('By user', report.byUser, top));
  lines.push(...table('By model', report.byModel, top));
  if (report.byTask.some((r) => r.key !== NO_KEY))
    lines.push(...table('By task', report.byTask, top));
  lines.push(
    ...series(
      report.series.rows,
      report.series.period,
      options.periods ?? 31,
      report.series.dropped,
    ),
  );
  if (report.burnRate !== undefined && report.now !== undefined) {
    const b = report.burnRate;
    lines.push(
      '',
      `Burn rate (last ${Math.round(b.windowMs / 60_000)} min before ${time(report.now, zone)}): ${usd(b.usdPerHour * 1e9)}/hour, ${n(b.tokensPerMinute)} tokens/min, ${b.callsPerMinute.toFixed(1)} calls/min`,
    );
  }
  if (report.averageRate !== undefined) {
    const a = report.averageRate;
    lines.push(
      `Average over ${(a.spanMs / 3_600_000).toFixed(1)} hours: ${usd(a.usdPerHour * 1e9)}/hour, ${n(a.tokensPerMinute)} tokens/min, ${a.callsPerMinute.toFixed(1)} calls/min`,
    );
  }
  for (const f of report.projections) lines.push(projection(f, zone));
  if (report.limits.length > 0)
    lines.push('', 'Limits:', ...report.limits.map((l) => limitLine(l, zone)));
  if (report.callLimits.length > 0) {
    lines.push(
      '',
      'Per-call limits:',
      ...report.callLimits.map(
        (c) =>
          `  ${c.name}: ${n(c.over)} calls over ${[c.tokens === undefined ? '' : `${n(c.tokens)} tokens`, c.usd === undefined ? '' : `$${c.usd}`].filter((s) => s !== '').join(' or ')} (largest ${n(c.maxTokens)} tokens, ${usd(c.maxNano)})`,
      ),
    );
  }
  if (report.unknownModels.length > 0) {
    lines.push(
      '',
      'Models without a price:',
      ...report.unknownModels.map(
        (u) =>
          `  ${u.model}: ${n(u.calls)} calls, ${n(u.inputTokens)} in, ${n(u.outputTokens)} out — ${u.pricedAs === undefined ? 'not in the totals' : `charged as ${u.pricedAs}`}`,
      ),
    );
  }
  lines.push(
    '',
    'Optimization opportunities:',
    ...(report.opportunities.length > 0
      ? report.opportunities.map((o) => `  - ${o.message}`)
      : ['  (none found)']),
  );
  return lines.join('\n');
}
