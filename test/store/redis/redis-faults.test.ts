import { describe, expect, it, vi } from 'vitest';
import type { GovernedAgent } from '../../../src/agents/governed-agent.js';
import { isKernelError } from '../../../src/errors.js';
import { hasRedis } from '../../helpers/redis-server.js';
import { useRedis, namespace, orgBudget, readRedis, redisKernel } from './redis-fixture.js';

const LIMITS = [{ scope: 'org', period: 'day', tokens: 100_000 }] as const;
const SMALL_LEASES = { lease: { minTokens: 200, maxTokens: 400 } };

/** Reserves and commits 100-token calls until one is refused; returns the tokens spent and the error. */
async function spendUntilRefused(agent: GovernedAgent, tries = 50) {
  let spent = 0;
  for (let i = 0; i < tries; i++) {
    try {
      agent.reserve({ inputTokens: 50, maxOutputTokens: 50 }).commit({
        inputTokens: 50,
        outputTokens: 50,
      });
      spent += 100;
    } catch (error) {
      return { spent, error };
    }
    await Promise.resolve();
  }
  return { spent, error: undefined };
}

/** Spends `calls` 100-token calls, waiting for a refill whenever the lease in hand is short. */
async function spendWithRefills(agent: GovernedAgent, calls: number): Promise<number> {
  let spent = 0;
  while (spent < calls * 100) {
    const r = agent.tryReserve({ inputTokens: 50, maxOutputTokens: 50 });
    if (!r.ok) {
      await agent.whenFunded();
      continue;
    }
    r.reservation.commit({ inputTokens: 50, outputTokens: 50 });
    spent += 100;
  }
  return spent;
}

describe.skipIf(!hasRedis)('Redis store while Redis is unreachable', () => {
  const server = useRedis();

  it('fails closed by default: the lease in hand is spent, then STORE_UNAVAILABLE; back when Redis is', async () => {
    const ns = namespace();
    const { kernel, store } = await redisKernel(server().url, ns, { limits: LIMITS }, SMALL_LEASES);
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    await server().kill();
    await vi.waitFor(() => expect(store.shared.available).toBe(false), { timeout: 5_000 });
    const down = await spendUntilRefused(agent);
    expect(isKernelError(down.error) && down.error.code).toBe('STORE_UNAVAILABLE');
    expect((down.error as Error).message).toContain('fails closed');
    // Only the leases taken before the outage were spent (the lease size is at most 400).
    expect(down.spent).toBeLessThanOrEqual(800);
    await server().start();
    await vi.waitFor(() => expect(store.shared.available).toBe(true), { timeout: 10_000 });
    await agent.whenFunded();
    const up = await spendWithRefills(agent, 20);
    await kernel.close();
    const redis = await readRedis(server().url, ns);
    expect(redis.tokens).toBe(down.spent + up);
    expect(orgBudget(redis.budgets)).toMatchObject({ ut: redis.tokens, tt: redis.tokens });
  }, 30_000);

  it('fails open when asked: one more lease is allowed locally, with a warning, and booked later', async () => {
    const ns = namespace();
    const { kernel, store, warnings } = await redisKernel(
      server().url,
      ns,
      { limits: LIMITS },
      { ...SMALL_LEASES, failMode: { 'org:day': 'open', '*': 'closed' } },
    );
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    await server().kill();
    await vi.waitFor(() => expect(store.shared.available).toBe(false), { timeout: 5_000 });
    const first = await spendUntilRefused(agent);
    await agent.whenFunded();
    const second = await spendUntilRefused(agent);
    expect(second.spent).toBeGreaterThan(0);
    expect(warnings.some((w) => w.includes('`org:day` fails open'))).toBe(true);
    await server().start();
    await vi.waitFor(() => expect(store.shared.available).toBe(true), { timeout: 10_000 });
    await kernel.close();
    const redis = await readRedis(server().url, ns);
    expect(redis.tokens).toBe(first.spent + second.spent);
  }, 30_000);

  it('closes within closeTimeoutMs while Redis is down, saying how many records never got through', async () => {
    const ns = namespace();
    const { kernel, store } = await redisKernel(
      server().url,
      ns,
      { limits: LIMITS },
      { ...SMALL_LEASES, closeTimeoutMs: 300 },
    );
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    await server().kill();
    await vi.waitFor(() => expect(store.shared.available).toBe(false), { timeout: 5_000 });
    agent.record({ inputTokens: 10, outputTokens: 10 });
    agent.record({ inputTokens: 10, outputTokens: 10 });
    const closing = kernel.close();
    await expect(closing).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      details: { unsent: 2 },
    });
    await server().start();
    const redis = await readRedis(server().url, ns);
    // Not given back: the unsent usage would have come back as unused. They expire instead.
    expect(redis.leases.length).toBeGreaterThan(0);
  }, 30_000);
});
