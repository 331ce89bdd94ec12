import type { Clock } from '../clock.js';
import type { Usage } from '../usage.js';
import {
  expectId,
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectOptionalId,
  invalid,
  isTokenCount,
} from '../validate.js';
import type { PeriodKind } from './limit-spec.js';
import { AttributionHandle, type Attribution } from './ledger-attribution.js';
import { LIFETIME, LedgerBuckets, SPANS } from './ledger-buckets.js';
import { BURN_MINUTES, BurnRing, MINUTE_MS, type BurnSums } from './ledger-burn.js';
import {
  burnRateFrom,
  checkForecastLimit,
  projectPeriod,
  type BurnRate,
  type Forecast,
  type ForecastLimit,
} from './ledger-forecast.js';
import { LedgerCells } from './ledger-cells.js';
import type { LedgerOptions, LedgerSpan } from './ledger-options.js';
import { RecentRecords } from './ledger-recent.js';
import {
  KEYS_PER_CELL,
  parseLedgerSnapshot,
  restoreRecord,
  snapshotRecord,
  type LedgerSnapshot,
} from './ledger-snapshot.js';
import { DIMENSIONS, STRIDE, toUsageRow, type Dimension, type UsageRow } from './ledger-row.js';
import { periodBounds, validateTimeZone } from './period.js';
import { NO_KEY, reservationIdOf, type UsageRecord } from './usage-record.js';

export type { Attribution } from './ledger-attribution.js';
export type { BurnRate, Forecast, ForecastLimit } from './ledger-forecast.js';
export { nanoToUsd, type Dimension, type UsageRow } from './ledger-row.js';
export type { LedgerSnapshot } from './ledger-snapshot.js';
export type { LedgerOptions, LedgerSpan } from './ledger-options.js';

const DEFAULT_BURN_WINDOW_MS = 3_600_000;
const MAX_RECENT = 10_000_000;
const DIMENSION_NAMES = DIMENSIONS as Dimension[];
const SPAN_NAMES = SPANS as unknown as LedgerSpan[];
const KIND_NAMES = SPANS.slice(0, LIFETIME) as PeriodKind[];

/**
 * The kernel's in-memory record of settled calls, with aggregates by agent, task, user, session,
 * model and the total, over hours, days, ISO weeks, months (calendar-aligned in `timeZone`) and
 * the lifetime.
 *
 * Aggregates are incremental: {@link add} is O(1) whatever the history (one counter row per
 * distinct agent × task × user × session × model combination, a "cell"), and every report sums
 * cells, never records: O(cells) per query. Because every dimension sums the same cells, Σ by
 * agent = Σ by task = … = total, exactly. Rollover happens on write and read, without timers.
 * Past periods can be queried for 62 days, 14 weeks and 24 months before the current one, and
 * for hours that started within 48 h before the current hour (47 or 49 wall-clock hours across a
 * DST change); older periods read as empty. Lifetime totals are kept forever. Sums are exact
 * integers below 2^53 (about 9 million USD in nano-USD).
 *
 * Records must arrive in time order: one older than the latest is booked in the latest one's
 * periods (its `time` is kept as given), so that every dimension's period sums still agree.
 *
 * @example
 * const ledger = new Ledger({ clock: systemClock });
 * const who = ledger.attribution({ agentId: 'researcher', userId: 'u1' });
 * ledger.add(who, 'gpt-4o', { inputTokens: 900, outputTokens: 100 }, 3_250_000, 'user', false,
 *   undefined, Date.now());
 * ledger.usage({ by: 'user', period: 'day' }); // [{ key: 'u1', calls: 1, costNano: 3250000, … }]
 */
export class Ledger {
  readonly #clock: Clock;
  readonly #timeZone: string;
  readonly #onRecord: ((record: UsageRecord) => void) | undefined;
  readonly #buckets: LedgerBuckets;
  readonly #cells: LedgerCells;
  readonly #burn = new BurnRing();
  readonly #recent: RecentRecords;
  /** Identifies handles made by this ledger. */
  readonly #token = {};
  #seq = 0;
  /** Latest record time: later records are clamped to it. */
  #highWater = -Infinity;
  #hourEnd = -Infinity;
  /** The earlier of the current hour's and burn minute's ends: a record there moves them. */
  #nextRoll = -Infinity;
  /** Counts the current hours: a handle whose `hour` is this one's has its cell in this hour. */
  #hour = 0;
  /** Start of observation, for burn rates of a young ledger. */
  #origin: number;

  /** @throws KernelError `INVALID_ARGUMENT` for a bad option or an unknown time zone. */
  constructor(options: LedgerOptions) {
    expectObject('options', options);
    const { clock, timeZone, recentCapacity = 10_000, onRecord } = options;
    if (clock === null || typeof clock !== 'object' || typeof clock.now !== 'function')
      invalid('options.clock', 'a Clock', clock);
    if (!isTokenCount(recentCapacity) || recentCapacity > MAX_RECENT)
      invalid('options.recentCapacity', `an integer from 0 to ${MAX_RECENT}`, recentCapacity);
    if (onRecord !== undefined && typeof onRecord !== 'function')
      invalid('options.onRecord', 'a function or undefined', onRecord);
    this.#clock = clock;
    this.#timeZone = timeZone === undefined ? 'UTC' : validateTimeZone(timeZone);
    this.#onRecord = onRecord;
    this.#recent = new RecentRecords(recentCapacity);
    this.#buckets = new LedgerBuckets(this.#timeZone);
    this.#cells = new LedgerCells(this.#buckets);
    this.#origin = clock.now();
  }

  /** The canonical IANA zone periods follow. */
  get timeZone(): string {
    return this.#timeZone;
  }

  /** Records ever added. */
  get size(): number {
    return this.#seq;
  }

  /**
   * Resolves who records will be booked to, once (at spawn): the handle makes {@link add} free of
   * lookups. Missing task, user or session ids are booked under `NO_KEY`.
   * @throws KernelError `INVALID_ARGUMENT` for an id that is not a non-empty string ≤ 256 chars.
   */
  attribution(ids: {
    agentId: string;
    taskId?: string | undefined;
    userId?: string | undefined;
    sessionId?: string | undefined;
  }): Attribution {
    expectObject('ids', ids);
    const agentId = expectId('agentId', ids.agentId);
    const taskId = expectOptionalId('taskId', ids.taskId) ?? NO_KEY;
    const userId = expectOptionalId('userId', ids.userId) ?? NO_KEY;
    const sessionId = expectOptionalId('sessionId', ids.sessionId) ?? NO_KEY;
    const keys = this.#cells.keys;
    return new AttributionHandle(
      this.#token,
      agentId,
      taskId,
      userId,
      sessionId,
      keys.id(0, agentId),
      keys.id(1, taskId),
      keys.id(2, userId),
      keys.id(3, sessionId),
    );
  }

  /**
   * Books one settled call in O(1). The caller has validated `usage` (see `validateUsage`),
   * `costNano` and `savedNano` (non-negative integers) and `time` (ms since the epoch); only the
   * handle is checked here.
   * @param reservationId the reservation it settled: its id, or the kernel's reservation number
   *   `n` for the id `r<n>` (kept as a number: the records kept then hold no string of their own).
   * @param savedNano list price of a cache hit, nano-USD; counted only when `cached`. @default 0
   * @returns the record, with the next `seq` (from 1); `savedNano` is always set.
   * @throws KernelError `INVALID_ARGUMENT` for a handle not made by this ledger.
   */
  add(
    attribution: Attribution,
    model: string,
    usage: Usage,
    costNano: number,
    priceSource: string,
    cached: boolean,
    reservationId: string | number | undefined,
    time: number,
    savedNano = 0,
  ): UsageRecord {
    const who = attribution as AttributionHandle;
    if (who.owner !== this.#token)
      invalid('attribution', 'a handle from this ledger’s attribution()', attribution);
    // Not `t = max(…)` in one expression: a merged value would be boxed (16 bytes a record).
    if (time > this.#highWater) this.#highWater = time;
    const t = this.#highWater;
    if (t >= this.#nextRoll) this.#roll(t);
    const cell =
      who.model === model && who.hour === this.#hour ? who.cell : this.#cellOf(who, model, t);
    this.#buckets.book(cell, usage, costNano, cached, savedNano);
    this.#burn.add(usage.inputTokens + usage.outputTokens, costNano);
    const record: UsageRecord = {
      seq: ++this.#seq,
      time,
      agentId: who.agentId,
      taskId: who.taskId,
      userId: who.userId,
      sessionId: who.sessionId,
      model,
      usage,
      costNano,
      priceSource,
      cached,
      reservationId:
        typeof reservationId === 'number' ? reservationIdOf(reservationId) : reservationId,
      savedNano,
    };
    this.#recent.keep(record, who, reservationId);
    if (this.#onRecord !== undefined) this.#onRecord(record);
    return record;
  }

  /**
   * Usage per key of one dimension over a period: the one containing `at` (default now), or the
   * lifetime (the default). Keys without records in it are left out; a period older than the
   * retained history (48 h, 62 days, 14 weeks, 24 months) returns [].
   * @returns rows sorted by `costNano` descending, then key.
   * @throws KernelError `INVALID_ARGUMENT` for an unknown dimension or period, or a bad `at`.
   */
  usage(query: {
    by: Dimension;
    period?: LedgerSpan | undefined;
    at?: number | undefined;
  }): UsageRow[] {
    expectObject('query', query);
    return this.#cells.rows(
      this.#dimension(query.by),
      this.#span(query.period),
      this.#at(query.at),
    );
  }

  /**
   * Usage of one key of a dimension over a period (all zero when it has none).
   * @throws KernelError `INVALID_ARGUMENT` as {@link usage}.
   */
  usageOf(by: Dimension, key: string, period?: LedgerSpan, at?: number): UsageRow {
    const dimension = this.#dimension(by);
    const span = this.#span(period);
    const time = this.#at(at);
    const id = this.#cells.keys.find(dimension, key);
    return toUsageRow(
      key,
      id === undefined ? new Float64Array(STRIDE) : this.#cells.total(span, time, dimension, id),
    );
  }

  /**
   * Everything booked over a period (key `'total'`; all zero when nothing was).
   * @param period @default 'lifetime'
   * @param at a time inside the wanted period, ms. @default now
   * @throws KernelError `INVALID_ARGUMENT` for an unknown period or a bad `at`.
   */
  total(period?: LedgerSpan, at?: number): UsageRow {
    return toUsageRow('total', this.#cells.total(this.#span(period), this.#at(at)));
  }

  /**
   * The `n` most expensive agents over the current period, or the lifetime (the default).
   * @throws KernelError `INVALID_ARGUMENT` for a bad `n` or period.
   */
  topAgents(n: number, period?: LedgerSpan): UsageRow[] {
    if (!isTokenCount(n)) invalid('n', 'a non-negative safe integer', n);
    return this.#cells.rows(0, this.#span(period), this.#now()).slice(0, n);
  }

  /**
   * Spend rate over the recent past, from per-minute buckets (O(1) per record): the current
   * (partial) UTC minute and the `ceil(windowMs / 60 s) − 1` minutes before it, divided by the
   * time they span up to now, clipped to when the ledger started observing.
   * @param windowMs from 1 ms to one day. @default 3_600_000
   * @throws KernelError `INVALID_ARGUMENT` for a window outside that range.
   */
  burnRate(windowMs = DEFAULT_BURN_WINDOW_MS): BurnRate {
    expectNumberIn('windowMs', windowMs, 1, BURN_MINUTES * MINUTE_MS);
    const { sums, span } = this.#burnWindow(windowMs, this.#now());
    return burnRateFrom(sums, span);
  }

  /**
   * Projects the current `kind` period: spent in it so far + the burn rate of the last hour
   * ({@link burnRate}'s default window) × the time left until the period ends, rounded to
   * integers. With a limit, `projectedUtilization` is projected/limit (the larger of the token
   * and USD ratios when both are given).
   * @throws KernelError `INVALID_ARGUMENT` for an unknown kind or a bad limit.
   */
  forecast(kind: PeriodKind, limit?: ForecastLimit): Forecast {
    const k = KIND_NAMES.indexOf(expectOneOf('kind', kind, KIND_NAMES));
    const checked = checkForecastLimit(limit);
    const now = this.#now();
    const spent = toUsageRow('total', this.#cells.total(k, now));
    const { sums, span } = this.#burnWindow(DEFAULT_BURN_WINDOW_MS, now);
    const period = periodBounds(kind, now, this.#timeZone);
    return projectPeriod(kind, period, now, spent, sums, span, checked);
  }

  /**
   * The last `n` records kept (at most `recentCapacity`), oldest first.
   * @param n @default all kept
   * @throws KernelError `INVALID_ARGUMENT` for a bad `n`.
   */
  recent(n?: number): UsageRecord[] {
    if (n !== undefined && !isTokenCount(n)) invalid('n', 'a non-negative safe integer', n);
    return this.#recent.last(n ?? this.#recent.capacity);
  }

  /**
   * A JSON-able image of everything the queries answer from, for a store's compaction: O(cells +
   * retained history + kept records). Handles are not part of it; call {@link attribution} again.
   */
  snapshot(): LedgerSnapshot {
    return {
      version: 1,
      timeZone: this.#timeZone,
      seq: this.#seq,
      latest: this.#seq === 0 ? null : this.#highWater,
      origin: this.#origin,
      ...this.#cells.snapshot(),
      buckets: this.#buckets.snapshot(),
      burn: this.#burn.snapshot(),
      recent: this.#recent.last(this.#recent.capacity).map(snapshotRecord),
    };
  }

  /**
   * A ledger that answers every query like the one `snapshot` came from and goes on from there:
   * `seq` continues, and `attribution()` of known ids books into their existing cells. Its clock,
   * callbacks and record capacity come from `options` (a smaller capacity keeps the newest
   * records); its time zone must be the snapshot's, since period boundaries depend on it.
   * @throws KernelError `INVALID_ARGUMENT` for bad options, or a snapshot of another version or
   *   zone or with a missing, mistyped or inconsistent field (the message names it).
   */
  static restore(snapshot: unknown, options: LedgerOptions): Ledger {
    const ledger = new Ledger(options);
    const s = parseLedgerSnapshot(snapshot, ledger.#timeZone);
    ledger.#cells.load(s);
    ledger.#buckets.load(s.buckets, s.cells.length / KEYS_PER_CELL, s.latest);
    ledger.#burn.load(s.burn);
    for (const record of s.recent) ledger.#recent.keepRestored(restoreRecord(record));
    ledger.#seq = s.seq;
    ledger.#origin = s.origin;
    if (s.latest !== null) {
      ledger.#highWater = s.latest;
      ledger.#hourEnd = ledger.#buckets.hourEnd;
      ledger.#nextRoll = Math.min(ledger.#hourEnd, ledger.#burn.minuteEnd);
    }
    return ledger;
  }

  /**
   * The cell of `who` with `model`, made the handle's current one and rolled into the current
   * hour (the hot path skips this while the handle's model and hour are current).
   */
  #cellOf(who: AttributionHandle, model: string, time: number): number {
    const cell = who.model === model ? who.cell : this.#cells.cellFor(who, model);
    if (this.#buckets.stale(cell)) this.#buckets.roll(cell, time);
    who.hour = this.#hour;
    // The model may have changed: the next record makes a new origin.
    who.origin = undefined;
    return cell;
  }

  /** Moves the current hour (and the periods containing it) and the burn minute to `time`. */
  #roll(time: number): void {
    if (time >= this.#hourEnd) {
      if (time < this.#origin) this.#origin = time;
      this.#buckets.advance(time);
      this.#hourEnd = this.#buckets.hourEnd;
      this.#hour++;
    }
    if (time >= this.#burn.minuteEnd) this.#burn.moveTo(time);
    this.#nextRoll = Math.min(this.#hourEnd, this.#burn.minuteEnd);
  }

  #now(): number {
    return Math.max(this.#clock.now(), this.#highWater);
  }

  #at(at: unknown): number {
    if (at === undefined) return this.#now();
    if (typeof at !== 'number' || !Number.isFinite(at))
      invalid('at', 'a finite time in ms since the epoch', at);
    return at;
  }

  #dimension(by: unknown): number {
    return DIMENSION_NAMES.indexOf(expectOneOf('by', by, DIMENSION_NAMES));
  }

  #span(span: unknown): number {
    return span === undefined
      ? LIFETIME
      : SPAN_NAMES.indexOf(expectOneOf('period', span, SPAN_NAMES));
  }

  #burnWindow(windowMs: number, now: number): { sums: BurnSums; span: number } {
    const nowMinute = Math.floor(now / MINUTE_MS);
    const firstMinute = nowMinute - Math.ceil(windowMs / MINUTE_MS) + 1;
    const span = now - Math.max(firstMinute * MINUTE_MS, this.#origin);
    return { sums: this.#burn.sum(firstMinute, nowMinute), span };
  }
}
