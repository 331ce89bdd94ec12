import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/budget/ledger.js';
import { FakeClock } from '../helpers/fake-clock.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 10, 0);
const usage = { inputTokens: 10, outputTokens: 5 };

function calls(ledger: Ledger, by: 'agent' | 'model', period: 'hour' | 'day', at: number) {
  return Object.fromEntries(ledger.usage({ by, period, at }).map((r) => [r.key, r.calls]));
}

describe('Ledger.add on its fast path', () => {
  it('books two handles of one cell into the right hours as the hours change under either', () => {
    const ledger = new Ledger({ clock: new FakeClock(T0) });
    const first = ledger.attribution({ agentId: 'a', userId: 'u' });
    const second = ledger.attribution({ agentId: 'a', userId: 'u' });
    const book = (who: typeof first, at: number) =>
      ledger.add(who, 'm', usage, 7, 'user', false, undefined, at);
    book(first, T0 + 59 * 60_000);
    book(second, T0 + H + 60_000);
    book(first, T0 + H + 120_000);
    book(first, T0 + 2 * H);
    book(second, T0 + 2 * H + 1);
    expect(calls(ledger, 'agent', 'hour', T0)).toEqual({ a: 1 });
    expect(calls(ledger, 'agent', 'hour', T0 + H)).toEqual({ a: 2 });
    expect(calls(ledger, 'agent', 'hour', T0 + 2 * H)).toEqual({ a: 2 });
    expect(calls(ledger, 'agent', 'day', T0)).toEqual({ a: 5 });
    expect(ledger.snapshot().cells).toHaveLength(5);
  });

  it('books a handle that switches models back and forth, across hours, into each model', () => {
    const ledger = new Ledger({ clock: new FakeClock(T0) });
    const who = ledger.attribution({ agentId: 'a' });
    const models = ['m1', 'm2', 'm1', 'm1', 'm2', 'm1'];
    models.forEach((model, i) => {
      ledger.add(who, model, usage, 3, 'user', false, undefined, T0 + i * 40 * 60_000);
    });
    // At 10:00, 10:40, 11:20, 12:00, 12:40 and 13:20.
    expect(calls(ledger, 'model', 'hour', T0)).toEqual({ m1: 1, m2: 1 });
    expect(calls(ledger, 'model', 'hour', T0 + H)).toEqual({ m1: 1 });
    expect(calls(ledger, 'model', 'hour', T0 + 2 * H)).toEqual({ m1: 1, m2: 1 });
    expect(calls(ledger, 'model', 'hour', T0 + 3 * H)).toEqual({ m1: 1 });
    expect(calls(ledger, 'model', 'day', T0)).toEqual({ m1: 4, m2: 2 });
    expect(ledger.recent().map((r) => r.model)).toEqual(models);
  });

  it('keeps each record’s own price source and model while they change between records', () => {
    const ledger = new Ledger({ clock: new FakeClock(T0) });
    const who = ledger.attribution({ agentId: 'a' });
    const steps = [
      ['m1', 'genai-prices@1'],
      ['m1', 'user'],
      ['m2', 'user'],
      ['m2', 'genai-prices@1'],
      ['m1', 'genai-prices@1'],
    ] as const;
    const added = steps.map(([model, source]) =>
      ledger.add(who, model, usage, 1, source, false, undefined, T0),
    );
    expect(ledger.recent()).toStrictEqual(added);
    expect(ledger.recent().map((r) => [r.model, r.priceSource])).toEqual(steps);
  });

  it('moves the burn-rate minute with the records, also right after a restore', () => {
    const clock = new FakeClock(T0);
    const ledger = new Ledger({ clock });
    const who = ledger.attribution({ agentId: 'a' });
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      ledger.add(who, 'm', usage, 100, 'user', false, undefined, clock.now());
    }
    const restored = Ledger.restore(JSON.parse(JSON.stringify(ledger.snapshot())), { clock });
    const again = restored.attribution({ agentId: 'a' });
    for (const l of [ledger, restored]) {
      const h = l === ledger ? who : again;
      l.add(h, 'm', usage, 100, 'user', false, undefined, clock.now());
      l.add(h, 'm', usage, 100, 'user', false, undefined, clock.now() + 60_000);
    }
    clock.advance(60_000);
    expect(restored.burnRate(3 * 60_000)).toStrictEqual(ledger.burnRate(3 * 60_000));
    expect(restored.snapshot().burn).toStrictEqual(ledger.snapshot().burn);
    // 7 calls over the 3.5 minutes since the ledger started.
    expect(ledger.burnRate(10 * 60_000).callsPerMinute).toBe(2);
  });
});
