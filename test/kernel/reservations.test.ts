import { describe, expect, it } from 'vitest';
import { makeKernel } from '../helpers/kernel-fixture.js';

const M = 'test-small';

describe('reserve before, settle after', () => {
  it('holds tokens and money, and commit settles with the actual usage', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    const r = a.reserve({ inputTokens: 1_000, maxOutputTokens: 500 });
    expect(r.tokens).toBe(1_500);
    // The held money is an upper bound: one nano of slack covers per-class rounding.
    expect(r.costNano).toBe(1_000 * 1_000 + 500 * 4_000 + 1);
    expect(a.window).toMatchObject({ used: 0, reserved: 1_500, free: 8_500 });
    const rec = r.commit({ inputTokens: 900, outputTokens: 200 });
    expect(rec).toMatchObject({
      agentId: 'a',
      model: M,
      costNano: 900_000 + 800_000,
      reservationId: r.id,
      cached: false,
    });
    expect(a.window).toMatchObject({ used: 1_100, reserved: 0, free: 8_900 });
    expect(r.state).toBe('committed');
  });

  it('refuses a reservation over the window before the call and holds nothing', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    expect(() => a.reserve({ inputTokens: 800, maxOutputTokens: 300 })).toThrow(
      expect.objectContaining({
        code: 'BUDGET_EXCEEDED',
        details: expect.objectContaining({ limit: 'window', requested: 1_100, available: 1_000 }),
      }),
    );
    expect(a.window.reserved).toBe(0);
    const result = a.tryReserve({ inputTokens: 800, maxOutputTokens: 300 });
    expect(result).toEqual({
      ok: false,
      reason: {
        limit: 'window',
        scope: 'window',
        unit: 'tokens',
        requested: 1_100,
        available: 1_000,
      },
    });
  });

  it('cancel returns what was held; settling twice is RESERVATION_SETTLED', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    const r = a.reserve({ inputTokens: 100, maxOutputTokens: 100 });
    expect(r.cancel()).toBe(true);
    expect(a.window.reserved).toBe(0);
    expect(() => r.commit({ inputTokens: 1, outputTokens: 1 })).toThrow(
      expect.objectContaining({ code: 'RESERVATION_SETTLED' }),
    );
    const r2 = a.reserve({ inputTokens: 100, maxOutputTokens: 100 });
    r2.commit({ inputTokens: 10, outputTokens: 10 });
    expect(() => r2.commit({ inputTokens: 10, outputTokens: 10 })).toThrow(
      expect.objectContaining({ code: 'RESERVATION_SETTLED' }),
    );
    expect(() => r2.cancel()).toThrow(expect.objectContaining({ code: 'RESERVATION_SETTLED' }));
  });

  it('an expired reservation releases its hold, and a late commit still books the truth', () => {
    const { kernel, clock } = makeKernel({ reservationTtlMs: 1_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    const r = a.reserve({ inputTokens: 1_000, maxOutputTokens: 1_000 });
    clock.advance(999);
    expect(a.window.reserved).toBe(2_000);
    clock.advance(1);
    expect(r.state).toBe('expired');
    expect(a.window.reserved).toBe(0);
    expect(kernel.status().reservations).toBe(0);
    expect(r.cancel()).toBe(false);
    const rec = r.commit({ inputTokens: 1_000, outputTokens: 10 });
    expect(rec.reservationId).toBe(r.id);
    expect(a.window.used).toBe(1_010);
  });

  it('release cancels open reservations; their later commit is booked to the ledger', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 5_000, model: M });
    const r = a.reserve({ inputTokens: 1_000, maxOutputTokens: 0 });
    expect(a.release()).toBe(5_000);
    r.commit({ inputTokens: 700, outputTokens: 0 });
    expect(kernel.usage({ by: 'agent' })).toEqual([
      expect.objectContaining({ key: 'a', inputTokens: 700 }),
    ]);
    expect(kernel.status().pool.available).toBe(10_000);
  });

  it('rejects bad usage with INVALID_ARGUMENT and keeps the reservation open', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    const r = a.reserve({ inputTokens: 100, maxOutputTokens: 100 });
    for (const bad of [
      { inputTokens: -1, outputTokens: 0 },
      { inputTokens: 1.5, outputTokens: 0 },
      { inputTokens: 10, outputTokens: 0, cacheReadTokens: 11 },
      { inputTokens: 10, outputTokens: 1, reasoningTokens: 2 },
    ]) {
      expect(() => r.commit(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(r.state).toBe('open');
    expect(a.window.reserved).toBe(200);
  });

  it('enforces the lookup/reasoning split only when asked', () => {
    const { kernel } = makeKernel();
    const soft = kernel.spawn({ id: 'soft', maxTokens: 1_000, model: M });
    expect(soft.reserve({ inputTokens: 100, maxOutputTokens: 800 }).tokens).toBe(900);
    expect(soft.window.reasoning).toEqual({ total: 100, used: 0, reserved: 800 });
    const hard = kernel.spawn({ id: 'hard', maxTokens: 1_000, model: M, enforceSplit: true });
    expect(hard.tryReserve({ inputTokens: 100, maxOutputTokens: 800 })).toMatchObject({
      ok: false,
      reason: { limit: 'window.reasoning', available: 100 },
    });
    expect(hard.tryReserve({ inputTokens: 950, maxOutputTokens: 0 })).toMatchObject({
      ok: false,
      reason: { limit: 'window.lookup', available: 900 },
    });
  });

  it('headroom names the binding limit and the largest output a reservation would get', () => {
    const { kernel } = makeKernel({ limits: [{ scope: 'user', usd: 0.01 }] });
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M, userId: 'u' });
    // $0.01 = 10,000,000 nano; 1,000 input tokens hold 1,000,001 (with rounding slack), leaving
    // 8,999,999 for output at 4,000 per token: 2,249 tokens.
    expect(a.headroom({ inputTokens: 1_000 })).toEqual({
      maxOutputTokens: 2_249,
      limitedBy: 'user:u:lifetime',
    });
    expect(a.tryReserve({ inputTokens: 1_000, maxOutputTokens: 2_250 }).ok).toBe(false);
    expect(a.tryReserve({ inputTokens: 1_000, maxOutputTokens: 2_249 }).ok).toBe(true);
  });

  it('prices an unknown model as an error by default, naming the model', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    expect(() =>
      a.reserve({ model: 'no-such-model-xyz', inputTokens: 1, maxOutputTokens: 1 }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODEL' }));
    expect(() =>
      a.record({ inputTokens: 1, outputTokens: 1 }, { model: 'no-such-model-xyz' }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODEL' }));
    expect(kernel.records()).toEqual([]);
  });
});

describe('limits beyond the window', () => {
  it('checks every applicable limit at once, all-or-nothing', () => {
    const { kernel } = makeKernel({
      limits: [
        { scope: 'user', id: 'alice', period: 'day', tokens: 5_000 },
        { scope: 'task', period: 'lifetime', usd: 1 },
        { scope: 'org', period: 'month', tokens: 50_000 },
      ],
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 20_000, model: M, userId: 'alice', task: 't1' });
    const b = kernel.spawn({ id: 'b', maxTokens: 20_000, model: M, userId: 'alice', task: 't2' });
    a.reserve({ inputTokens: 3_000, maxOutputTokens: 0 });
    const refused = b.tryReserve({ inputTokens: 2_500, maxOutputTokens: 0 });
    expect(refused).toMatchObject({
      ok: false,
      reason: { limit: 'user:alice:day', requested: 2_500, available: 2_000 },
    });
    const limits = kernel.status().limits;
    expect(limits.find((l) => l.name === 'org:month')).toMatchObject({ reserved: 3_000 });
    expect(limits.find((l) => l.name === 'task:t2:lifetime')).toMatchObject({ reserved: 0 });
  });

  it('model limits refuse calls on that model only', () => {
    const { kernel } = makeKernel({
      limits: [{ scope: 'model', id: 'test-large', tokens: 1_000 }],
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 20_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 }, { model: 'test-large' });
    expect(a.tryReserve({ model: 'test-large', inputTokens: 1, maxOutputTokens: 0 })).toMatchObject(
      { ok: false, reason: { limit: 'model:test-large:lifetime' } },
    );
    expect(a.tryReserve({ inputTokens: 1, maxOutputTokens: 0 }).ok).toBe(true);
    expect(a.state).toBe('warned');
  });

  it('per-call caps refuse a single oversized call', () => {
    const { kernel } = makeKernel({ limits: [{ scope: 'call', tokens: 4_000, name: 'max-call' }] });
    const a = kernel.spawn({ id: 'a', maxTokens: 20_000, model: M });
    expect(a.tryReserve({ inputTokens: 3_000, maxOutputTokens: 1_001 })).toMatchObject({
      ok: false,
      reason: { limit: 'max-call', scope: 'call' },
    });
    expect(a.tryReserve({ inputTokens: 3_000, maxOutputTokens: 1_000 }).ok).toBe(true);
  });

  it('soft limits warn but never refuse or stop', () => {
    const { kernel, signals } = makeKernel({
      limits: [{ scope: 'agent', tokens: 1_000, hard: false, thresholds: [0.5] }],
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 20_000, model: M });
    a.record({ inputTokens: 2_000, outputTokens: 0 });
    expect(a.state).toBe('warned');
    expect(a.tryReserve({ inputTokens: 5_000, maxOutputTokens: 0 }).ok).toBe(true);
    expect(signals.map((s) => s.signal)).toEqual(['SIGWARN']);
  });

  it('tiers apply limit templates to users by tier', () => {
    const { kernel } = makeKernel({
      tiers: {
        free: [{ scope: 'user', period: 'day', tokens: 1_000 }],
        pro: [{ scope: 'user', period: 'day', tokens: 10_000 }],
      },
      userTiers: { bob: 'pro' },
      defaultTier: 'free',
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 50_000, model: M, userId: 'ann' });
    const b = kernel.spawn({ id: 'b', maxTokens: 50_000, model: M, userId: 'bob' });
    expect(a.tryReserve({ inputTokens: 2_000, maxOutputTokens: 0 })).toMatchObject({
      ok: false,
      reason: { limit: 'free:user:ann:day' },
    });
    expect(b.tryReserve({ inputTokens: 2_000, maxOutputTokens: 0 }).ok).toBe(true);
  });

  it('a per-id limit cannot be escaped by releasing and re-spawning the agent', () => {
    const { kernel } = makeKernel({ limits: [{ scope: 'agent', id: 'runaway', tokens: 1_000 }] });
    const a = kernel.spawn({ id: 'runaway', maxTokens: 10_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(a.state).toBe('stopped');
    a.release();
    const again = kernel.spawn({ id: 'runaway', maxTokens: 10_000, model: M });
    expect(again.state).toBe('stopped');
    expect(again.stopCauses).toEqual(['agent:runaway:lifetime']);
  });

  it('period limits roll over on read and a timer resumes the agents they stopped', () => {
    const { kernel, clock, signals } = makeKernel({
      limits: [{ scope: 'user', period: 'hour', tokens: 1_000 }],
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 50_000, model: M, userId: 'u' });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(a.state).toBe('stopped');
    const resumeAt = kernel.status().limits[0]?.resetsAt as number;
    clock.set(resumeAt - 1);
    expect(a.state).toBe('stopped');
    clock.set(resumeAt);
    expect(a.state).toBe('active');
    expect(signals.map((s) => s.signal)).toEqual(['SIGWARN', 'SIGSTOP', 'SIGRESUME']);
    expect(kernel.status().limits[0]).toMatchObject({ used: 0, utilization: 0 });
    expect(a.tryReserve({ inputTokens: 1_000, maxOutputTokens: 0 }).ok).toBe(true);
  });

  it('rejects malformed limit specs naming the field', () => {
    const bad: unknown[] = [
      { scope: 'user' },
      { scope: 'galaxy', tokens: 1 },
      { scope: 'org', id: 'x', tokens: 1 },
      { scope: 'user', tokens: -5 },
      { scope: 'user', usd: Number.NaN },
      { scope: 'user', tokens: 1, period: 'fortnight' },
      { scope: 'user', tokens: 1, thresholds: [0.9, 0.5] },
      { scope: 'call', tokens: 1, period: 'day' },
    ];
    for (const spec of bad) {
      expect(() => makeKernel({ limits: [spec as never] })).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining('limits[0]'),
        }),
      );
    }
  });
});
