/**
 * What durability costs on the accounting hot path: records/s and reserve+commit pairs/s with no
 * store (the in-memory default, the baseline), with createMemoryStore, with the journal store in
 * each fsync mode and with the Redis store (leases, records sent in pipelined batches), as ratios
 * to no store, in one run; then how fast a journal replays on start. The Redis row yields to the
 * event loop every 256 operations (leases refill, batches go out) and its clock stops only when
 * Redis has applied every record; it is skipped, saying so, without redis-server.
 * Each configuration runs for a fixed time budget (fsync: 'always' is thousands of times slower
 * than the rest, so fixed counts would not fit), best of 2 rounds.
 * Run: npx tsx bench/store.bench.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GovernedAgent } from '../src/agents/governed-agent.js';
import { createKernel, type Kernel } from '../src/kernel/kernel.js';
import { createJournalStore } from '../src/store/journal-store.js';
import type { LedgerStore } from '../src/store/ledger-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { createRedisStore } from '../src/store/redis/redis-store.js';
import type { Usage } from '../src/usage.js';
import { hasRedis, startRedis } from '../test/helpers/redis-server.js';
import { rate } from './bench-util.js';

const AGENTS = 100;
const BUDGET_MS = 700;
const USAGES: Usage[] = Array.from({ length: 64 }, (_, i) => ({
  inputTokens: 100 + i,
  outputTokens: 50 + (i & 15),
}));
const dir = mkdtempSync(join(tmpdir(), 'tk-store-bench-'));

interface Config {
  readonly name: string;
  readonly store: (file: string) => LedgerStore | undefined;
  /** Records before timing (JIT, first file blocks); few where each one waits for the disk. */
  readonly warmup: number;
  /** Timed with yields to the event loop (a store that works asynchronously). */
  readonly yields?: boolean;
}

const redis = hasRedis ? await startRedis() : undefined;
let namespaces = 0;

const CONFIGS: Config[] = [
  { name: 'no store (baseline)', store: () => undefined, warmup: 20_000 },
  { name: 'createMemoryStore', store: () => createMemoryStore(), warmup: 20_000 },
  {
    name: "journal fsync 'never'",
    store: (file) => createJournalStore({ path: file, fsync: 'never' }),
    warmup: 20_000,
  },
  {
    name: "journal fsync 'interval' (100 ms)",
    store: (file) => createJournalStore({ path: file, fsync: 'interval' }),
    warmup: 20_000,
  },
  {
    name: "journal fsync 'always'",
    store: (file) => createJournalStore({ path: file, fsync: 'always' }),
    warmup: 20,
  },
  ...(redis === undefined
    ? []
    : [
        {
          name: 'Redis, pipelined',
          store: () => createRedisStore({ url: redis.url, namespace: `bench${++namespaces}` }),
          warmup: 2_000,
          yields: true,
        },
      ]),
];
if (redis === undefined)
  console.log('redis-server is not installed (scripts/install-redis.sh): the Redis row is skipped');

async function makeKernel(
  store: LedgerStore | undefined,
  compactEvery = 100_000,
): Promise<{ kernel: Kernel; agents: GovernedAgent[] }> {
  const kernel = createKernel({
    totalBudget: Number.MAX_SAFE_INTEGER - 1,
    prices: { 'test-small': { input: 1, output: 4 } },
    limits: [
      { scope: 'user', period: 'day', tokens: 1e15 },
      { scope: 'org', period: 'day', usd: 5e6 },
    ],
    reservationTtlMs: 3_600_000,
    compactEvery,
    ...(store !== undefined && { store }),
  });
  await kernel.ready;
  const agents = Array.from({ length: AGENTS }, (_, i) =>
    kernel.spawn({
      id: `a${i}`,
      maxTokens: 1e12,
      model: 'test-small',
      userId: `u${i % 10}`,
      task: `t${i % 20}`,
    }),
  );
  return { kernel, agents };
}

/** Operations per second of `op` over about `BUDGET_MS`, in growing batches to keep timer reads rare. */
function timed(op: (i: number) => void): number {
  let done = 0;
  let batch = 1;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < BUDGET_MS) {
    for (let k = 0; k < batch; k++) op(done + k);
    done += batch;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (elapsedMs < BUDGET_MS / 20) batch *= 2;
  }
  return (done * 1000) / elapsedMs;
}

type Measure = 'record' | 'pair';

/** {@link timed} for an asynchronous store: yields every 256 operations, waits for refills. */
async function yielding(agents: GovernedAgent[], what: Measure, kernel: Kernel): Promise<number> {
  const start = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  let done = 0;
  while (elapsed() < BUDGET_MS) {
    for (let k = 0; k < 256; k++) {
      const agent = agents[done % AGENTS] as GovernedAgent;
      if (what === 'record') agent.record(USAGES[done & 63] as Usage);
      else {
        const r = agent.tryReserve({ inputTokens: 120, maxOutputTokens: 80 });
        if (!r.ok) {
          await agent.whenFunded();
          continue;
        }
        r.reservation.commit(USAGES[done & 63] as Usage);
      }
      done++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await kernel.close(); // flushes every record to the store before the clock stops
  return (done * 1000) / elapsed();
}

async function measure(config: Config, what: Measure, round: number): Promise<number> {
  const file = join(dir, `${what}-${round}-${config.name.replace(/\W+/g, '_')}.journal`);
  const { kernel, agents } = await makeKernel(config.store(file));
  const agent = (i: number): GovernedAgent => agents[i % AGENTS] as GovernedAgent;
  // Warm-up: JIT and the first file blocks.
  for (let i = 0; i < 2_000 && !file.includes('always'); i++)
    agent(i).record(USAGES[i & 63] as Usage);
  if (config.yields === true) {
    // Windows come out of the shared pool's lease, limits out of theirs: wait for both.
    await Promise.all(agents.map((a) => a.whenRunnable()));
    await Promise.all(agents.map((a) => a.whenFunded()));
  }
  const ops =
    config.yields === true
      ? await yielding(agents, what, kernel)
      : what === 'record'
        ? timed((i) => void agent(i).record(USAGES[i & 63] as Usage))
        : timed((i) => {
            const r = agent(i).reserve({ inputTokens: 120, maxOutputTokens: 80 });
            r.commit(USAGES[i & 63] as Usage);
          });
  await kernel.close();
  rmSync(file, { force: true });
  return ops;
}

console.log(
  `store benchmark: ${AGENTS} agents, ${BUDGET_MS} ms per measurement, best of 2, journal in ${tmpdir()}`,
);
console.log(
  `${'configuration'.padEnd(36)} ${'records/s'.padStart(12)} ${'ratio'.padStart(8)} ${'pairs/s'.padStart(12)} ${'ratio'.padStart(8)}`,
);
const results = new Map<string, { record: number; pair: number }>();
for (const config of CONFIGS) {
  const best = { record: 0, pair: 0 };
  for (let round = 0; round < 2; round++) {
    best.record = Math.max(best.record, await measure(config, 'record', round));
    best.pair = Math.max(best.pair, await measure(config, 'pair', round));
  }
  results.set(config.name, best);
  const base = results.get('no store (baseline)') as { record: number; pair: number };
  console.log(
    `${config.name.padEnd(36)} ${rate(best.record).padStart(12)} ${`${(best.record / base.record).toFixed(4)}×`.padStart(8)} ${rate(best.pair).padStart(12)} ${`${(best.pair / base.pair).toFixed(4)}×`.padStart(8)}`,
  );
}

// Start-up: a full replay of N records (compaction off: the baseline) vs a compacted journal
// (a snapshot, then the entries after it), each to a kernel's `ready`.
async function readyMs(file: string): Promise<number> {
  const start = process.hrtime.bigint();
  const restarted = createKernel({
    totalBudget: Number.MAX_SAFE_INTEGER - 1,
    prices: { 'test-small': { input: 1, output: 4 } },
    limits: [
      { scope: 'user', period: 'day', tokens: 1e15 },
      { scope: 'org', period: 'day', usd: 5e6 },
    ],
    store: createJournalStore({ path: file }),
  });
  await restarted.ready;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await restarted.close();
  return ms;
}

{
  const n = 100_000;
  const entries = n + AGENTS;
  const full = join(dir, 'replay.journal');
  const compacted = join(dir, 'compacted.journal');
  for (const [file, every] of [
    [full, Number.MAX_SAFE_INTEGER],
    [compacted, 10_000],
  ] as const) {
    const { kernel, agents } = await makeKernel(
      createJournalStore({ path: file, fsync: 'never' }),
      every,
    );
    for (let i = 0; i < n; i++) {
      (agents[i % AGENTS] as GovernedAgent).record(USAGES[i & 63] as Usage);
      // Compaction runs once the operation that crossed the threshold is done.
      if (i % 1_000 === 0) await new Promise((r) => setImmediate(r));
    }
    await kernel.close();
  }

  const start = process.hrtime.bigint();
  const store = createJournalStore({ path: full });
  const loaded = await store.load();
  const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
  await store.close();
  if (loaded.entries.length !== entries)
    throw new Error(`loaded ${loaded.entries.length} of ${entries}`);
  const fullMs = await readyMs(full);
  const compactedMs = await readyMs(compacted);
  const mb = (f: string): string => (statSync(f).size / 1e6).toFixed(1);
  console.log(
    `\nfull replay of ${entries.toLocaleString('en-US')} entries (${mb(full)} MB): store.load ${loadMs.toFixed(0)} ms (${rate((entries * 1000) / loadMs)}), kernel.ready ${fullMs.toFixed(0)} ms`,
  );
  console.log(
    `compacted every 10,000 entries (journal ${mb(compacted)} MB + snapshot ${mb(`${compacted}.snapshot`)} MB): kernel.ready ${compactedMs.toFixed(0)} ms, ${(fullMs / compactedMs).toFixed(1)}× faster than the full replay`,
  );
}

rmSync(dir, { recursive: true, force: true });
await redis?.stop();
