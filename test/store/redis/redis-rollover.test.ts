import { describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../../src/agents/signal.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { hasRedis } from '../../helpers/redis-server.js';
import { namespace, readRedis, redisKernel, useRedis } from './redis-fixture.js';

const HOUR = 3_600_000;
const ORG_HOUR = { scope: 'org', period: 'hour', tokens: 1_000 } as const;

/**
 * A shared limit's budget in Redis is one per period: when the kernel's counter rolls into a new
 * period, its share moves to the new period's budget (and leases), and the old period's usage
 * stays where it was.
 */
describe.skipIf(!hasRedis)('Redis store across a period rollover', () => {
  const server = useRedis();

  it('stops on the shared hourly limit, resumes in the next hour and spends from a new budget', async () => {
    const ns = namespace();
    // A minute before the next hour of real time: Redis expires a period's budget some time after
    // the period ends, by its own clock.
    const clock = new FakeClock(Math.ceil(Date.now() / HOUR) * HOUR - 60_000);
    const { kernel } = await redisKernel(server().url, ns, { limits: [ORG_HOUR], clock });
    const signals: SignalEvent[] = [];
    kernel.on('signal', (e) => signals.push(e));
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000, model: 'm' });
    await agent.whenRunnable();

    // Spend the hour's limit in calls of 100 tokens, waiting for leases as they run out.
    let spent = 0;
    for (let tries = 0; spent < ORG_HOUR.tokens && tries < 100; tries++) {
      await agent.whenFunded();
      const r = agent.tryReserve({ inputTokens: 60, maxOutputTokens: 40 });
      if (!r.ok) continue;
      r.reservation.commit({ inputTokens: 60, outputTokens: 40 });
      spent += 100;
    }
    expect(agent.state).toBe('stopped');
    expect(signals.map((s) => s.signal)).toContain('SIGSTOP');
    expect(() => agent.tryReserve({ inputTokens: 1, maxOutputTokens: 1 })).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_RUNNABLE' }),
    );

    // The next hour: the period timer rolls the counter and resumes the agent.
    clock.advance(HOUR);
    await agent.whenRunnable();
    expect(signals.at(-1)?.signal).toBe('SIGRESUME');
    await agent.whenFunded();
    for (let i = 0; i < 5; i++) {
      await agent.whenFunded();
      agent.reserve({ inputTokens: 60, maxOutputTokens: 40 }).commit({
        inputTokens: 60,
        outputTokens: 40,
      });
    }
    await kernel.close();

    const redis = await readRedis(server().url, ns);
    const hours = Object.entries(redis.budgets)
      .filter(([key]) => key.startsWith('org:'))
      .sort(([a], [b]) => a.localeCompare(b));
    expect(hours).toHaveLength(2);
    const [first, second] = hours.map(([, b]) => b);
    expect(first).toMatchObject({ lt: 1_000, ut: 1_000, tt: 1_000 });
    expect(second).toMatchObject({ lt: 1_000, ut: 500, tt: 500 });
    expect(redis.tokens).toBe(1_500);
    expect(redis.leases).toEqual([]);
  });
});
