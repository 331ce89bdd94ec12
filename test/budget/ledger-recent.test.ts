import { describe, expect, it, vi } from 'vitest';
import { Ledger } from '../../src/budget/ledger.js';
import { reservationIdOf, type UsageRecord } from '../../src/budget/usage-record.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);

/** Adds `n` varied records (usages with and without the optional fields, some cached). */
function fill(ledger: Ledger, n: number, clock: FakeClock): UsageRecord[] {
  const who = [
    ledger.attribution({ agentId: 'a', userId: 'u1' }),
    ledger.attribution({ agentId: 'b', taskId: 't', sessionId: 's' }),
  ];
  const out: UsageRecord[] = [];
  for (let i = 0; i < n; i++) {
    const usage: Usage =
      i % 3 === 0
        ? { inputTokens: i, outputTokens: 2 }
        : { inputTokens: i + 10, outputTokens: 5, cacheReadTokens: 3, reasoningTokens: 1 };
    clock.advance(7_000);
    out.push(
      ledger.add(
        who[i % 2]!,
        i % 5 === 0 ? 'm2' : 'm1',
        usage,
        i * 11,
        i % 7 === 0 ? 'user' : 'genai-prices@x',
        i % 4 === 0,
        i % 6 === 0 ? `r${i + 1}` : undefined,
        clock.now(),
        i % 4 === 0 ? i : 0,
      ),
    );
  }
  return out;
}

describe('Ledger.recent across the growth and wrap of its columns', () => {
  for (const capacity of [1, 1023, 1024, 1025, 3000]) {
    it(`returns the newest records of ${capacity.toLocaleString('en-US')} exactly as add returned them`, () => {
      const clock = new FakeClock(T0);
      const ledger = new Ledger({ clock, recentCapacity: capacity });
      const added = fill(ledger, Math.floor(capacity * 2.5) + 3, clock);
      const kept = added.slice(-capacity);
      expect(ledger.recent()).toStrictEqual(kept);
      expect(ledger.recent(2)).toStrictEqual(kept.slice(-2));
      expect(ledger.recent(0)).toEqual([]);
    });
  }

  it('keeps every record until the capacity is first reached', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock, recentCapacity: 5000 });
    const added = fill(ledger, 2049, clock);
    expect(ledger.recent()).toStrictEqual(added);
    expect(ledger.recent().map((r) => r.seq)).toEqual(added.map((_, i) => i + 1));
  });

  it('shares the caller’s usage object, as the returned record does', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock });
    const usage = { inputTokens: 4, outputTokens: 1 };
    const record = ledger.add(
      ledger.attribution({ agentId: 'a' }),
      'm',
      usage,
      9,
      'user',
      false,
      undefined,
      T0,
    );
    expect(record.usage).toBe(usage);
    expect(ledger.recent()[0]!.usage).toBe(usage);
  });
});

describe('reservationIdOf', () => {
  it('writes `r` and the decimal digits of any reservation number, in any order of calls', async () => {
    // A fresh module: the function caches the digits of the last thousand it saw.
    vi.resetModules();
    const fresh = await import('../../src/budget/usage-record.js');
    const seqs = [1, 9, 10, 999, 1000, 1001, 1999, 2000, 123_456, 5, 123_457, 999_999, 1_000_000];
    for (let i = 0; i < 3000; i += 7) seqs.push(i, 1_000_000 - i, 2 ** 53 - 1 - i);
    seqs.push(2.5, -3, 0, Number.MAX_SAFE_INTEGER);
    for (const seq of seqs) expect(fresh.reservationIdOf(seq)).toBe(`r${seq}`);
    for (const seq of seqs) expect(reservationIdOf(seq)).toBe(`r${seq}`);
  });
});
