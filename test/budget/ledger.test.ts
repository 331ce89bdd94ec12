import { describe, expect, it } from 'vitest';
import { Ledger, nanoToUsd, type Attribution } from '../../src/budget/ledger.js';
import { NO_KEY, type UsageRecord } from '../../src/budget/usage-record.js';
import { isKernelError } from '../../src/errors.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2026-01-05 12:00 UTC, FakeClock's default start. */
const T0 = Date.UTC(2026, 0, 5, 12);
const u = (inputTokens: number, outputTokens: number): Usage => ({ inputTokens, outputTokens });

function setup(options: { timeZone?: string; recentCapacity?: number } = {}, start = T0) {
  const clock = new FakeClock(start);
  const ledger = new Ledger({ clock, ...options });
  const book = (who: Attribution, model: string, cost: number, usage: Usage = u(100, 10)) =>
    ledger.add(who, model, usage, cost, 'test', false, undefined, clock.now());
  return { clock, ledger, book };
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

describe('Ledger.add', () => {
  it('returns the record with the next seq, the handle’s ids and NO_KEY for missing ones', () => {
    const { ledger, clock } = setup();
    const who = ledger.attribution({ agentId: 'a', userId: 'u1' });
    const usage: Usage = { inputTokens: 50, outputTokens: 5, cacheReadTokens: 20 };
    const first = ledger.add(who, 'm', usage, 700, 'user', false, 'r1', clock.now());
    const second = ledger.add(who, 'm', usage, 700, 'user', true, undefined, clock.now(), 900);
    expect(first).toEqual({
      seq: 1,
      time: T0,
      agentId: 'a',
      taskId: NO_KEY,
      userId: 'u1',
      sessionId: NO_KEY,
      model: 'm',
      usage,
      costNano: 700,
      priceSource: 'user',
      cached: false,
      reservationId: 'r1',
      savedNano: 0,
    });
    expect(second.seq).toBe(2);
    expect(ledger.size).toBe(2);
    expect(ledger.total()).toMatchObject({ calls: 2, cacheReadTokens: 40, cachedCalls: 1 });
    expect(ledger.total().savedNano).toBe(900);
  });

  it('rejects a handle made by another ledger, and bad ids', () => {
    const { ledger, clock } = setup();
    const foreign = new Ledger({ clock }).attribution({ agentId: 'a' });
    expectInvalid(
      () => ledger.add(foreign, 'm', u(1, 1), 1, 'x', false, undefined, clock.now()),
      /^Expected `attribution`/,
    );
    expectInvalid(() => ledger.attribution({ agentId: '' }), /^Expected `agentId`/);
    expectInvalid(() => ledger.attribution({ agentId: 'a', userId: 7 as never }), /`userId`/);
    expect(ledger.size).toBe(0);
  });

  it('books a model switch under the new model and keeps the other dimensions', () => {
    const { ledger, book } = setup();
    const who = ledger.attribution({ agentId: 'a', taskId: 't' });
    book(who, 'big', 30);
    book(who, 'small', 10);
    book(who, 'big', 30);
    expect(ledger.usage({ by: 'model' }).map((r) => [r.key, r.calls])).toEqual([
      ['big', 2],
      ['small', 1],
    ]);
    expect(ledger.usage({ by: 'task' })).toEqual([expect.objectContaining({ key: 't', calls: 3 })]);
  });

  it('calls onRecord after booking and lets its exception reach the caller', () => {
    const clock = new FakeClock(T0);
    const seen: UsageRecord[] = [];
    const ledger = new Ledger({
      clock,
      onRecord: (r) => {
        seen.push(r);
        if (r.seq === 2) throw new Error('sink down');
      },
    });
    const who = ledger.attribution({ agentId: 'a' });
    ledger.add(who, 'm', u(1, 1), 5, 'x', false, undefined, T0);
    expect(() => ledger.add(who, 'm', u(1, 1), 5, 'x', false, undefined, T0)).toThrow('sink down');
    expect(seen.map((r) => r.seq)).toEqual([1, 2]);
    expect(ledger.total().costNano).toBe(10);
  });
});

describe('Ledger reports', () => {
  it('sorts rows by cost descending, then key, and topAgents takes the first n', () => {
    const { ledger, book } = setup();
    const a = ledger.attribution({ agentId: 'a' });
    const b = ledger.attribution({ agentId: 'b' });
    const c = ledger.attribution({ agentId: 'c' });
    book(b, 'm', 50);
    book(a, 'm', 50);
    book(c, 'm', 20);
    book(c, 'm', 70);
    expect(ledger.usage({ by: 'agent' }).map((r) => [r.key, r.costNano])).toEqual([
      ['c', 90],
      ['a', 50],
      ['b', 50],
    ]);
    expect(ledger.topAgents(2).map((r) => r.key)).toEqual(['c', 'a']);
    expect(ledger.topAgents(0)).toEqual([]);
    expect(ledger.usageOf('agent', 'b').costNano).toBe(50);
    expect(ledger.usageOf('agent', 'nobody')).toMatchObject({ key: 'nobody', calls: 0 });
  });

  it('leaves out keys that have an attribution but no records', () => {
    const { ledger, book } = setup();
    ledger.attribution({ agentId: 'idle', userId: 'ghost' });
    book(ledger.attribution({ agentId: 'busy' }), 'm', 1);
    expect(ledger.usage({ by: 'agent' }).map((r) => r.key)).toEqual(['busy']);
    expect(ledger.usage({ by: 'user' }).map((r) => r.key)).toEqual([NO_KEY]);
  });

  it('converts nano-USD to USD', () => {
    expect(nanoToUsd(1_500_000_000)).toBe(1.5);
  });

  it('rejects unknown dimensions, periods and times', () => {
    const { ledger } = setup();
    expectInvalid(() => ledger.usage({ by: 'org' as never }), /^Expected `by`/);
    expectInvalid(() => ledger.usage({ by: 'agent', period: 'year' as never }), /`period`/);
    expectInvalid(() => ledger.total('day', Number.NaN), /^Expected `at`/);
    expectInvalid(() => ledger.topAgents(-1), /^Expected `n`/);
    expectInvalid(() => ledger.recent(1.5), /^Expected `n`/);
    expectInvalid(() => new Ledger({ clock: new FakeClock(), timeZone: 'Nowhere' }), /timeZone/);
    expectInvalid(
      () => new Ledger({ clock: new FakeClock(), recentCapacity: -1 }),
      /`options.recentCapacity`/,
    );
    expectInvalid(() => new Ledger({ clock: {} as never }), /`options.clock`/);
  });
});

describe('Ledger periods', () => {
  it('splits sums where hours, days, weeks and months roll over, to the millisecond', () => {
    const { ledger, clock, book } = setup({}, Date.UTC(2026, 0, 31));
    const who = ledger.attribution({ agentId: 'a' });
    // Sunday 2026-01-31 23:59:59.999 UTC, then the first instant of Feb 1 (a Sunday) and of
    // Monday Feb 2 (a new ISO week).
    clock.set(Date.UTC(2026, 0, 31, 23, 59, 59, 999));
    book(who, 'm', 1);
    clock.set(Date.UTC(2026, 1, 1));
    book(who, 'm', 10);
    clock.set(Date.UTC(2026, 1, 1, 23, 59, 59, 999));
    book(who, 'm', 100);
    clock.set(Date.UTC(2026, 1, 2));
    book(who, 'm', 1000);
    const cost = (period: 'hour' | 'day' | 'week' | 'month', at: number) =>
      ledger.total(period, at).costNano;
    expect(cost('month', Date.UTC(2026, 0, 15))).toBe(1);
    expect(cost('month', Date.UTC(2026, 1, 15))).toBe(1110);
    expect(cost('week', Date.UTC(2026, 0, 31))).toBe(111);
    expect(cost('week', Date.UTC(2026, 1, 2))).toBe(1000);
    expect(cost('day', Date.UTC(2026, 1, 1, 12))).toBe(110);
    expect(cost('hour', Date.UTC(2026, 1, 1, 0, 30))).toBe(10);
    expect(cost('hour', Date.UTC(2026, 1, 1, 23))).toBe(100);
    expect(ledger.total().costNano).toBe(1111);
    expect(ledger.usage({ by: 'agent', period: 'day' })).toEqual([
      expect.objectContaining({ key: 'a', costNano: 1000 }),
    ]);
  });

  const first = Date.UTC(2026, 0, 1, 0, 30);
  it.each([
    ['hour' as const, 48, (n: number) => first + n * HOUR],
    ['day' as const, 62, (n: number) => first + n * DAY],
    ['week' as const, 14, (n: number) => first + n * 7 * DAY],
    ['month' as const, 24, (n: number) => Date.UTC(2026, n, 1, 0, 30)],
  ])('answers a %s up to %i periods back, and an empty list beyond', (kind, kept, later) => {
    const { ledger, clock, book } = setup({}, first);
    const who = ledger.attribution({ agentId: 'a' });
    book(who, 'm', 1);
    clock.set(later(kept));
    book(who, 'm', 2);
    expect(ledger.total(kind, first).costNano).toBe(1);
    expect(ledger.usage({ by: 'agent', period: kind, at: first })).toHaveLength(1);
    clock.set(later(kept + 1));
    book(who, 'm', 4);
    expect(ledger.total(kind, first).costNano).toBe(0);
    expect(ledger.usage({ by: 'agent', period: kind, at: first })).toEqual([]);
    expect(ledger.total(kind, later(kept)).costNano).toBe(2);
    expect(ledger.total().costNano).toBe(7);
  });

  it('books a late record in the latest period and keeps its own time', () => {
    const { ledger, clock } = setup();
    const who = ledger.attribution({ agentId: 'a' });
    ledger.add(who, 'm', u(1, 1), 5, 'x', false, undefined, T0 + 2 * HOUR);
    const late = ledger.add(who, 'm', u(1, 1), 7, 'x', false, undefined, T0);
    expect(late.time).toBe(T0);
    clock.set(T0 + 2 * HOUR);
    expect(ledger.total('hour').costNano).toBe(12);
    expect(ledger.total('hour', T0).costNano).toBe(0);
  });

  it('follows the ledger’s time zone for day boundaries', () => {
    const { ledger, clock, book } = setup({ timeZone: 'Europe/Berlin' }, Date.UTC(2026, 0, 5));
    const who = ledger.attribution({ agentId: 'a' });
    clock.set(Date.UTC(2026, 0, 5, 22, 30)); // 23:30 in Berlin, Jan 5
    book(who, 'm', 1);
    clock.set(Date.UTC(2026, 0, 5, 23, 30)); // 00:30 in Berlin, Jan 6
    book(who, 'm', 2);
    expect(ledger.timeZone).toBe('Europe/Berlin');
    expect(ledger.total('day').costNano).toBe(2);
    expect(ledger.total('day', Date.UTC(2026, 0, 5, 12)).costNano).toBe(1);
  });

  it('answers the current period as empty once time has moved past the last record', () => {
    const { ledger, clock, book } = setup();
    book(ledger.attribution({ agentId: 'a' }), 'm', 3);
    clock.advance(DAY);
    expect(ledger.total('day').calls).toBe(0);
    expect(ledger.usage({ by: 'agent', period: 'day' })).toEqual([]);
    expect(ledger.total('day', T0).costNano).toBe(3);
  });
});
