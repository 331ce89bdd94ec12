import { describe, expect, it } from 'vitest';
import {
  Ledger,
  type Attribution,
  type LedgerOptions,
  type LedgerSnapshot,
} from '../../src/budget/ledger.js';
import type { UsageRecord } from '../../src/budget/usage-record.js';
import { isKernelError } from '../../src/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

const HOUR = 3_600_000;
/** Saturday 2026-03-28 12:00 UTC: Europe/Berlin moves its clocks forward the next night. */
const T0 = Date.UTC(2026, 2, 28, 12);

/** A Berlin ledger with two agents over a DST change; records every 5 hours. */
function berlin(options: Partial<LedgerOptions> = {}) {
  const clock = new FakeClock(T0);
  const ledger = new Ledger({ clock, timeZone: 'Europe/Berlin', ...options });
  const a = ledger.attribution({ agentId: 'a', userId: 'u1' });
  const b = ledger.attribution({ agentId: 'b', taskId: 't1' });
  const records: UsageRecord[] = [];
  for (let i = 0; i < 8; i++) {
    clock.advance(5 * HOUR);
    const usage = { inputTokens: 100 * (i + 1), outputTokens: 10, cacheReadTokens: 20 };
    records.push(
      ledger.add(
        i % 2 ? a : b,
        i < 4 ? 'm1' : 'm2',
        usage,
        1000 + i,
        'x',
        i === 3,
        `r${i}`,
        clock.now(),
        50,
      ),
    );
  }
  return { clock, ledger, records };
}

/** Books one small record (3 input, 4 output tokens, 9 nano-USD) at the clock's time. */
function bookOne(ledger: Ledger, who: Attribution, model: string, clock: FakeClock): UsageRecord {
  return ledger.add(
    who,
    model,
    { inputTokens: 3, outputTokens: 4 },
    9,
    'x',
    false,
    undefined,
    clock.now(),
  );
}

function json(snapshot: LedgerSnapshot): LedgerSnapshot {
  return JSON.parse(JSON.stringify(snapshot)) as LedgerSnapshot;
}

/** A snapshot that tests may damage. */
type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type Draft = Mutable<LedgerSnapshot>;

/** A JSON copy of `snapshot` changed by `change`. */
function corrupt(snapshot: LedgerSnapshot, change: (s: Draft) => void): unknown {
  const copy = json(snapshot) as Draft;
  change(copy);
  return copy;
}

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isKernelError(caught, 'INVALID_ARGUMENT')).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

describe('Ledger.snapshot', () => {
  it('is plain JSON data that survives a JSON round trip unchanged', () => {
    const { ledger } = berlin();
    const snapshot = ledger.snapshot();
    expect(json(snapshot)).toStrictEqual(snapshot);
    expect(snapshot).toMatchObject({ version: 1, timeZone: 'Europe/Berlin', seq: 8 });
    expect(Array.isArray(snapshot.buckets.hour)).toBe(true);
    expect(snapshot.keys.agent).toEqual(['a', 'b']);
  });

  it('is a copy: later records change neither it nor a ledger restored from it', () => {
    const { clock, ledger } = berlin();
    const snapshot = ledger.snapshot();
    const before = json(snapshot);
    const restored = Ledger.restore(snapshot, { clock, timeZone: 'Europe/Berlin' });
    bookOne(ledger, ledger.attribution({ agentId: 'a' }), 'm1', clock);
    (snapshot.buckets.life as number[])[0] = 1e9;
    expect(json(ledger.snapshot())).not.toStrictEqual(before);
    expect(restored.snapshot()).toStrictEqual(before);
  });
});

describe('Ledger.restore', () => {
  it('answers like the original in a zone with DST, per day and lifetime', () => {
    const { clock, ledger, records } = berlin();
    const restored = Ledger.restore(json(ledger.snapshot()), { clock, timeZone: 'Europe/Berlin' });
    expect(restored.timeZone).toBe('Europe/Berlin');
    for (const r of records) {
      expect(restored.usage({ by: 'agent', period: 'day', at: r.time })).toStrictEqual(
        ledger.usage({ by: 'agent', period: 'day', at: r.time }),
      );
    }
    expect(restored.total()).toStrictEqual(ledger.total());
    expect(restored.recent()).toStrictEqual(records);
    expect(restored.burnRate()).toStrictEqual(ledger.burnRate());
    expect(restored.forecast('month', { usd: 1 })).toStrictEqual(
      ledger.forecast('month', { usd: 1 }),
    );
  });

  it('continues seq and books known ids into their existing cells', () => {
    const { clock, ledger } = berlin();
    const snapshot = json(ledger.snapshot());
    const restored = Ledger.restore(snapshot, { clock, timeZone: 'Europe/Berlin' });
    const who = restored.attribution({ agentId: 'a', userId: 'u1' });
    const record = bookOne(restored, who, 'm2', clock);
    expect(record.seq).toBe(9);
    expect(restored.size).toBe(9);
    expect(restored.snapshot().cells).toEqual(snapshot.cells);
    expect(restored.usageOf('agent', 'a').calls).toBe(5);
  });

  it('restores an empty ledger with its start time, which clips the burn-rate window', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock });
    clock.advance(10 * 60_000);
    const restored = Ledger.restore(json(ledger.snapshot()), { clock });
    expect(restored.size).toBe(0);
    expect(restored.recent()).toEqual([]);
    expect(restored.burnRate().windowMs).toBe(10 * 60_000);
    const who = restored.attribution({ agentId: 'a' });
    expect(bookOne(restored, who, 'm', clock).seq).toBe(1);
    expect(restored.total()).toMatchObject({ calls: 1, inputTokens: 3, costNano: 9 });
  });

  it('keeps the newest records when the new capacity is smaller, none at 0', () => {
    const { clock, ledger, records } = berlin();
    const snapshot = json(ledger.snapshot());
    const three = Ledger.restore(snapshot, { clock, timeZone: 'Europe/Berlin', recentCapacity: 3 });
    expect(three.recent()).toStrictEqual(records.slice(-3));
    const none = Ledger.restore(snapshot, { clock, timeZone: 'Europe/Berlin', recentCapacity: 0 });
    expect(none.recent()).toEqual([]);
    expect(none.total()).toStrictEqual(ledger.total());
  });

  it('does not call onRecord for restored records, only for new ones', () => {
    const { clock, ledger } = berlin();
    const seen: number[] = [];
    const restored = Ledger.restore(json(ledger.snapshot()), {
      clock,
      timeZone: 'Europe/Berlin',
      onRecord: (r) => seen.push(r.seq),
    });
    expect(seen).toEqual([]);
    bookOne(restored, restored.attribution({ agentId: 'z' }), 'm', clock);
    expect(seen).toEqual([9]);
  });

  it('refuses handles of the original ledger', () => {
    const { clock, ledger } = berlin();
    const restored = Ledger.restore(json(ledger.snapshot()), { clock, timeZone: 'Europe/Berlin' });
    const old = ledger.attribution({ agentId: 'a' });
    expectInvalid(() => bookOne(restored, old, 'm', clock), /`attribution`/);
  });

  it('requires the snapshot’s time zone, under any spelling of it', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock, timeZone: 'US/Eastern' });
    const snapshot = json(ledger.snapshot());
    expect(snapshot.timeZone).toBe('America/New_York');
    expect(Ledger.restore(snapshot, { clock, timeZone: 'US/Eastern' }).timeZone).toBe(
      'America/New_York',
    );
    expect(
      Ledger.restore(
        { ...snapshot, timeZone: 'US/Eastern' },
        { clock, timeZone: 'America/New_York' },
      ).size,
    ).toBe(0);
    expectInvalid(() => Ledger.restore(snapshot, { clock }), /`snapshot.timeZone` to be `UTC`/);
    expectInvalid(
      () => Ledger.restore(snapshot, { clock, timeZone: 'Europe/Berlin' }),
      /snapshot.timeZone/,
    );
    expectInvalid(
      () =>
        Ledger.restore({ ...snapshot, timeZone: 'Mars/Base' }, { clock, timeZone: 'US/Eastern' }),
      /snapshot.timeZone/,
    );
  });

  it('checks its options before the snapshot', () => {
    const { ledger } = berlin();
    expectInvalid(
      () => Ledger.restore(ledger.snapshot(), { clock: {} as FakeClock }),
      /`options.clock`/,
    );
  });

  it('rejects what is not a snapshot, or of another version', () => {
    const clock = new FakeClock(T0);
    const snapshot = json(new Ledger({ clock }).snapshot());
    for (const bad of [null, undefined, 'x', [], 42])
      expectInvalid(() => Ledger.restore(bad, { clock }), /`snapshot` to be an object/);
    for (const version of [2, 0, '1', undefined])
      expectInvalid(
        () => Ledger.restore({ ...snapshot, version }, { clock }),
        /`snapshot.version` to be 1/,
      );
  });

  const corruptions: [string, (s: Draft) => void, RegExp][] = [
    [
      'a missing key table',
      (s) => Reflect.deleteProperty(s.keys, 'model'),
      /`snapshot.keys.model` to be an array/,
    ],
    [
      'a key listed twice',
      (s) => s.keys.agent.push('a'),
      /`snapshot.keys.agent\[2\]` to be a key not listed before/,
    ],
    [
      'a key of the wrong type',
      (s) => ((s.keys.user as unknown[])[0] = 3),
      /`snapshot.keys.user\[0\]` to be a string/,
    ],
    [
      'cells not a multiple of 5',
      (s) => s.cells.pop(),
      /`snapshot.cells` to be an array of 5 key numbers per cell/,
    ],
    [
      'a key number beyond its table',
      (s) => (s.cells[1] = 9),
      /`snapshot.cells\[1\]` to be a key number of task below 2/,
    ],
    [
      'a cell listed twice',
      (s) => s.cells.push(...s.cells.slice(0, 5)),
      /`snapshot.cells\[\d+\]` to be a key combination/,
    ],
    [
      'counters one short',
      (s) => s.buckets.day.pop(),
      /`snapshot.buckets.day` to be an array of \d+ items/,
    ],
    [
      'a negative counter',
      (s) => (s.buckets.life[2] = -1),
      /`snapshot.buckets.life\[2\]` to be a non-negative/,
    ],
    [
      'bounds one short',
      (s) => s.buckets.bounds.pop(),
      /`snapshot.buckets.bounds` to be an array of \d+ items/,
    ],
    [
      'an end before its start',
      (s) => (s.buckets.bounds[3] = s.buckets.bounds[2]! - 1),
      /`snapshot.buckets.bounds\[3\]` to be a time after its start/,
    ],
    [
      'an end without a start',
      (s) => (s.buckets.bounds[0] = null),
      /`snapshot.buckets.bounds\[1\]` to be null/,
    ],
    [
      'history counters one short',
      (s) => s.buckets.history.hour[0]!.counters.pop(),
      /`snapshot.buckets.history.hour\[0\].counters` to be an array of \d+ items/,
    ],
    [
      'a history cell beyond the cells',
      (s) => (s.buckets.history.day[0]!.cells[0] = 99),
      /`snapshot.buckets.history.day\[0\].cells\[0\]` to be a cell number below \d+/,
    ],
    [
      'a history period listed twice',
      (s) => s.buckets.history.hour.push(s.buckets.history.hour[0]!),
      /`snapshot.buckets.history.hour\[\d+\].start` to be a time in ms not listed before/,
    ],
    [
      'burn counters one short',
      (s) => s.burn.counters.pop(),
      /`snapshot.burn.counters` to be an array of 4320 items/,
    ],
    [
      'a fractional burn minute',
      (s) => (s.burn.minute = s.burn.minute! + 0.5),
      /`snapshot.burn.minute`/,
    ],
    [
      'more records than seq',
      (s) => (s.seq = 2),
      /`snapshot.recent` to be an array of at most 2 records/,
    ],
    ['records not numbered up to seq', (s) => s.recent.pop(), /`snapshot.recent\[0\].seq` to be 2/],
    [
      'a record with bad usage',
      (s) => (s.recent[0]!.usage.cacheReadTokens = 10_000),
      /`snapshot.recent\[0\].usage.cacheReadTokens \+ cacheWriteTokens`/,
    ],
    [
      'a record with a fractional cost',
      (s) => (s.recent[1]!.costNano = 0.5),
      /`snapshot.recent\[1\].costNano`/,
    ],
    [
      'a latest time with seq 0',
      (s) => ((s.seq = 0), (s.recent = [])),
      /`snapshot.latest` to be null when seq is 0/,
    ],
    [
      'no latest time with records',
      (s) => (s.latest = null),
      /`snapshot.latest` to be a time in ms/,
    ],
    [
      'a latest time beyond the Date range',
      (s) => (s.latest = 1e300),
      /`snapshot.latest` to be a time in ms within/,
    ],
  ];

  it.each(corruptions)('rejects %s, naming the field', (_, change, pattern) => {
    const { clock, ledger } = berlin();
    const snapshot = ledger.snapshot();
    expectInvalid(
      () => Ledger.restore(corrupt(snapshot, change), { clock, timeZone: 'Europe/Berlin' }),
      pattern,
    );
  });
});
