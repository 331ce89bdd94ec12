/**
 * Kernel hot-path benchmark: record, reserve+commit, spawn, a full agent cycle and memory per
 * agent, each against the naive baseline (bench/naive-kernel.ts) in the same run.
 * Run: npx tsx --expose-gc bench/kernel.bench.ts  (or npm run bench)
 */
import { createKernel, type Kernel } from '../src/kernel/kernel.js';
import type { GovernedAgent } from '../src/agents/governed-agent.js';
import type { Usage } from '../src/usage.js';
import {
  best,
  header,
  heapUsed,
  millis,
  opsPerSecond,
  passOpsPerSecond,
  rate,
  row,
} from './bench-util.js';
import { NaiveKernel } from './naive-kernel.js';

const AGENTS = 1_000;
/**
 * Hot-path figures are the best of many short rounds: this machine's neighbours take the other
 * core now and then, and a round they hit is slower by a third; the best round is the code's
 * own speed. Ours and the baseline are timed the same way.
 */
const ROUNDS = 20;
const ROUND_OPS = 200_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'claude-3-5-haiku-latest'];
const PRICES = new Map(
  MODELS.map((m, i) => [m, { input: 1_000 * (i + 1), output: 4_000 * (i + 1) }]),
);
const USAGES: Usage[] = Array.from({ length: 64 }, (_, i) => ({
  inputTokens: 100 + i,
  outputTokens: 50,
  cacheReadTokens: i & 7,
}));

function makeKernel(): Kernel {
  return createKernel({
    totalBudget: Number.MAX_SAFE_INTEGER - 1,
    warnThresholds: [0.85],
    reservationTtlMs: 3_600_000,
    limits: [
      { scope: 'user', period: 'day', tokens: 1e15 },
      { scope: 'task', period: 'month', usd: 1e6 },
      { scope: 'org', period: 'day', usd: 5e6 },
    ],
  });
}

function spawnAll(kernel: Kernel, n: number, prefix = 'a'): GovernedAgent[] {
  const out: GovernedAgent[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      kernel.spawn({
        id: `${prefix}${i}`,
        maxTokens: 1e12,
        model: MODELS[i % MODELS.length] as string,
        userId: `u${i % 50}`,
        task: `t${i % 200}`,
        sessionId: `s${i % 300}`,
      }),
    );
  }
  return out;
}

function naiveWith(n: number): NaiveKernel {
  const naive = new NaiveKernel(Number.MAX_SAFE_INTEGER);
  for (const [m, p] of PRICES) naive.prices.set(m, p);
  naive.limits.push(
    { scope: 'user', limit: 1e15, used: new Map() },
    { scope: 'org', limit: 1e15, used: new Map() },
  );
  for (let i = 0; i < n; i++) naive.spawn(`a${i}`, `u${i % 50}`, `t${i % 200}`, 1e9);
  return naive;
}

const results: Record<string, number> = {};

// 1. record with full attribution across 1,000 live agents.
{
  const kernel = makeKernel();
  const agents = spawnAll(kernel, AGENTS);
  const ours = best(ROUNDS, () =>
    passOpsPerSecond(ROUND_OPS, AGENTS, (k) => {
      for (let i = 0; i < AGENTS; i++)
        (agents[i] as GovernedAgent).record(USAGES[(i + k) & 63] as Usage);
    }),
  );
  const naive = naiveWith(AGENTS);
  const ids = Array.from({ length: AGENTS }, (_, i) => `a${i}`);
  const base = best(ROUNDS, () =>
    passOpsPerSecond(ROUND_OPS, AGENTS, (k) => {
      for (let i = 0; i < AGENTS; i++)
        naive.record(
          ids[i] as string,
          MODELS[i % MODELS.length] as string,
          100 + ((i + k) & 63),
          50,
        );
    }),
  );
  results['record'] = ours;
  header(
    'Kernel hot path, 1,000 live agents (full attribution: agent, task, user, session, model, periods)',
  );
  row('record()', rate(ours), rate(base), ours / base, '≥ 10M/s', ours >= 10e6);
  await kernel.close();
}

// 2. reserve + commit pairs.
{
  const kernel = makeKernel();
  const agents = spawnAll(kernel, AGENTS);
  const requests = Array.from({ length: 64 }, (_, i) => ({
    inputTokens: 100 + i,
    maxOutputTokens: 200,
  }));
  const ours = best(ROUNDS, () =>
    passOpsPerSecond(ROUND_OPS, AGENTS, (k) => {
      for (let i = 0; i < AGENTS; i++) {
        const j = (i + k) & 63;
        (agents[i] as GovernedAgent)
          .reserve(requests[j] as { inputTokens: number; maxOutputTokens: number })
          .commit(USAGES[j] as Usage);
      }
    }),
  );
  const naive = naiveWith(AGENTS);
  const ids = Array.from({ length: AGENTS }, (_, i) => `a${i}`);
  const base = best(ROUNDS, () =>
    passOpsPerSecond(ROUND_OPS, AGENTS, (k) => {
      for (let i = 0; i < AGENTS; i++) {
        const id = ids[i] as string;
        if (naive.reserve(id, 300))
          naive.commit(id, MODELS[i % MODELS.length] as string, 300, 100 + ((i + k) & 63), 50);
      }
    }),
  );
  results['reserveCommit'] = ours;
  row('reserve() + commit() pairs', rate(ours), rate(base), ours / base, '≥ 3M/s', ours >= 3e6);
  await kernel.close();
}

// 3. 10,000 spawns.
{
  const runs = [0, 1, 2].map(() => {
    const kernel = makeKernel();
    const ms = millis(() => spawnAll(kernel, 10_000, 's'));
    void kernel.close();
    return ms;
  });
  const ours = Math.min(...runs);
  const baseRuns = [0, 1].map(() => millis(() => naiveWith(10_000)));
  const base = Math.min(...baseRuns);
  results['spawn10kMs'] = ours;
  row(
    '10,000 spawns (ms)',
    `${ours.toFixed(0)} ms`,
    `${base.toFixed(0)} ms`,
    base / ours,
    '≤ 300 ms',
    ours <= 300,
  );
}

// 4. One full cycle: spawn + reserve + commit + release.
{
  const kernel = makeKernel();
  const ours = best(3, () =>
    opsPerSecond(200_000, (i) => {
      const a = kernel.spawn({
        id: `c${i}`,
        maxTokens: 10_000,
        model: 'gpt-4o',
        userId: `u${i % 50}`,
        task: 't',
      });
      a.reserve({ inputTokens: 100, maxOutputTokens: 100 }).commit(USAGES[i & 63] as Usage);
      a.release();
    }),
  );
  const naive = naiveWith(0);
  const base = best(3, () =>
    opsPerSecond(50_000, (i) => {
      naive.spawn(`c${i}`, `u${i % 50}`, 't', 10_000);
      if (naive.reserve(`c${i}`, 200)) naive.commit(`c${i}`, 'gpt-4o', 200, 100, 50);
      naive.release(`c${i}`);
    }),
  );
  results['cycle'] = ours;
  row(
    'spawn + reserve + commit + release',
    rate(ours),
    rate(base),
    ours / base,
    '≥ 100k/s',
    ours >= 100e3,
  );
  await kernel.close();
}

// 5. Memory per live agent at 10,000 agents, without and with the xstate actor materialized.
{
  const before = heapUsed();
  const kernel = makeKernel();
  const agents = spawnAll(kernel, 10_000, 'm');
  for (const a of agents) a.record(USAGES[0] as Usage);
  const lazy = (heapUsed() - before) / 10_000;
  for (const a of agents) void a.actor;
  const withActors = (heapUsed() - before) / 10_000;
  const naiveBefore = heapUsed();
  const naive = naiveWith(10_000);
  const naiveBytes = (heapUsed() - naiveBefore) / 10_000;
  results['bytesPerAgent'] = withActors;
  results['bytesPerAgentLazy'] = lazy;
  row(
    'bytes per live agent (actor materialized)',
    `${withActors.toFixed(0)} B`,
    `${naiveBytes.toFixed(0)} B`,
    naiveBytes / withActors,
    '≤ 5 KB',
    withActors <= 5_120,
  );
  row(
    'bytes per live agent (no crossing yet)',
    `${lazy.toFixed(0)} B`,
    `${naiveBytes.toFixed(0)} B`,
    naiveBytes / lazy,
    '≤ 5 KB',
    lazy <= 5_120,
  );
  void naive.agents.size;
  await kernel.close();
}

console.log(`\nJSON ${JSON.stringify(results)}`);
