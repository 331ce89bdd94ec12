import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasRedis } from '../../helpers/redis-server.js';
import { useRedis, namespace, orgBudget, readRedis, redisKernel } from './redis-fixture.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/store/redis-spender.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROCESSES = 4;

interface Summary {
  committed: number;
  records: number;
  refusals: number;
  unavailable: number;
  outages: number;
  errors: string[];
  closeError?: string;
  unsent: number;
}

interface Spender {
  readonly child: ChildProcess;
  /** Resolves when the kernel is ready (its imports take a while under tsx). */
  readonly ready: Promise<void>;
  readonly done: Promise<Summary>;
}

/** Starts one spending process: 4 concurrent agents for `durationMs`, then its summary. */
function spender(
  url: string,
  ns: string,
  pool: number,
  limit: number,
  durationMs: number,
): Spender {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', FIXTURE, url, ns, String(pool), String(limit), String(durationMs)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  let ready!: () => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
    if (out.includes('ready\n')) ready();
  });
  child.stderr?.on('data', (chunk: string) => (err += chunk));
  const done = new Promise<Summary>((resolve, reject) => {
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(last) as Summary);
      else reject(new Error(`spender ended with ${signal ?? code}:\n${err}`));
    });
  });
  return { child, ready: readyP, done };
}

function run(url: string, ns: string, pool: number, limit: number, durationMs: number): Spender[] {
  return Array.from({ length: PROCESSES }, () => spender(url, ns, pool, limit, durationMs));
}

describe.skipIf(!hasRedis)(`${PROCESSES} processes sharing one Redis`, () => {
  const server = useRedis();

  it('never commit more than one daily limit together, and every record reaches Redis once', async () => {
    const ns = namespace();
    const limit = 40_000;
    const summaries = await Promise.all(
      run(server().url, ns, 10_000_000, limit, 2_500).map((s) => s.done),
    );
    const redis = await readRedis(server().url, ns);
    const committed = summaries.reduce((a, s) => a + s.committed, 0);
    const records = summaries.reduce((a, s) => a + s.records, 0);
    expect(summaries.flatMap((s) => s.errors)).toEqual([]);
    expect(committed).toBeLessThanOrEqual(limit);
    // The processes wanted far more than the limit: the limit, not the clock, ended the spending.
    expect(committed).toBeGreaterThan(limit * 0.9);
    expect(redis.records).toHaveLength(records);
    expect(redis.tokens).toBe(committed);
    expect(orgBudget(redis.budgets)).toMatchObject({ lt: limit, ut: committed, tt: committed });
    expect(redis.leases).toEqual([]);
  }, 60_000);

  it('never take more than one shared pool together', async () => {
    const ns = namespace();
    const pool = 25_000;
    const summaries = await Promise.all(run(server().url, ns, pool, 0, 2_500).map((s) => s.done));
    const redis = await readRedis(server().url, ns);
    const committed = summaries.reduce((a, s) => a + s.committed, 0);
    expect(summaries.flatMap((s) => s.errors)).toEqual([]);
    expect(committed).toBeLessThanOrEqual(pool);
    expect(committed).toBeGreaterThan(pool * 0.8);
    expect(redis.tokens).toBe(committed);
    expect(redis.budgets['pool']).toMatchObject({ lt: pool, ut: committed, tt: committed });
  }, 60_000);

  it('lose no committed record and over-allocate nothing across a Redis restart (AOF)', async () => {
    const ns = namespace();
    const limit = 60_000;
    const spenders = run(server().url, ns, 10_000_000, limit, 3_000);
    await Promise.all(spenders.map((s) => s.ready));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await server().restart(300);
    const summaries = await Promise.all(spenders.map((s) => s.done));
    const redis = await readRedis(server().url, ns);
    const committed = summaries.reduce((a, s) => a + s.committed, 0);
    const records = summaries.reduce((a, s) => a + s.records, 0);
    expect(summaries.map((s) => s.closeError)).toEqual(summaries.map(() => undefined));
    expect(summaries.map((s) => s.unsent)).toEqual(summaries.map(() => 0));
    // Every process lost Redis for a while, and kept its records until it came back.
    expect(summaries.map((s) => s.outages >= 1)).toEqual(summaries.map(() => true));
    expect(records).toBeGreaterThan(0);
    expect(redis.records).toHaveLength(records);
    expect(redis.tokens).toBe(committed);
    expect(committed).toBeLessThanOrEqual(limit);
    expect(orgBudget(redis.budgets)).toMatchObject({ ut: committed, tt: committed });
  }, 60_000);

  it("gives a crashed process's leases back once they expire", async () => {
    const ns = namespace();
    const victim = spender(server().url, ns, 10_000_000, 50_000, 60_000);
    await victim.ready;
    await new Promise((resolve) => setTimeout(resolve, 500));
    victim.child.kill('SIGKILL');
    await victim.done.catch(() => undefined);
    const before = await readRedis(server().url, ns);
    const org = orgBudget(before.budgets);
    expect(org?.['tt']).toBeGreaterThan(org?.['ut'] ?? 0);
    expect(before.leases.length).toBeGreaterThan(0);
    // The fixture's lease TTL is 3 s; any process's next lease request sweeps expired leases.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const { kernel } = await redisKernel(server().url, ns, {
      totalBudget: 10_000_000,
      limits: [{ scope: 'org', period: 'day', tokens: 50_000 }],
    });
    const after = await readRedis(server().url, ns);
    const reclaimed = orgBudget(after.budgets);
    expect(after.leases.every((l) => !before.leases.includes(l))).toBe(true);
    // Only the new kernel's fresh lease is out: what the dead process held and never used is back.
    expect(reclaimed?.['ut']).toBe(org?.['ut']);
    await kernel.close();
    const closed = orgBudget((await readRedis(server().url, ns)).budgets);
    expect(closed?.['tt']).toBe(closed?.['ut']);
  }, 60_000);
});
