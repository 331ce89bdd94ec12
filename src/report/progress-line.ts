import { systemClock, type Clock } from '../clock.js';
import { formatBytes } from './report-text.js';
import type { ReportProgress } from './run-usage-report.js';

/** Options of a {@link ProgressLine}. */
export interface ProgressLineOptions {
  /** Where the line goes (a TTY's stderr). */
  readonly write: (chunk: string) => unknown;
  /** Size of the input in bytes, when known: shows a bar and a percentage. */
  readonly totalBytes?: number | undefined;
  /** Source of time for rates and throttling. @default systemClock */
  readonly clock?: Clock;
  /** Minimum ms between redraws. @default 100 */
  readonly intervalMs?: number;
}

const BAR = 24;

/**
 * A single self-overwriting terminal line showing a streaming read's progress: a bar and
 * percentage when the size is known, bytes read, records, records/s and MB/s. Redraws at most
 * every `intervalMs`; {@link ProgressLine.done} erases it. Meant for a TTY only.
 */
export class ProgressLine {
  readonly #write: (chunk: string) => unknown;
  readonly #total: number | undefined;
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #start: number;
  #last = -Infinity;
  #drawn = false;

  constructor(options: ProgressLineOptions) {
    this.#write = options.write;
    this.#total = options.totalBytes;
    this.#clock = options.clock ?? systemClock;
    this.#interval = options.intervalMs ?? 100;
    this.#start = this.#clock.now();
  }

  /** The line for `progress` at the current time, without control characters. */
  render(progress: ReportProgress): string {
    const seconds = Math.max(1e-3, (this.#clock.now() - this.#start) / 1000);
    const rate = `${Math.round(progress.records / seconds).toLocaleString('en-US')} records/s, ${formatBytes(progress.bytes / seconds)}/s`;
    const counts = `${progress.records.toLocaleString('en-US')} records`;
    if (this.#total === undefined || this.#total <= 0)
      return `${formatBytes(progress.bytes)} read  ${counts}  ${rate}`;
    const share = Math.min(1, progress.bytes / this.#total);
    const filled = Math.round(share * BAR);
    return `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${(100 * share).toFixed(0).padStart(3)}%  ${formatBytes(progress.bytes)} / ${formatBytes(this.#total)}  ${counts}  ${rate}`;
  }

  /** Redraws the line, unless it was drawn less than `intervalMs` ago. */
  update(progress: ReportProgress): void {
    const now = this.#clock.now();
    if (now - this.#last < this.#interval) return;
    this.#last = now;
    this.#drawn = true;
    this.#write(`\r${this.render(progress)}\u001b[K`);
  }

  /** Erases the line (if it was drawn), leaving the cursor at the start of an empty line. */
  done(): void {
    if (this.#drawn) this.#write('\r\u001b[K');
    this.#drawn = false;
  }
}
