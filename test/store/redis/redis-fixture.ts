import { createClient } from 'redis';
import { createKernel, type Kernel } from '../../../src/kernel/kernel.js';
import type { KernelOptions } from '../../../src/kernel/kernel-options.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis/redis-store.js';
import type { RedisStoreOptions } from '../../../src/store/redis/redis-store-options.js';
import { afterAll, beforeAll } from 'vitest';
import { hasRedis, startRedis, type RedisServer } from '../../helpers/redis-server.js';

if (!hasRedis)
  console.warn(
    'redis-server is not installed: the Redis store tests are SKIPPED (bash .ci/run installs it)',
  );

/** A redis-server of the test file's own, started before its tests and stopped after them. */
export function useRedis(): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('redis-server is not started');
    return server;
  };
}

export const PRICES = { m: { input: 1, output: 2 } };

let namespaces = 0;
/** A namespace of its own per test, so tests on one server never share budgets. */
export function namespace(): string {
  return `t${process.pid}-${++namespaces}`;
}

/** A kernel on a Redis store, ready. */
export async function redisKernel(
  url: string,
  ns: string,
  options: Partial<KernelOptions> = {},
  storeOptions: Partial<RedisStoreOptions> = {},
): Promise<{ kernel: Kernel; store: RedisStore; warnings: string[] }> {
  const store = createRedisStore({ url, namespace: ns, ...storeOptions });
  const kernel = createKernel({ totalBudget: 1_000_000, prices: PRICES, ...options, store });
  const warnings: string[] = [];
  kernel.on('warning', (w) => warnings.push(w.message));
  await kernel.ready;
  return { kernel, store, warnings };
}

/** Reads a namespace's budgets, leases and records straight from Redis. */
export async function readRedis(url: string, ns: string) {
  const c = createClient({ url });
  await c.connect();
  try {
    const budgets: Record<string, Record<string, number>> = {};
    for (const key of await c.keys(`${ns}:b:*`)) {
      const h = await c.hGetAll(key);
      budgets[key.slice(`${ns}:b:`.length)] = Object.fromEntries(
        Object.entries(h).map(([k, v]) => [k, Number(v)]),
      );
    }
    const records = (await c.hVals(`${ns}:records`)).map(
      (r) => JSON.parse(r) as { id: string; usage: { inputTokens: number; outputTokens: number } },
    );
    const leases = await c.keys(`${ns}:l:*`);
    const tokens = records.reduce((a, r) => a + r.usage.inputTokens + r.usage.outputTokens, 0);
    return { budgets, records, leases, tokens };
  } finally {
    await c.close();
  }
}

/** The budget of the org/day limit (one per period) and of the pool. */
export function orgBudget(budgets: Record<string, Record<string, number>>) {
  const key = Object.keys(budgets).find((k) => k.startsWith('org:'));
  return key === undefined ? undefined : budgets[key];
}
