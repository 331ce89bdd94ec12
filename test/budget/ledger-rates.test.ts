import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/budget/ledger.js';
import type { UsageRecord } from '../../src/budget/usage-record.js';
import { isKernelError } from '../../src/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** Monday 2026-01-05 12:00 UTC. */
const T0 = Date.UTC(2026, 0, 5, 12);
const MINUTE = 60_000;

/** A call every 30 s for 90 minutes, each bigger than the last. */
function steadyStream() {
  const clock = new FakeClock(T0);
  const ledger = new Ledger({ clock });
  const who = ledger.attribution({ agentId: 'a' });
  const records: UsageRecord[] = [];
  for (let i = 0; i < 180; i++) {
    clock.set(T0 + i * 30_000);
    const usage = { inputTokens: 10 * (i + 1), outputTokens: i };
    records.push(ledger.add(who, 'm', usage, 1000 * (i + 1), 'x', false, undefined, clock.now()));
  }
  clock.set(T0 + 90 * MINUTE + 15_000); // 13:30:15
  return { clock, ledger, records, now: clock.now() };
}

const tokensOf = (rs: readonly UsageRecord[]) =>
  rs.reduce((s, r) => s + r.usage.inputTokens + r.usage.outputTokens, 0);
const costOf = (rs: readonly UsageRecord[]) => rs.reduce((s, r) => s + r.costNano, 0);

describe('Ledger.burnRate', () => {
  it('divides the last 60 minute buckets (current one partial) by the time they span', () => {
    const { ledger, records, now } = steadyStream();
    // Minutes 12:31 … 13:30; the window runs from 12:31:00 to now.
    const from = Date.UTC(2026, 0, 5, 12, 31);
    const inWindow = records.filter((r) => r.time >= from);
    const span = now - from;
    const rate = ledger.burnRate();
    expect(rate.windowMs).toBe(span);
    expect(rate.tokensPerMinute).toBeCloseTo((tokensOf(inWindow) / span) * MINUTE, 9);
    expect(rate.usdPerHour).toBeCloseTo((costOf(inWindow) / 1e9 / span) * 3_600_000, 12);
    expect(rate.callsPerMinute).toBeCloseTo((inWindow.length / span) * MINUTE, 9);
  });

  it('measures a short window from whole minutes', () => {
    const { ledger, records, now } = steadyStream();
    const from = Date.UTC(2026, 0, 5, 13, 26);
    const inWindow = records.filter((r) => r.time >= from);
    const rate = ledger.burnRate(5 * MINUTE);
    expect(rate.windowMs).toBe(now - from);
    expect(rate.callsPerMinute).toBeCloseTo((inWindow.length / (now - from)) * MINUTE, 9);
  });

  it('clips the window to when a young ledger started', () => {
    const clock = new FakeClock(T0 + 20_000);
    const ledger = new Ledger({ clock });
    const who = ledger.attribution({ agentId: 'a' });
    ledger.add(
      who,
      'm',
      { inputTokens: 600, outputTokens: 0 },
      0,
      'x',
      false,
      undefined,
      T0 + 30_000,
    );
    clock.set(T0 + 5 * MINUTE + 20_000);
    const rate = ledger.burnRate();
    expect(rate.windowMs).toBe(5 * MINUTE);
    expect(rate.tokensPerMinute).toBeCloseTo(120, 9);
  });

  it('reuses a minute bucket a day later without the old counts', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock });
    const who = ledger.attribution({ agentId: 'a' });
    const usage = { inputTokens: 1000, outputTokens: 0 };
    ledger.add(who, 'm', usage, 0, 'x', false, undefined, T0 + 10_000);
    // The next day at 12:01:30: the window is the minutes 12:00 (skipped over) and 12:01.
    clock.set(T0 + 86_400_000 + 90_000);
    ledger.add(who, 'm', usage, 0, 'x', false, undefined, clock.now());
    const rate = ledger.burnRate(2 * MINUTE);
    expect(rate.windowMs).toBe(90_000);
    expect(rate.tokensPerMinute).toBeCloseTo((1000 / 90_000) * MINUTE, 9);
  });

  it('is zero with nothing recorded and rejects windows outside 1 ms … 1 day', () => {
    const ledger = new Ledger({ clock: new FakeClock(T0) });
    expect(ledger.burnRate()).toEqual({
      tokensPerMinute: 0,
      usdPerHour: 0,
      callsPerMinute: 0,
      windowMs: 0,
    });
    for (const bad of [0, 86_400_001, Number.NaN]) {
      let caught: unknown;
      try {
        ledger.burnRate(bad);
      } catch (error) {
        caught = error;
      }
      expect(isKernelError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('Ledger.forecast', () => {
  it('projects the day as spent so far + last hour’s rate × time left', () => {
    const { ledger, records, now } = steadyStream();
    const from = Date.UTC(2026, 0, 5, 12, 31);
    const inWindow = records.filter((r) => r.time >= from);
    const dayEnd = Date.UTC(2026, 0, 6);
    const share = (dayEnd - now) / (now - from);
    const projectedNano = costOf(records) + Math.round(costOf(inWindow) * share);
    const projectedTokens = tokensOf(records) + Math.round(tokensOf(inWindow) * share);
    expect(ledger.forecast('day', { usd: 0.5, tokens: 100_000 })).toEqual({
      period: 'day',
      start: Date.UTC(2026, 0, 5),
      end: dayEnd,
      spentNano: costOf(records),
      tokens: tokensOf(records),
      projectedNano,
      projectedTokens,
      limitNano: 500_000_000,
      limitTokens: 100_000,
      projectedUtilization: Math.max(projectedNano / 5e8, projectedTokens / 100_000),
    });
  });

  it('counts only the current period as spent and leaves limit fields out without a limit', () => {
    const { ledger, records, now } = steadyStream();
    const hourStart = Date.UTC(2026, 0, 5, 13);
    const thisHour = records.filter((r) => r.time >= hourStart);
    const forecast = ledger.forecast('hour');
    expect(forecast.spentNano).toBe(costOf(thisHour));
    expect(forecast.start).toBe(hourStart);
    const from = Date.UTC(2026, 0, 5, 12, 31);
    const windowCost = costOf(records.filter((r) => r.time >= from));
    expect(forecast.projectedNano).toBe(
      costOf(thisHour) + Math.round((windowCost * (hourStart + 3_600_000 - now)) / (now - from)),
    );
    expect(forecast).not.toHaveProperty('projectedUtilization');
    expect(forecast).not.toHaveProperty('limitNano');
  });

  it('rejects bad limits and kinds', () => {
    const { ledger } = steadyStream();
    expect(() => ledger.forecast('day', { usd: -1 })).toThrow(/Expected `limit.usd`/);
    expect(() => ledger.forecast('day', { tokens: 1.5 })).toThrow(/Expected `limit.tokens`/);
    expect(() => ledger.forecast('lifetime' as never)).toThrow(/Expected `kind`/);
  });
});

describe('Ledger.recent', () => {
  it('keeps the newest records, oldest first, up to its capacity', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock, recentCapacity: 3 });
    const who = ledger.attribution({ agentId: 'a' });
    const usage = { inputTokens: 1, outputTokens: 1 };
    for (let i = 0; i < 5; i++) ledger.add(who, 'm', usage, i, 'x', false, undefined, T0);
    expect(ledger.recent().map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(ledger.recent(2).map((r) => r.seq)).toEqual([4, 5]);
    expect(ledger.recent(10)).toHaveLength(3);
    expect(ledger.size).toBe(5);
  });

  it('keeps nothing with capacity 0 and 10,000 by default', () => {
    const clock = new FakeClock(T0);
    const none = new Ledger({ clock, recentCapacity: 0 });
    const all = new Ledger({ clock });
    const usage = { inputTokens: 1, outputTokens: 1 };
    for (const ledger of [none, all]) {
      const who = ledger.attribution({ agentId: 'a' });
      for (let i = 0; i < 10_005; i++) ledger.add(who, 'm', usage, 1, 'x', false, undefined, T0);
    }
    expect(none.recent()).toEqual([]);
    const kept = all.recent();
    expect(kept).toHaveLength(10_000);
    expect(kept[0]!.seq).toBe(6);
    expect(kept.at(-1)!.seq).toBe(10_005);
  });
});
