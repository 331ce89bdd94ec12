import { KernelError, isKernelError } from '../errors.js';
import { expectOneOf, expectTokens } from '../validate.js';
import { normalizeRecord } from './record-normalizer.js';
import { readLines } from './record-reader.js';
import type { UsageReportOptions } from './report-options.js';
import { UsageAggregator } from './usage-aggregator.js';
import {
  buildUsageReport,
  type MalformedLine,
  type ReadCounters,
  type UsageReport,
} from './usage-report.js';

/** Progress of a streaming read. */
export interface ReportProgress {
  /** Bytes read so far. */
  readonly bytes: number;
  /** Lines read so far. */
  readonly lines: number;
  /** Records booked so far. */
  readonly records: number;
}

/** Options of {@link readUsageRecords}. */
export interface ReadUsageRecordsOptions {
  /**
   * A malformed line: `'skip'` counts it and keeps the first `maxMalformed` with their line
   * numbers; `'fail'` rejects with `INVALID_ARGUMENT` naming the line. @default 'skip'
   */
  readonly onError?: 'skip' | 'fail';
  /** Malformed lines kept with their messages. @default 100 */
  readonly maxMalformed?: number;
  /** Longest line read, in UTF-16 code units. @default 16 Mi */
  readonly maxLineLength?: number;
  /** Called after each chunk read. */
  readonly onProgress?: (progress: ReportProgress) => void;
}

/** Options of {@link runUsageReport}. */
export interface RunUsageReportOptions extends UsageReportOptions, ReadUsageRecordsOptions {}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return `invalid JSON: ${error.message}`;
  return (error as Error).message;
}

/**
 * Streams JSONL usage records from `source` into `aggregator`, one line at a time (see
 * `readLines` and `normalizeRecord`): memory stays bounded whatever the size of the input.
 * Blank lines are skipped; a malformed line (bad JSON, unknown shape, bad field, too long) is
 * skipped and counted or fatal, per `onError`.
 * @returns the reader's counters, for `buildUsageReport`
 * @throws KernelError `INVALID_ARGUMENT` for bad options or, under `onError: 'fail'`, a malformed
 *   line (`details.line`); `UNKNOWN_MODEL` (`details.line`) under `unknownModel: 'error'` — as
 *   rejections
 */
export async function readUsageRecords(
  source: AsyncIterable<Uint8Array | string>,
  aggregator: UsageAggregator,
  options: ReadUsageRecordsOptions = {},
): Promise<ReadCounters> {
  const onError = expectOneOf('onError', options.onError ?? 'skip', ['skip', 'fail'] as const);
  const maxMalformed = expectTokens('maxMalformed', options.maxMalformed ?? 100);
  const malformed: MalformedLine[] = [];
  let malformedLines = 0;
  let blankLines = 0;
  let ignoredSpans = 0;
  let records = 0;

  const reject = (line: number, message: string, cause?: unknown): void => {
    if (onError === 'fail') {
      throw new KernelError('INVALID_ARGUMENT', `Malformed record on line ${line}: ${message}`, {
        cause,
        details: { line },
      });
    }
    malformedLines++;
    if (malformed.length < maxMalformed) malformed.push({ line, message });
  };

  const onLine = (text: string, line: number): void => {
    let batch;
    try {
      batch = normalizeRecord(JSON.parse(text));
    } catch (error) {
      if (!(error instanceof SyntaxError || isKernelError(error, 'INVALID_ARGUMENT'))) throw error;
      if (text.trim().length === 0) blankLines++;
      else reject(line, describe(error), error);
      return;
    }
    ignoredSpans += batch.ignored;
    for (const record of batch.records) {
      try {
        if (aggregator.add(record)) records++;
      } catch (error) {
        if (!isKernelError(error)) throw error;
        throw new KernelError(error.code, `Line ${line}: ${error.message}`, {
          cause: error,
          details: { ...error.details, line },
        });
      }
    }
  };

  const { lines, bytes } = await readLines(source, onLine, {
    ...(options.maxLineLength !== undefined && { maxLineLength: options.maxLineLength }),
    onLongLine: (line, length) =>
      reject(line, `line is ${length.toLocaleString('en-US')} characters long, over the limit`),
    ...(options.onProgress !== undefined && {
      onProgress: (b: number, l: number) => options.onProgress!({ bytes: b, lines: l, records }),
    }),
  });
  return { lines, bytes, blankLines, malformedLines, malformed, ignoredSpans };
}

/**
 * Reads JSONL usage records from `source` in bounded memory and reports spend by agent, user,
 * model, task, session and period, top spenders, burn rate, forecasts against `limits` and
 * optimization opportunities. Accepts kernel `UsageRecord`s, provider usage objects (OpenAI,
 * Anthropic, AI SDK, LangChain) with model and labels, and OpenTelemetry spans with `gen_ai.*`
 * attributes, mixed freely. "Now" is the last record's time (see `UsageAggregator`).
 * @throws KernelError as {@link readUsageRecords}, and `INVALID_ARGUMENT`/`INVALID_CONFIG` for bad
 *   options — as rejections
 * @example
 * const report = await runUsageReport(createReadStream('usage.jsonl'), {
 *   limits: [{ scope: 'org', period: 'day', usd: 50 }],
 * });
 * console.log(formatUsageReport(report));
 */
export async function runUsageReport(
  source: AsyncIterable<Uint8Array | string>,
  options: RunUsageReportOptions = {},
): Promise<UsageReport> {
  const aggregator = new UsageAggregator(options);
  const read = await readUsageRecords(source, aggregator, options);
  return buildUsageReport(aggregator, read);
}
