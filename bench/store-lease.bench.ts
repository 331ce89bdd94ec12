/**
 * The Redis store's lease-size trade-off: four kernels (four "processes", one busy and three
 * trickling) on one Redis and one set of daily limits, with small fixed leases (the naive
 * baseline for budget safety), large fixed leases (the naive baseline for speed) and the adaptive
 * default: the busy process's throughput, lease round trips, and budget stranded in unused leases
 * when the run ends. (Redis records/s and pairs/s against the other stores: bench/store.bench.ts.)
 * Needs redis-server (scripts/install-redis.sh); says so and exits 0 without it.
 * Run: npx tsx bench/store-lease.bench.ts
 */
import type { GovernedAgent } from '../src/agents/governed-agent.js';
import { createKernel, type Kernel } from '../src/kernel/kernel.js';
import { createRedisStore, type RedisStore } from '../src/store/redis/redis-store.js';
import type { RedisStoreOptions } from '../src/store/redis/redis-store-options.js';
import type { Usage } from '../src/usage.js';
import { hasRedis, startRedis } from '../test/helpers/redis-server.js';
import { rate } from './bench-util.js';

const AGENTS = 16;
const BUDGET_MS = 1_000;
const USAGE: Usage = { inputTokens: 120, outputTokens: 60 };
const LIMITS = [
  { scope: 'user', period: 'day', tokens: 1e13 },
  { scope: 'org', period: 'day', usd: 5e6 },
] as const;

if (!hasRedis) {
  console.log('redis-server is not installed (scripts/install-redis.sh): Redis benchmark skipped');
  process.exit(0);
}
const server = await startRedis();
let namespaces = 0;

async function kernelWith(
  store: RedisStore | undefined,
): Promise<{ kernel: Kernel; agents: GovernedAgent[] }> {
  const kernel = createKernel({
    totalBudget: 1e13,
    prices: { m: { input: 1, output: 4 } },
    limits: [...LIMITS],
    reservationTtlMs: 3_600_000,
    ...(store !== undefined && { store }),
  });
  await kernel.ready;
  const agents = Array.from({ length: AGENTS }, (_, i) =>
    kernel.spawn({ id: `a${i}`, maxTokens: 1e10, model: 'm', userId: `u${i % 4}` }),
  );
  await Promise.all(agents.map((a) => a.whenRunnable()));
  await Promise.all(agents.map((a) => a.whenFunded()));
  return { kernel, agents };
}

/**
 * Operations per second over `ms`, yielding to the event loop every 256 operations (so leases
 * refill and records flush) and waiting for a refill when a lease runs short; the clock stops
 * only when the store has applied every record.
 */
async function timed(
  agents: GovernedAgent[],
  pair: boolean,
  ms: number,
  flush: () => Promise<unknown>,
  pace = 0,
): Promise<{ ops: number; perSecond: number }> {
  const start = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  let done = 0;
  while (elapsed() < ms) {
    for (let k = 0; k < 256; k++) {
      const agent = agents[(done + k) % agents.length] as GovernedAgent;
      if (!pair) agent.record(USAGE);
      else {
        const r = agent.tryReserve({ inputTokens: 120, maxOutputTokens: 80 });
        if (!r.ok) {
          await agent.whenFunded();
          continue;
        }
        r.reservation.commit(USAGE);
      }
      done++;
      if (pace > 0) break;
    }
    await new Promise((resolve) => (pace > 0 ? setTimeout(resolve, pace) : setImmediate(resolve)));
  }
  await flush();
  return { ops: done, perSecond: (done * 1000) / elapsed() };
}

/** A client that counts the lease round trips (every script call but record batches). */
async function counted(ns: string): Promise<{
  options: Partial<RedisStoreOptions>;
  trips: () => number;
  close: () => Promise<void>;
}> {
  const { createClient } = await import('redis');
  const client = createClient({ url: server.url });
  await client.connect();
  let trips = 0;
  const wrapped = Object.assign(Object.create(client) as object, {
    sendCommand(args: string[]) {
      if (!args.includes(`${ns}:records`)) trips++;
      return client.sendCommand(args);
    },
  });
  return { options: { client: wrapped as never }, trips: () => trips, close: () => client.close() };
}

async function tradeOff(): Promise<void> {
  console.log('\nlease size: 4 kernels on one Redis (one busy, three at one call per 2 ms), 1 s');
  console.log(
    `${'lease'.padEnd(26)} ${'busy pairs/s'.padStart(13)} ${'lease trips'.padStart(12)} ${'stranded'.padStart(10)} ${'of spent'.padStart(9)}`,
  );
  const sizes: Array<[string, RedisStoreOptions['lease']]> = [
    ['fixed 1,000 tokens', { minTokens: 1_000, maxTokens: 1_000 }],
    ['fixed 1,000,000 tokens', { minTokens: 1_000_000, maxTokens: 1_000_000 }],
    ['adaptive (default)', {}],
  ];
  for (const [label, lease] of sizes) {
    const ns = `lease${++namespaces}`;
    const count = await counted(ns);
    const stores = [0, 1, 2, 3].map(() =>
      createRedisStore({
        ...count.options,
        namespace: ns,
        lease: { ...lease, minUsd: 0.001, maxUsd: 1_000 },
      }),
    );
    const kernels = await Promise.all(stores.map((store) => kernelWith(store)));
    const runs = kernels.map(({ agents }, i) =>
      timed(agents, true, BUDGET_MS, () => Promise.resolve(), i === 0 ? 0 : 2),
    );
    const [busy, ...light] = await Promise.all(runs);
    // Budget held in leases nobody is using once every record is applied (the user/day limits).
    await Promise.all(stores.map((store) => store.shared.flush()));
    const { createClient } = await import('redis');
    const c = createClient({ url: server.url });
    await c.connect();
    let stranded = 0;
    let spent = 0;
    for (const key of await c.keys(`${ns}:b:user:*`)) {
      const h = await c.hGetAll(key);
      stranded += Number(h['tt']) - Number(h['ut']);
      spent += Number(h['ut']);
    }
    await c.close();
    console.log(
      `${label.padEnd(26)} ${rate(busy?.perSecond ?? 0).padStart(13)} ${String(count.trips()).padStart(12)} ${stranded.toLocaleString('en-US').padStart(10)} ${`${((100 * stranded) / spent).toFixed(1)} %`.padStart(9)}   (light: ${light.map((l) => rate(l.perSecond)).join(', ')})`,
    );
    await Promise.all(kernels.map(({ kernel }) => kernel.close()));
    await count.close();
  }
}

await tradeOff();
await server.stop();
