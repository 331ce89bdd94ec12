import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/budget/usage-record.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import { createKernel, type Kernel } from '../../src/kernel/kernel.js';
import { createJournalStore } from '../../src/store/journal-store.js';
import { CRASH_KERNEL, WORKER_ID } from '../fixtures/store/crash-kernel.js';
import { journalPath } from './store-fixture.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/store/record-forever.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 20;
const SEED = 20_260_105;
const AHEAD = 3;

interface Child {
  /** Lets the child open the journal; SIGKILLs it once `killAfter` acknowledgements were read. */
  run(killAfter: number): Promise<number[]>;
  kill(): void;
}

/**
 * Starts the recording child on `path`, waiting: its imports (seconds under tsx) overlap the
 * previous run. `run` resolves with every seq it acknowledged (the pipe is drained after the kill).
 */
function startChild(path: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const acked: number[] = [];
  let pending = '';
  let stderr = '';
  let killAt = Number.POSITIVE_INFINITY;
  let killed = false;
  const kill = (): void => {
    killed = true;
    child.kill('SIGKILL');
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      acked.push(Number(pending.slice(0, nl)));
      pending = pending.slice(nl + 1);
    }
    if (!killed && acked.length >= killAt) kill();
  });
  const closed = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve(acked);
      else
        reject(
          new Error(`child ended with ${signal ?? code} after ${acked.length} acks:\n${stderr}`),
        );
    });
  });
  closed.catch(() => undefined);
  return {
    run(killAfter) {
      killAt = killAfter;
      child.stdin.end('go\n');
      // A safety net for a child that never acknowledges anything, not a measurement.
      const guard = setTimeout(kill, 30_000);
      return closed.finally(() => clearTimeout(guard));
    },
    kill,
  };
}

type Totals = { calls: number; inputTokens: number; outputTokens: number; costNano: number };

function recount(records: readonly UsageRecord[], key: (r: UsageRecord) => string) {
  const rows = new Map<string, Totals>();
  for (const r of records) {
    const row = rows.get(key(r)) ?? { calls: 0, inputTokens: 0, outputTokens: 0, costNano: 0 };
    row.calls++;
    row.inputTokens += r.usage.inputTokens;
    row.outputTokens += r.usage.outputTokens;
    row.costNano += r.costNano;
    rows.set(key(r), row);
  }
  return rows;
}

function reported(kernel: Kernel, by: 'agent' | 'user' | 'model') {
  return new Map(
    kernel.usage({ by }).map((row) => [
      row.key,
      {
        calls: row.calls,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        costNano: row.costNano,
      },
    ]),
  );
}

describe('journal store under SIGKILL', () => {
  it('restores every acknowledged record exactly once, with matching aggregates and a conserved pool', async () => {
    const path = journalPath();
    const random = seededRandom(SEED);
    const acknowledged = new Set<number>();
    let restoredBefore = 0;
    // Children start a few runs ahead, waiting, so their start-up overlaps earlier runs.
    const ready = Array.from({ length: Math.min(AHEAD, RUNS) }, () => startChild(path));
    let started = ready.length;

    try {
      for (let run = 1; run <= RUNS; run++) {
        const killAfter = 1 + Math.floor(random.next() * 200);
        const current = ready.shift() as Child;
        if (started < RUNS) {
          ready.push(startChild(path));
          started++;
        }
        const acked = await current.run(killAfter);
        expect(acked.length, `run ${run}`).toBeGreaterThanOrEqual(killAfter);
        for (const seq of acked) {
          expect(acknowledged.has(seq), `seq ${seq} acknowledged twice`).toBe(false);
          acknowledged.add(seq);
        }

        const warnings: string[] = [];
        const kernel = createKernel({ ...CRASH_KERNEL, store: createJournalStore({ path }) });
        kernel.on('warning', (w) => warnings.push(String(w.message)));
        await kernel.ready;
        const records = kernel.records();
        const seqs = records.map((r) => r.seq);

        // Exactly once: no duplicate, nothing acknowledged missing, at most the one record that
        // was on disk but not yet acknowledged when the signal landed.
        expect(new Set(seqs).size, `run ${run}`).toBe(seqs.length);
        const present = new Set(seqs);
        const missing = [...acknowledged].filter((seq) => !present.has(seq));
        expect(missing, `run ${run}`).toEqual([]);
        expect(records.length - restoredBefore, `run ${run}`).toBeGreaterThanOrEqual(acked.length);
        expect(records.length - restoredBefore, `run ${run}`).toBeLessThanOrEqual(acked.length + 1);
        restoredBefore = records.length;
        expect(warnings, `run ${run}`).toEqual([]);

        // Aggregates equal a recount of the records.
        expect(reported(kernel, 'agent')).toEqual(recount(records, (r) => r.agentId));
        expect(reported(kernel, 'user')).toEqual(recount(records, (r) => r.userId));
        expect(reported(kernel, 'model')).toEqual(recount(records, (r) => r.model));

        // The live agent's window and the pool are restored and conserved.
        const status = kernel.status();
        const workerTokens = records
          .filter((r) => r.agentId === WORKER_ID)
          .reduce((t, r) => t + r.usage.inputTokens + r.usage.outputTokens, 0);
        expect(status.agents[WORKER_ID]?.used, `run ${run}`).toBe(workerTokens);
        expect(status.agents[WORKER_ID]?.reserved, `run ${run}`).toBe(0);
        const { pool } = status;
        expect(pool.available + pool.allocated + pool.spent, `run ${run}`).toBe(pool.total);
        await kernel.close();
      }
    } finally {
      for (const child of ready) child.kill();
    }
    expect(acknowledged.size).toBeGreaterThan(RUNS);
  }, 60_000);
});
