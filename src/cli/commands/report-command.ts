import type { LimitSpec } from '../../budget/limit-spec.js';
import { systemClock } from '../../clock.js';
import type { PriceTableInput } from '../../pricing/price-table.js';
import { openInput } from '../../report/open-input.js';
import { ProgressLine } from '../../report/progress-line.js';
import { loadPriceTable, loadReportConfig } from '../../report/report-config.js';
import { parseUnknownModel } from '../../report/report-options.js';
import { formatUsageReport } from '../../report/report-text.js';
import { runUsageReport } from '../../report/run-usage-report.js';
import {
  choiceOption,
  intOption,
  parseCommand,
  positiveOption,
  stringOption,
} from '../cli-args.js';
import type { CliIO } from '../cli-io.js';

/** Help text of `token-kernel report`. */
export const REPORT_USAGE = `Usage: token-kernel report <file|-> [options]

Reads usage records as JSONL from a file (or - for stdin), streaming in bounded memory, and
prints spend by agent, user, model, task and period, top spenders, burn rate, forecasts against
limits and optimization opportunities. "Now" is the time of the last record.

Each line may be:
  - a token-kernel usage record (or its usage.recorded event);
  - a provider usage object with its model and labels, e.g.
    {"model":"gpt-4o","usage":{"prompt_tokens":900,"completion_tokens":80},"agent":"planner",
     "user":"alice","task":"q3","session":"s1","time":"2026-01-31T12:00:00Z"}
    with OpenAI (chat or responses), Anthropic, AI SDK (v5-v7) or LangChain usage, or a whole
    completion/message/response payload; labels may also sit under "labels" or "metadata";
  - OpenTelemetry span data with gen_ai.* attributes (an OTLP/JSON export request per line, or
    one span): gen_ai.request/response.model, gen_ai.usage.*, gen_ai.agent.id,
    gen_ai.conversation.id (session), user.id; aggregate spans (invoke_agent) are not counted.

Options:
  --json                 print the report as JSON
  --period P             period of the tables: lifetime (default), hour, day, week or month
                         (the one containing the last record)
  --by-period P          period of the spend series: hour, day (default), week or month
  --tz ZONE              IANA time zone of periods (default UTC)
  --top N                rows per table and top list (default 10)
  --limit-usd-PERIOD USD       an org-wide USD limit to forecast against; PERIOD is hour,
                               day, week, month or lifetime (e.g. --limit-usd-day 50)
  --limit-tokens-PERIOD N      an org-wide token limit (e.g. --limit-tokens-month 5000000)
  --config FILE          JSON or YAML file with { "limits": [LimitSpec...], "prices": {...} };
                         limits of any scope (org, agent, task, user, session, model, call)
  --prices FILE          JSON or YAML price table: { "<model>": { "input": USD/MTok,
                         "output": USD/MTok, "cacheRead"?, "cacheWrite"? } }
  --unknown-model M      a model without a price: skip (default; listed, not in the totals),
                         error (exit 2), or fallback:<model> (charged at that model's price)
  --on-error M           a malformed line: skip (default; counted, the first 10 printed to
                         stderr with their line numbers) or fail (exit 2 naming the line)
  --max-keys N           distinct keys kept per dimension; more are booked as (other)
                         (default 10000)
  --no-progress          no progress line (shown on a terminal's stderr otherwise)
  -h, --help             show this help

Exit codes: 0 done (skipped lines are reported), 2 bad usage, file, config, line or unknown
model, 4 any other failure.`;

const PERIODS = ['hour', 'day', 'week', 'month', 'lifetime'] as const;
const KINDS = ['hour', 'day', 'week', 'month'] as const;
/** Malformed lines printed to stderr. */
const SHOWN_MALFORMED = 10;

const LIMIT_FLAGS = PERIODS.flatMap((period) => [
  { flag: `limit-usd-${period}`, period, unit: 'usd' as const },
  { flag: `limit-tokens-${period}`, period, unit: 'tokens' as const },
]);

/**
 * `token-kernel report <file|->`: streams a JSONL usage file into a report (text or JSON).
 * @throws KernelError `INVALID_ARGUMENT`, `INVALID_CONFIG`, `UNKNOWN_MODEL` (as rejections; the
 *   dispatcher maps them to exit codes)
 */
export async function reportCommand(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    'report',
    REPORT_USAGE,
    args,
    {
      json: { type: 'boolean' },
      period: { type: 'string' },
      'by-period': { type: 'string' },
      tz: { type: 'string' },
      top: { type: 'string' },
      config: { type: 'string' },
      prices: { type: 'string' },
      'unknown-model': { type: 'string' },
      'on-error': { type: 'string' },
      'max-keys': { type: 'string' },
      'no-progress': { type: 'boolean' },
      ...Object.fromEntries(LIMIT_FLAGS.map(({ flag }) => [flag, { type: 'string' as const }])),
    },
    io,
    { min: 1, max: 1 },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const limits: LimitSpec[] = [];
  for (const { flag, period, unit } of LIMIT_FLAGS) {
    const raw = stringOption(values, flag);
    if (raw === undefined) continue;
    const amount = unit === 'usd' ? positiveOption(flag, raw)! : intOption(flag, raw, 1)!;
    limits.push({ scope: 'org', period, [unit]: amount });
  }
  let prices: PriceTableInput | undefined;
  const configPath = stringOption(values, 'config');
  if (configPath !== undefined) {
    const config = await loadReportConfig(configPath);
    limits.push(...config.limits);
    prices = config.prices;
  }
  const pricesPath = stringOption(values, 'prices');
  if (pricesPath !== undefined) prices = { ...prices, ...(await loadPriceTable(pricesPath)) };
  const rawUnknown = stringOption(values, 'unknown-model');
  const unknownModel =
    rawUnknown === undefined ? undefined : parseUnknownModel(rawUnknown, '--unknown-model');
  const period = choiceOption('period', stringOption(values, 'period'), PERIODS);
  const seriesPeriod = choiceOption('by-period', stringOption(values, 'by-period'), KINDS);
  const onError = choiceOption('on-error', stringOption(values, 'on-error'), ['skip', 'fail']);
  const top = intOption('top', stringOption(values, 'top'), 1);
  const maxKeys = intOption('max-keys', stringOption(values, 'max-keys'), 1);
  const timeZone = stringOption(values, 'tz');

  const input = await openInput(parsed.positionals[0]!, io.stdin ?? process.stdin);
  const progress =
    io.stderr.isTTY === true && values['no-progress'] !== true
      ? new ProgressLine({ write: (s) => io.stderr.write(s), totalBytes: input.size })
      : undefined;
  let report;
  try {
    report = await runUsageReport(input.stream, {
      limits,
      clock: systemClock,
      ...(prices !== undefined && { prices }),
      ...(unknownModel !== undefined && { unknownModel }),
      ...(period !== undefined && { period }),
      ...(seriesPeriod !== undefined && { seriesPeriod }),
      ...(onError !== undefined && { onError }),
      ...(top !== undefined && { top }),
      ...(maxKeys !== undefined && { maxKeys }),
      ...(timeZone !== undefined && { timeZone }),
      ...(progress !== undefined && { onProgress: (p) => progress.update(p) }),
    });
  } finally {
    progress?.done();
    if (input.name !== '-') input.stream.destroy();
  }
  const { malformed, malformedLines } = report.input;
  for (const m of malformed.slice(0, SHOWN_MALFORMED))
    io.stderr.write(`token-kernel report: line ${m.line}: ${m.message}\n`);
  if (malformedLines > 0) {
    const more = malformedLines - Math.min(malformed.length, SHOWN_MALFORMED);
    io.stderr.write(
      `token-kernel report: ${malformedLines.toLocaleString('en-US')} malformed line${malformedLines === 1 ? '' : 's'} skipped${more > 0 ? ` (${more.toLocaleString('en-US')} not shown)` : ''}\n`,
    );
  }
  io.stdout.write(
    values['json'] === true
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatUsageReport(report, { ...(top !== undefined && { top }) })}\n`,
  );
  return 0;
}
