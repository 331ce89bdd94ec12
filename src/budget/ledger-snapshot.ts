import { validateUsage, type Usage } from '../usage.js';
import { expectObject, invalid, isTokenCount } from '../validate.js';
import { BURN_MINUTES } from './ledger-burn.js';
import { DIMENSIONS, STRIDE, type Dimension } from './ledger-row.js';
import { validateTimeZone } from './period.js';
import type { UsageRecord } from './usage-record.js';

/** Per-cell counter tables of a ledger, finest first; `life` holds the closed days. */
export const BUCKET_TABLES = ['hour', 'day', 'week', 'month', 'life'] as const;
/** Period kinds whose closed periods are kept as history. */
export const HISTORY_KINDS = ['hour', 'day', 'week', 'month'] as const;
/** Bounds per cell: start and end of its current hour, day, week and month. */
export const BOUNDS_PER_CELL = 8;
/** Keys per cell: agent, task, user, session, model. */
export const KEYS_PER_CELL = DIMENSIONS.length;
/** Latest record time periods can be cut at (the `Date` range minus a month, as `periodBounds`). */
const MAX_TIME = 8.64e15 - 40 * 86_400_000;

/** Closed counters of one past period: cell numbers, and 9 counters per cell in that order. */
export interface LedgerPeriodSnapshot {
  /** Period start, ms since the epoch. */
  readonly start: number;
  readonly cells: readonly number[];
  readonly counters: readonly number[];
}

/** The counter table of a ledger's cells (see `LedgerBuckets`). */
export interface LedgerBucketsSnapshot {
  /** 9 counters per cell (calls, input, output, cache read, cache write, reasoning, cost, cached calls, saved) of its open hour. */
  readonly hour: readonly number[];
  /** Closed hours of the open day, 9 per cell. */
  readonly day: readonly number[];
  /** Closed days of the open ISO week, 9 per cell. */
  readonly week: readonly number[];
  /** Closed days of the open month, 9 per cell. */
  readonly month: readonly number[];
  /** Every closed day, 9 per cell. */
  readonly life: readonly number[];
  /** Start and end (ms) of each cell's open hour, day, week and month, 8 per cell; null before its first record. */
  readonly bounds: readonly (number | null)[];
  /** Closed periods still answerable, per kind. */
  readonly history: Readonly<
    Record<(typeof HISTORY_KINDS)[number], readonly LedgerPeriodSnapshot[]>
  >;
}

/** The burn-rate ring: tokens, cost and calls per UTC minute. */
export interface LedgerBurnSnapshot {
  /** The latest minute written (minutes since the epoch), or null before the first record. */
  readonly minute: number | null;
  /** 3 counters per minute for the 1,440 minutes ending at `minute`, oldest first; [] when it is null. */
  readonly counters: readonly number[];
}

/** A {@link UsageRecord} as plain JSON: `reservationId` left out when undefined. */
export interface LedgerRecordSnapshot extends Omit<UsageRecord, 'reservationId'> {
  readonly reservationId?: string;
}

/**
 * A JSON-able image of a ledger: everything its queries answer from (cells and their period
 * buckets and history, burn ring, recent ring, key tables, seq, start time). Plain numbers,
 * strings, nulls, arrays and objects; `JSON.parse(JSON.stringify(s))` restores to the same ledger.
 */
export interface LedgerSnapshot {
  readonly version: 1;
  /** The canonical zone the periods were cut in; a ledger restores only into the same zone. */
  readonly timeZone: string;
  /** Records ever added. */
  readonly seq: number;
  /** Latest record time, ms (later records are clamped to it); null when `seq` is 0. */
  readonly latest: number | null;
  /** Start of observation, ms, for burn rates of a young ledger. */
  readonly origin: number;
  /** Interned keys per dimension: a key's number is its index. */
  readonly keys: Readonly<Record<Dimension, readonly string[]>>;
  /** Key numbers of each cell, 5 per cell (agent, task, user, session, model). */
  readonly cells: readonly number[];
  readonly buckets: LedgerBucketsSnapshot;
  readonly burn: LedgerBurnSnapshot;
  /** The records kept for `recent()`, oldest first. */
  readonly recent: readonly LedgerRecordSnapshot[];
}

/** A record as plain JSON, with a copy of only the usage fields it has. */
export function snapshotRecord(r: UsageRecord): LedgerRecordSnapshot {
  // Plain assignments, not spreads: compaction copies up to `recentCapacity` records at once.
  const out: Mutable<LedgerRecordSnapshot> = {
    seq: r.seq,
    time: r.time,
    agentId: r.agentId,
    taskId: r.taskId,
    userId: r.userId,
    sessionId: r.sessionId,
    model: r.model,
    usage: copyUsage(r.usage),
    costNano: r.costNano,
    priceSource: r.priceSource,
    cached: r.cached,
    savedNano: r.savedNano ?? 0,
  };
  if (r.reservationId !== undefined) out.reservationId = r.reservationId;
  return out;
}

/** A record shaped exactly like the ones `Ledger.add` makes, from a checked snapshot record. */
export function restoreRecord(r: LedgerRecordSnapshot): UsageRecord {
  return {
    seq: r.seq,
    time: r.time,
    agentId: r.agentId,
    taskId: r.taskId,
    userId: r.userId,
    sessionId: r.sessionId,
    model: r.model,
    usage: copyUsage(r.usage),
    costNano: r.costNano,
    priceSource: r.priceSource,
    cached: r.cached,
    reservationId: r.reservationId,
    savedNano: r.savedNano ?? 0,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function copyUsage(u: Usage): Usage {
  const copy: Mutable<Usage> = { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
  if (u.cacheReadTokens !== undefined) copy.cacheReadTokens = u.cacheReadTokens;
  if (u.cacheWriteTokens !== undefined) copy.cacheWriteTokens = u.cacheWriteTokens;
  if (u.reasoningTokens !== undefined) copy.reasoningTokens = u.reasoningTokens;
  return copy;
}

/**
 * Checks that `value` is a {@link LedgerSnapshot} taken in `timeZone`: version, every field's
 * type, array lengths that agree with the number of cells, key numbers within the key tables,
 * and recent records numbered up to `seq`. Does not recompute the sums.
 * @throws KernelError `INVALID_ARGUMENT` naming the first bad field (`snapshot.buckets.hour[3]`).
 */
export function parseLedgerSnapshot(value: unknown, timeZone: string): LedgerSnapshot {
  const s = expectObject('snapshot', value);
  if (s['version'] !== 1) invalid('snapshot.version', '1', s['version']);
  checkZone(s['timeZone'], timeZone);
  const seq = s['seq'];
  if (!isTokenCount(seq)) invalid('snapshot.seq', 'a non-negative safe integer', seq);
  const latest = s['latest'];
  if (seq === 0 ? latest !== null : !(isFiniteNumber(latest) && Math.abs(latest) <= MAX_TIME))
    invalid(
      'snapshot.latest',
      seq === 0 ? 'null when seq is 0' : `a time in ms within ±${MAX_TIME}`,
      latest,
    );
  if (!isFiniteNumber(s['origin'])) invalid('snapshot.origin', 'a finite time in ms', s['origin']);
  const tables = checkKeys(s['keys']);
  const count = checkCells(s['cells'], tables);
  checkBuckets(s['buckets'], count);
  checkBurn(s['burn']);
  checkRecent(s['recent'], seq);
  return value as LedgerSnapshot;
}

function checkZone(zone: unknown, expected: string): void {
  if (zone === expected) return;
  let canonical: string | undefined;
  try {
    // Canonical names can change with the runtime's ICU data (Europe/Kiev → Europe/Kyiv).
    canonical = validateTimeZone(zone);
  } catch {
    canonical = undefined;
  }
  if (canonical !== expected)
    invalid('snapshot.timeZone', `\`${expected}\`, the ledger's time zone`, zone);
}

function checkKeys(value: unknown): (readonly string[])[] {
  const keys = expectObject('snapshot.keys', value);
  return DIMENSIONS.map((dimension) => {
    const name = `snapshot.keys.${dimension}`;
    const list = expectArray(name, keys[dimension]);
    const seen = new Set<string>();
    list.forEach((key, i) => {
      if (typeof key !== 'string') invalid(`${name}[${i}]`, 'a string', key);
      if (seen.has(key)) invalid(`${name}[${i}]`, 'a key not listed before', key);
      seen.add(key);
    });
    return list as string[];
  });
}

function checkCells(value: unknown, tables: (readonly string[])[]): number {
  const cells = expectArray('snapshot.cells', value);
  if (cells.length % KEYS_PER_CELL !== 0)
    invalid('snapshot.cells', `an array of ${KEYS_PER_CELL} key numbers per cell`, cells);
  const seen = new Set<string>();
  for (let i = 0; i < cells.length; i += KEYS_PER_CELL) {
    for (let d = 0; d < KEYS_PER_CELL; d++) {
      const key = cells[i + d];
      const size = tables[d]!.length;
      if (!(Number.isInteger(key) && (key as number) >= 0 && (key as number) < size))
        invalid(`snapshot.cells[${i + d}]`, `a key number of ${DIMENSIONS[d]} below ${size}`, key);
    }
    const id = cells.slice(i, i + KEYS_PER_CELL).join(',');
    if (seen.has(id)) invalid(`snapshot.cells[${i}]`, 'a key combination not listed before', id);
    seen.add(id);
  }
  return cells.length / KEYS_PER_CELL;
}

function checkBuckets(value: unknown, count: number): void {
  const buckets = expectObject('snapshot.buckets', value);
  for (const table of BUCKET_TABLES)
    expectCounters(`snapshot.buckets.${table}`, buckets[table], count * STRIDE);
  const name = 'snapshot.buckets.bounds';
  const bounds = expectArray(name, buckets['bounds'], count * BOUNDS_PER_CELL);
  for (let i = 0; i < bounds.length; i += 2) {
    const start = bounds[i];
    const end = bounds[i + 1];
    if (start !== null && !isFiniteNumber(start))
      invalid(`${name}[${i}]`, 'a time in ms or null', start);
    if (start === null ? end !== null : !(isFiniteNumber(end) && end > start))
      invalid(
        `${name}[${i + 1}]`,
        start === null ? 'null, as its start' : 'a time after its start',
        end,
      );
  }
  const history = expectObject('snapshot.buckets.history', buckets['history']);
  for (const kind of HISTORY_KINDS) {
    const path = `snapshot.buckets.history.${kind}`;
    const starts = new Set<number>();
    expectArray(path, history[kind]).forEach((entry, i) => {
      const period = expectObject(`${path}[${i}]`, entry);
      const start = period['start'];
      if (!isFiniteNumber(start) || starts.has(start))
        invalid(`${path}[${i}].start`, 'a time in ms not listed before', start);
      starts.add(start);
      const cells = expectArray(`${path}[${i}].cells`, period['cells']);
      const seen = new Set<number>();
      cells.forEach((cell, j) => {
        if (!(Number.isInteger(cell) && (cell as number) >= 0 && (cell as number) < count))
          invalid(`${path}[${i}].cells[${j}]`, `a cell number below ${count}`, cell);
        if (seen.has(cell as number))
          invalid(`${path}[${i}].cells[${j}]`, 'a cell not listed before', cell);
        seen.add(cell as number);
      });
      expectCounters(`${path}[${i}].counters`, period['counters'], cells.length * STRIDE);
    });
  }
}

function checkBurn(value: unknown): void {
  const burn = expectObject('snapshot.burn', value);
  const minute = burn['minute'];
  if (minute !== null && !Number.isSafeInteger(minute))
    invalid('snapshot.burn.minute', 'an integer minute since the epoch or null', minute);
  expectCounters(
    'snapshot.burn.counters',
    burn['counters'],
    minute === null ? 0 : BURN_MINUTES * 3,
  );
}

function checkRecent(value: unknown, seq: number): void {
  const recent = expectArray('snapshot.recent', value);
  if (recent.length > seq) invalid('snapshot.recent', `an array of at most ${seq} records`, recent);
  recent.forEach((entry, i) => {
    const name = `snapshot.recent[${i}]`;
    const r = expectObject(name, entry);
    const expectedSeq = seq - recent.length + i + 1;
    if (r['seq'] !== expectedSeq) invalid(`${name}.seq`, `${expectedSeq}`, r['seq']);
    if (!isFiniteNumber(r['time'])) invalid(`${name}.time`, 'a finite time in ms', r['time']);
    for (const field of ['agentId', 'taskId', 'userId', 'sessionId', 'model', 'priceSource'])
      if (typeof r[field] !== 'string') invalid(`${name}.${field}`, 'a string', r[field]);
    expectObject(`${name}.usage`, r['usage']);
    validateUsage(r['usage'], `${name}.usage`);
    for (const field of ['costNano', 'savedNano'])
      if (!isTokenCount(r[field]))
        invalid(`${name}.${field}`, 'a non-negative safe integer', r[field]);
    if (typeof r['cached'] !== 'boolean') invalid(`${name}.cached`, 'a boolean', r['cached']);
    const reservationId = r['reservationId'];
    if (reservationId !== undefined && typeof reservationId !== 'string')
      invalid(`${name}.reservationId`, 'a string or absent', reservationId);
  });
}

function expectArray(name: string, value: unknown, length?: number): readonly unknown[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length))
    invalid(name, length === undefined ? 'an array' : `an array of ${length} items`, value);
  return value as unknown[];
}

function expectCounters(name: string, value: unknown, length: number): void {
  const counters = expectArray(name, value, length);
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i];
    if (!(isFiniteNumber(c) && c >= 0)) invalid(`${name}[${i}]`, 'a non-negative finite number', c);
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
