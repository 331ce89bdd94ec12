import { createClient } from 'redis';
import { describe, expect, it, vi } from 'vitest';
import type { SignalEvent } from '../../../src/agents/signal.js';
import { isKernelError } from '../../../src/errors.js';
import { createRedisStore } from '../../../src/store/redis/redis-store.js';
import type { RedisClientLike } from '../../../src/store/redis/redis-connection.js';
import { hasRedis } from '../../helpers/redis-server.js';
import { useRedis, namespace, orgBudget, readRedis, redisKernel } from './redis-fixture.js';

const ORG_DAY = { scope: 'org', period: 'day', tokens: 10_000 } as const;

describe.skipIf(!hasRedis)('Redis store in one process', () => {
  const server = useRedis();

  it('sends every record to Redis once and gives every unused lease back on close', async () => {
    const ns = namespace();
    const { kernel } = await redisKernel(server().url, ns, { limits: [ORG_DAY] });
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    let spent = 0;
    for (let i = 0; i < 40; i++) {
      const r = agent.tryReserve({ inputTokens: 30, maxOutputTokens: 30 });
      if (!r.ok) {
        await agent.whenFunded();
        continue;
      }
      r.reservation.commit({ inputTokens: 30, outputTokens: 20 });
      spent += 50;
    }
    expect(spent).toBeGreaterThan(0);
    await kernel.close();
    const redis = await readRedis(server().url, ns);
    expect(redis.records).toHaveLength(spent / 50);
    expect(new Set(redis.records.map((r) => r.id)).size).toBe(spent / 50);
    expect(redis.tokens).toBe(spent);
    const org = orgBudget(redis.budgets);
    expect(org).toMatchObject({ lt: 10_000, ut: spent, tt: spent });
    expect(redis.budgets['pool']).toMatchObject({ lt: 1_000_000, ut: spent, tt: spent });
    expect(redis.leases).toEqual([]);
  });

  it("gives a limit's unused lease back when the last agent it applies to here is released", async () => {
    const ns = namespace();
    const { kernel } = await redisKernel(server().url, ns, {
      limits: [{ scope: 'user', period: 'day', tokens: 10_000 }],
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000, model: 'm', userId: 'alice' });
    await agent.whenRunnable();
    await agent.whenFunded();
    agent.reserve({ inputTokens: 100, maxOutputTokens: 100 }).commit({
      inputTokens: 100,
      outputTokens: 50,
    });
    const before = await readRedis(server().url, ns);
    const key = Object.keys(before.budgets).find((k) => k.startsWith('user:alice'));
    expect(before.budgets[key ?? '']?.['tt']).toBeGreaterThan(150);
    agent.release();
    await vi.waitFor(
      async () => {
        const after = await readRedis(server().url, ns);
        expect(after.budgets[key ?? '']).toMatchObject({ tt: 150, ut: 150 });
      },
      { timeout: 5_000 },
    );
    await kernel.close();
  });

  it('closes every connection it opened on kernel.close() (its own client and its subscriber)', async () => {
    const admin = createClient({ url: server().url });
    await admin.connect();
    const connected = async (): Promise<number> =>
      Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
    try {
      const before = await connected();
      const { kernel } = await redisKernel(server().url, namespace(), { limits: [ORG_DAY] });
      expect(await connected()).toBe(before + 2);
      await kernel.close();
      await vi.waitFor(async () => expect(await connected()).toBe(before));
    } finally {
      await admin.close();
    }
  });

  it('replenish grows the shared pool for every process', async () => {
    const ns = namespace();
    const a = await redisKernel(server().url, ns, { totalBudget: 10_000 });
    const b = await redisKernel(server().url, ns, { totalBudget: 10_000 });
    const first = a.kernel.spawn({ id: 'first', maxTokens: 8_000, model: 'm' });
    await first.whenRunnable();
    const second = b.kernel.spawn({ id: 'second', maxTokens: 8_000, model: 'm' });
    expect(second.state).toBe('waiting');
    a.kernel.replenish(10_000);
    await second.whenRunnable({ signal: AbortSignal.timeout(5_000) });
    expect(second.window.total).toBe(8_000);
    await Promise.all([a.kernel.close(), b.kernel.close()]);
    const redis = await readRedis(server().url, ns);
    expect(redis.budgets['pool']).toMatchObject({ lt: 20_000, tt: 0 });
  });

  it('refuses what no lease covers: a reserve larger than the whole limit holds nothing', async () => {
    const ns = namespace();
    const { kernel } = await redisKernel(server().url, ns, { limits: [ORG_DAY] });
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    const r = agent.tryReserve({ inputTokens: 10_001, maxOutputTokens: 0 });
    expect(r.ok).toBe(false);
    expect(agent.window.reserved).toBe(0);
    await kernel.close();
  });

  it('fans usage out over pub/sub: another process sees SIGWARN and SIGSTOP of a shared limit', async () => {
    const ns = namespace();
    const limits = [{ ...ORG_DAY, thresholds: [0.5] }];
    const a = await redisKernel(server().url, ns, { limits }, { lease: { minTokens: 100 } });
    const b = await redisKernel(server().url, ns, { limits }, { lease: { minTokens: 100 } });
    const watcher = b.kernel.spawn({ id: 'watcher', maxTokens: 1_000, model: 'm' });
    const seen: SignalEvent[] = [];
    watcher.on('SIGWARN', (e) => seen.push(e));
    watcher.on('SIGSTOP', (e) => seen.push(e));
    const spender = a.kernel.spawn({ id: 'spender', maxTokens: 20_000, model: 'm' });
    await spender.whenRunnable();
    // Records book the truth past any lease: 6,000 then 4,000 tokens cross 50 % and 100 %.
    spender.record({ inputTokens: 3_000, outputTokens: 3_000 });
    await vi.waitFor(() => expect(seen.map((e) => e.signal)).toEqual(['SIGWARN']), {
      timeout: 5_000,
    });
    spender.record({ inputTokens: 2_000, outputTokens: 2_000 });
    await vi.waitFor(() => expect(seen.map((e) => e.signal)).toEqual(['SIGWARN', 'SIGSTOP']), {
      timeout: 5_000,
    });
    expect(seen[1]?.limit).toMatchObject({ scope: 'org', used: 10_000, total: 10_000 });
    expect(watcher.state).toBe('stopped');
    await Promise.all([a.kernel.close(), b.kernel.close()]);
  });

  it('reclaims an expired reservation into the lease, and the lease into Redis on close', async () => {
    const ns = namespace();
    const { kernel } = await redisKernel(server().url, ns, {
      limits: [ORG_DAY],
      reservationTtlMs: 50,
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 9_000, model: 'm' });
    await agent.whenRunnable();
    await agent.whenFunded();
    const held = agent.window.free;
    const first = agent.reserve({ inputTokens: 100, maxOutputTokens: 100 });
    expect(agent.window.reserved).toBe(200);
    await vi.waitFor(() => expect(agent.window.reserved).toBe(0), { timeout: 5_000 });
    expect(agent.window.free).toBe(held);
    expect(() => first.commit({ inputTokens: 100, outputTokens: 10 })).not.toThrow();
    await kernel.close();
    const redis = await readRedis(server().url, ns);
    expect(orgBudget(redis.budgets)).toMatchObject({ ut: 110, tt: 110 });
    expect(redis.leases).toEqual([]);
  });

  it('applies a record once when Redis applied it but the reply was lost (idempotent ids)', async () => {
    const ns = namespace();
    const real = createClient({ url: server().url });
    await real.connect();
    let dropped = 0;
    const flaky: RedisClientLike = Object.assign(Object.create(real) as RedisClientLike, {
      async sendCommand(args: string[]) {
        const reply = await (real as unknown as RedisClientLike).sendCommand(args);
        // The first record batch reaches Redis, but its reply "never arrives".
        if (dropped === 0 && args.includes(`${ns}:records`)) {
          dropped++;
          throw new Error('connection reset');
        }
        return reply;
      },
    });
    const store = createRedisStore({ client: flaky, namespace: ns });
    const { createKernel } = await import('../../../src/kernel/kernel.js');
    const kernel = createKernel({
      totalBudget: 100_000,
      prices: { m: { input: 1, output: 2 } },
      store,
    });
    await kernel.ready;
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'm' });
    await agent.whenRunnable();
    for (let i = 0; i < 5; i++) agent.record({ inputTokens: 10, outputTokens: 10 });
    await store.shared.flush();
    expect(dropped).toBe(1);
    await kernel.close();
    const redis = await readRedis(server().url, ns);
    expect(redis.records).toHaveLength(5);
    expect(redis.budgets['pool']).toMatchObject({ ut: 100 });
    await real.close();
  });
});

describe('createRedisStore without a reachable Redis', () => {
  it('fails kernel.ready with STORE_UNAVAILABLE after connectTimeoutMs, and closes cleanly', async () => {
    const { createKernel } = await import('../../../src/kernel/kernel.js');
    const store = createRedisStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 200 });
    const kernel = createKernel({ totalBudget: 1_000, store });
    const errors: unknown[] = [];
    kernel.on('error', (e) => errors.push(e.error));
    await expect(kernel.ready).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('200 ms') as unknown,
    });
    expect(() => kernel.spawn({ id: 'a' })).toThrow(
      expect.objectContaining({ code: 'STORE_FAILED' }),
    );
    await kernel.close();
    expect(errors).toEqual([]);
  });
});

describe('createRedisStore options', () => {
  it.each([
    [{}, 'options.url or options.client'],
    [{ url: 'http://localhost' }, 'options.url'],
    [{ url: 'redis://x', client: {} }, 'options.url or options.client'],
    [{ url: 'redis://x', lease: { minTokens: 10, maxTokens: 5 } }, 'options.lease.minTokens'],
    [{ url: 'redis://x', lease: { maxShare: 2 } }, 'options.lease.maxShare'],
    [{ url: 'redis://x', failMode: 'sometimes' }, 'options.failMode'],
    [{ url: 'redis://x', failMode: { pool: 'ajar' } }, 'options.failMode.pool'],
    [{ url: 'redis://x', leaseTtlMs: 0 }, 'options.leaseTtlMs'],
    [{ url: 'redis://x', connectTimeoutMs: -5 }, 'options.connectTimeoutMs'],
    [{ url: 'redis://x', colour: 'red' }, 'options.colour'],
  ])('rejects %j naming %s', (options, field) => {
    try {
      createRedisStore(options);
      expect.unreachable();
    } catch (error) {
      expect(isKernelError(error) && error.code).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toContain(field);
    }
  });
});
