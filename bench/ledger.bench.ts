/**
 * Question: how fast does Ledger.add book a fully attributed record (agent, task, user, session,
 * model, total; hour/day/week/month/lifetime; the burn-rate minute; its fields kept in the
 * 10,000-record ring; the record object returned), and does its cost stay flat as records pile up?
 *
 * Setup: 1,000 agents over 200 tasks, 50 users, 100 sessions and 5 models (one per agent); time
 * advances 1 ms per record, so hour rollovers happen during the run. Two naive baselines in the
 * same run, both aggregating per record in Maps keyed by strings:
 *  - "naive, same figures": `dimension:key:period` keys for the 6 rows × 5 spans the ledger keeps;
 *  - "naive, lifetime only": `dimension:key` keys, no periods (less than the ledger does).
 * Rates are records per wall-clock second and per CPU second (CPU time of all the process's
 * threads, GC helpers included, so it reads lower when the machine is idle and is steadier when
 * it is not).
 *
 * Run: npx tsx bench/ledger.bench.ts
 */
import { systemClock } from '../src/clock.js';
import { Ledger, type Attribution } from '../src/budget/ledger.js';
import { periodKey } from '../src/budget/period.js';
import type { Usage } from '../src/usage.js';

const AGENTS = 1000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-pro'];
const USAGES: Usage[] = Array.from({ length: 4096 }, (_, i) => {
  const input = 200 + ((i * 7919) % 8000);
  const output = 20 + ((i * 104_729) % 2000);
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: i % 3 === 0 ? Math.floor(input / 2) : 0,
    cacheWriteTokens: i % 5 === 0 ? Math.floor(input / 10) : 0,
    reasoningTokens: i % 4 === 0 ? Math.floor(output / 3) : 0,
  };
});
const START = Date.UTC(2026, 10, 22, 9, 30);
const KINDS = ['hour', 'day', 'week', 'month'] as const;

interface Ids {
  agentId: string;
  taskId: string;
  userId: string;
  sessionId: string;
  model: string;
}
const IDS: Ids[] = Array.from({ length: AGENTS }, (_, i) => ({
  agentId: `agent-${i}`,
  taskId: `task-${i % 200}`,
  userId: `user-${i % 50}`,
  sessionId: `session-${i % 100}`,
  model: MODELS[i % MODELS.length]!,
}));

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

function measure(records: number, body: () => void): Rate {
  const cpu = process.cpuUsage();
  const began = performance.now();
  body();
  const wallMs = performance.now() - began;
  const used = process.cpuUsage(cpu);
  return { wall: records / (wallMs / 1000), cpu: records / ((used.user + used.system) / 1e6) };
}

function ledgerRound(ledger: Ledger, handles: Attribution[], records: number, t0: number): Rate {
  return measure(records, () => {
    for (let i = 0; i < records; i++) {
      const a = (i * 7) % AGENTS;
      const usage = USAGES[i & 4095]!;
      const cost = usage.inputTokens * 2500 + usage.outputTokens * 10_000;
      ledger.add(handles[a]!, IDS[a]!.model, usage, cost, 'bench', false, undefined, t0 + i);
    }
  });
}

function naiveRound(records: number, t0: number, withPeriods: boolean): Rate {
  const rows = new Map<string, number[]>();
  return measure(records, () => {
    for (let i = 0; i < records; i++) {
      const a = (i * 7) % AGENTS;
      const ids = IDS[a]!;
      const usage = USAGES[i & 4095]!;
      const cost = usage.inputTokens * 2500 + usage.outputTokens * 10_000;
      const spans = withPeriods ? ['', ...KINDS.map((k) => periodKey(k, t0 + i))] : [''];
      const keys = [
        `agent:${ids.agentId}`,
        `task:${ids.taskId}`,
        `user:${ids.userId}`,
        `session:${ids.sessionId}`,
        `model:${ids.model}`,
        'total',
      ];
      for (const key of keys) {
        for (const span of spans) {
          const id = `${key}:${span}`;
          let row = rows.get(id);
          if (row === undefined) rows.set(id, (row = [0, 0, 0, 0, 0, 0, 0]));
          row[0]! += 1;
          row[1]! += usage.inputTokens;
          row[2]! += usage.outputTokens;
          row[3]! += usage.cacheReadTokens ?? 0;
          row[4]! += usage.cacheWriteTokens ?? 0;
          row[5]! += usage.reasoningTokens ?? 0;
          row[6]! += cost;
        }
      }
    }
  });
}

const mps = (n: number) => `${(n / 1e6).toFixed(2)}M/s`;
const fmt = (r: Rate) => `${mps(r.wall)} wall, ${mps(r.cpu)} CPU`;
const ratio = (a: Rate, b: Rate) => `${(a.wall / b.wall).toFixed(1)}x wall`;

const ledger = new Ledger({ clock: systemClock });
const handles = IDS.map((ids) => ledger.attribution(ids));
ledgerRound(ledger, handles, 500_000, START); // warm-up
const ROUND = 4_000_000;
const rounds: Rate[] = [];
for (let r = 0; r < 5; r++) {
  rounds.push(ledgerRound(ledger, handles, ROUND, START + 500_000 + r * ROUND));
  const size = ledger.size.toLocaleString('en-US');
  console.log(`Ledger.add round ${r + 1}: ${fmt(rounds[r]!)} (records so far ${size})`);
}
const median = (pick: (r: Rate) => number) => rounds.map(pick).sort((x, y) => x - y)[2]!;
const best = (pick: (r: Rate) => number) => Math.max(...rounds.map(pick));
const ledgerRate: Rate = { wall: median((r) => r.wall), cpu: median((r) => r.cpu) };

naiveRound(20_000, START, true); // warm-up
const naiveFull = naiveRound(150_000, START, true);
naiveRound(50_000, START, false); // warm-up
const naiveLifetime = naiveRound(1_000_000, START, false);

console.log(`Ledger.add median: ${fmt(ledgerRate)} (best round ${mps(best((r) => r.wall))} wall)`);
console.log(`naive, same figures: ${fmt(naiveFull)}; Ledger is ${ratio(ledgerRate, naiveFull)}`);
console.log(
  `naive, lifetime only: ${fmt(naiveLifetime)}; Ledger is ${ratio(ledgerRate, naiveLifetime)}`,
);
console.log(
  `first vs last round: ${fmt(rounds[0]!)} vs ${fmt(rounds[4]!)} after ` +
    `${ledger.size.toLocaleString('en-US')} records (flat: O(1) per record, nothing scans)`,
);
const total = ledger.total();
const byAgent = ledger.usage({ by: 'agent' }).reduce((s, row) => s + row.costNano, 0);
if (byAgent !== total.costNano) throw new Error('attribution sums diverged');
