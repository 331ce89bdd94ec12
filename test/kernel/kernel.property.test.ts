import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GovernedAgent } from '../../src/agents/governed-agent.js';
import type { Reservation } from '../../src/agents/reservation.js';
import type { Dimension } from '../../src/budget/ledger.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { makeKernel, TEST_PRICES } from '../helpers/kernel-fixture.js';

/** What the reference model knows: every booked call and its expected cost. */
interface Model {
  agents: Map<string, { handle: GovernedAgent; user: string; task: string }>;
  open: Reservation[];
  costNano: number;
  tokens: number;
  calls: number;
  userDayCommitted: Map<string, number>;
  nextId: number;
}

interface Real {
  kernel: Kernel;
  clock: FakeClock;
}

const USERS = ['u1', 'u2', 'u3'];
const TASKS = ['t1', 't2'];
const MODELS = ['test-small', 'test-large'] as const;
const USER_DAY_TOKENS = 30_000;

function costOf(model: (typeof MODELS)[number], input: number, output: number): number {
  const p = TEST_PRICES[model];
  return Math.round(input * p.input * 1000) + Math.round(output * p.output * 1000);
}

/** Invariants that must hold after every command. */
function checkInvariants(m: Model, r: Real): void {
  const s = r.kernel.status();
  // Pool conservation.
  expect(s.pool.available + s.pool.allocated + s.pool.spent).toBe(s.pool.total);
  expect(s.pool.available).toBeGreaterThanOrEqual(0);
  for (const [id, a] of Object.entries(s.agents)) {
    // Window conservation: used + reserved + free = total (no overshoot: this model only reserves).
    expect(a.used + a.reserved + a.free, id).toBe(a.total);
    expect(a.reserved, id).toBeGreaterThanOrEqual(0);
  }
  // No hard limit ever over-reserved or over-spent when estimates are upper bounds.
  for (const l of s.limits) expect(l.used + l.reserved).toBeLessThanOrEqual(l.limit + 1e-9);
  // Attribution: every dimension sums to the same totals, equal to the reference model's.
  const total = r.kernel.usage({ by: 'agent' }).reduce((t, row) => t + row.costNano, 0);
  expect(total).toBe(m.costNano);
  for (const by of ['task', 'user', 'session', 'model'] as Dimension[]) {
    const rows = r.kernel.usage({ by });
    expect(
      rows.reduce((t, row) => t + row.costNano, 0),
      by,
    ).toBe(m.costNano);
    expect(
      rows.reduce((t, row) => t + row.inputTokens + row.outputTokens, 0),
      by,
    ).toBe(m.tokens);
    expect(
      rows.reduce((t, row) => t + row.calls, 0),
      by,
    ).toBe(m.calls);
  }
  expect(s.reservations).toBe(m.open.filter((x) => x.state === 'open').length);
}

class SpawnCmd implements fc.Command<Model, Real> {
  constructor(
    readonly priority: 'low' | 'normal' | 'high' | 'critical',
    readonly maxTokens: number | undefined,
    readonly user: number,
    readonly task: number,
    readonly parent: number | undefined,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const id = `a${m.nextId++}`;
    const parents = [...m.agents.values()].filter((x) => x.handle.state !== 'waiting');
    const parent =
      this.parent === undefined || parents.length === 0
        ? undefined
        : parents[this.parent % parents.length];
    const user = USERS[this.user % USERS.length] as string;
    const task = TASKS[this.task % TASKS.length] as string;
    const opts = {
      id,
      priority: this.priority,
      userId: user,
      task,
      sessionId: `s-${user}`,
      ...(this.maxTokens !== undefined && { maxTokens: this.maxTokens }),
    };
    try {
      const handle = parent === undefined ? r.kernel.spawn(opts) : parent.handle.spawn(opts);
      m.agents.set(id, { handle, user: parent?.user ?? user, task: parent?.task ?? task });
    } catch (e) {
      expect(e).toMatchObject({ code: 'POOL_EXHAUSTED' });
    }
    checkInvariants(m, r);
  }
  toString = (): string => `spawn(${this.priority},${this.maxTokens},${this.parent})`;
}

class ReserveCmd implements fc.Command<Model, Real> {
  constructor(
    readonly agent: number,
    readonly model: number,
    readonly input: number,
    readonly output: number,
  ) {}
  check = (m: Model): boolean => m.agents.size > 0;
  run(m: Model, r: Real): void {
    const a = [...m.agents.values()][this.agent % m.agents.size]!;
    if (!a.handle.runnable) return;
    const model = MODELS[this.model % 2] as string;
    const res = a.handle.tryReserve({
      model,
      inputTokens: this.input,
      maxOutputTokens: this.output,
    });
    if (res.ok) m.open.push(res.reservation);
    checkInvariants(m, r);
  }
  toString = (): string => `reserve(${this.agent},${this.input},${this.output})`;
}

class SettleCmd implements fc.Command<Model, Real> {
  constructor(
    readonly index: number,
    readonly fraction: number,
    readonly cancel: boolean,
  ) {}
  check = (m: Model): boolean => m.open.length > 0;
  run(m: Model, r: Real): void {
    const res = m.open.splice(this.index % m.open.length, 1)[0]!;
    if (res.state !== 'open') {
      checkInvariants(m, r);
      return;
    }
    if (this.cancel) res.cancel();
    else {
      const input = Math.floor(res.inputTokens * this.fraction);
      const output = Math.floor(res.maxOutputTokens * this.fraction);
      res.commit({ inputTokens: input, outputTokens: output });
      m.costNano += costOf(res.model as (typeof MODELS)[number], input, output);
      m.tokens += input + output;
      m.calls++;
    }
    checkInvariants(m, r);
  }
  toString = (): string => `${this.cancel ? 'cancel' : 'commit'}(${this.index},${this.fraction})`;
}

class ReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly agent: number) {}
  check = (m: Model): boolean => m.agents.size > 0;
  run(m: Model, r: Real): void {
    const [id, a] = [...m.agents.entries()][this.agent % m.agents.size]!;
    a.handle.release();
    for (const [cid, c] of m.agents) if (c.handle.state === 'released') m.agents.delete(cid);
    expect(m.agents.has(id)).toBe(false);
    checkInvariants(m, r);
  }
  toString = (): string => `release(${this.agent})`;
}

class GrantCmd implements fc.Command<Model, Real> {
  constructor(
    readonly agent: number,
    readonly tokens: number,
  ) {}
  check = (m: Model): boolean => m.agents.size > 0;
  run(m: Model, r: Real): void {
    const a = [...m.agents.values()][this.agent % m.agents.size]!;
    try {
      r.kernel.grant(a.handle.id, this.tokens);
    } catch (e) {
      expect(['POOL_EXHAUSTED', 'AGENT_NOT_RUNNABLE']).toContain((e as { code: string }).code);
    }
    checkInvariants(m, r);
  }
  toString = (): string => `grant(${this.agent},${this.tokens})`;
}

class ReplenishCmd implements fc.Command<Model, Real> {
  constructor(readonly tokens: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    r.kernel.replenish(this.tokens);
    checkInvariants(m, r);
  }
  toString = (): string => `replenish(${this.tokens})`;
}

class AdvanceCmd implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    r.clock.advance(this.ms);
    checkInvariants(m, r);
  }
  toString = (): string => `advance(${this.ms})`;
}

const commands = [
  fc
    .tuple(
      fc.constantFrom('low', 'normal', 'normal', 'normal', 'high', 'critical' as const),
      fc.option(fc.integer({ min: 500, max: 12_000 }), { nil: undefined, freq: 4 }),
      fc.nat(5),
      fc.nat(5),
      fc.option(fc.nat(10), { nil: undefined, freq: 3 }),
    )
    .map(([p, t, u, k, parent]) => new SpawnCmd(p, t, u, k, parent)),
  fc
    .tuple(
      fc.nat(20),
      fc.nat(1),
      fc.integer({ min: 0, max: 2_500 }),
      fc.integer({ min: 0, max: 1_000 }),
    )
    .map(([a, mo, i, o]) => new ReserveCmd(a, mo, i, o)),
  fc
    .tuple(fc.nat(20), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
    .map(([i, f, c]) => new SettleCmd(i, f, c)),
  fc
    .tuple(fc.nat(20), fc.double({ min: 0.5, max: 1, noNaN: true }))
    .map(([i, f]) => new SettleCmd(i, f, false)),
  fc
    .tuple(fc.nat(20), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([i, f]) => new SettleCmd(i, f, false)),
  fc.nat(20).map((a) => new ReleaseCmd(a)),
  fc.tuple(fc.nat(20), fc.integer({ min: 1, max: 5_000 })).map(([a, t]) => new GrantCmd(a, t)),
  fc.integer({ min: 1, max: 10_000 }).map((t) => new ReplenishCmd(t)),
  fc
    .oneof(
      { arbitrary: fc.integer({ min: 1, max: 600_000 }), weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 3 * 3_600_000 }), weight: 1 },
    )
    .map((ms) => new AdvanceCmd(ms)),
];

describe('kernel invariants under random command sequences', () => {
  it('conserves the pool and every window, never over-reserves a hard limit, and attributes exactly', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60, size: 'max' }), (cmds) => {
        const { kernel, clock } = makeKernel({
          totalBudget: 60_000,
          reservationTtlMs: 3_600_000,
          limits: [
            { scope: 'user', period: 'day', tokens: USER_DAY_TOKENS },
            { scope: 'task', usd: 0.2 },
            { scope: 'org', period: 'hour', tokens: 40_000 },
            { scope: 'model', id: 'test-large', period: 'day', usd: 0.08 },
          ],
        });
        const model: Model = {
          agents: new Map(),
          open: [],
          costNano: 0,
          tokens: 0,
          calls: 0,
          userDayCommitted: new Map(),
          nextId: 0,
        };
        fc.modelRun(() => ({ model, real: { kernel, clock } }), cmds);
        void kernel.close();
      }),
      { numRuns: 150 },
    );
  });
});
