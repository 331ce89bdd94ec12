import { createActor, setup } from 'xstate';

/**
 * The naive baseline the kernel benchmark measures against: what a straightforward governor
 * does (and the Python agent-os kernel does): string-keyed Map lookups per dimension on every
 * record, limits found by scanning the limit list on every call, allocation that sums every live
 * window (O(live agents)), and an xstate actor created eagerly per agent.
 */
interface Row {
  calls: number;
  input: number;
  output: number;
  cost: number;
}

interface NaiveAgent {
  id: string;
  user: string;
  task: string;
  session: string;
  total: number;
  used: number;
  reserved: number;
  actor: unknown;
}

interface NaiveLimit {
  scope: 'user' | 'org';
  limit: number;
  used: Map<string, number>;
}

const machine = setup({}).createMachine({
  id: 'naive',
  initial: 'active',
  states: {
    active: { on: { WARN: 'warned', STOP: 'stopped', RELEASE: 'released' } },
    warned: { on: { STOP: 'stopped', RELEASE: 'released' } },
    stopped: { on: { RELEASE: 'released' } },
    released: { type: 'final' },
  },
});

export class NaiveKernel {
  readonly agents = new Map<string, NaiveAgent>();
  readonly rows = new Map<string, Row>();
  readonly limits: NaiveLimit[] = [];
  readonly prices = new Map<string, { input: number; output: number }>();
  total: number;
  spent = 0;

  constructor(total: number) {
    this.total = total;
  }

  available(): number {
    let allocated = 0;
    for (const a of this.agents.values()) allocated += a.total;
    return this.total - allocated - this.spent;
  }

  spawn(id: string, user: string, task: string, maxTokens: number): NaiveAgent {
    if (this.available() < maxTokens) throw new Error('exhausted');
    const actor = createActor(machine);
    actor.start();
    const a = {
      id,
      user,
      task,
      session: `s-${user}`,
      total: maxTokens,
      used: 0,
      reserved: 0,
      actor,
    };
    this.agents.set(id, a);
    return a;
  }

  #bump(key: string, input: number, output: number, cost: number): void {
    let r = this.rows.get(key);
    if (r === undefined) {
      r = { calls: 0, input: 0, output: 0, cost: 0 };
      this.rows.set(key, r);
    }
    r.calls++;
    r.input += input;
    r.output += output;
    r.cost += cost;
  }

  record(id: string, model: string, input: number, output: number): void {
    const a = this.agents.get(id);
    if (a === undefined) throw new Error('unknown');
    const p = this.prices.get(model);
    if (p === undefined) throw new Error('unknown model');
    const cost = Math.round(input * p.input) + Math.round(output * p.output);
    a.used += input + output;
    for (const l of this.limits) {
      const key = l.scope === 'org' ? 'org' : a.user;
      l.used.set(key, (l.used.get(key) ?? 0) + input + output);
    }
    this.#bump(`agent:${a.id}`, input, output, cost);
    this.#bump(`task:${a.task}`, input, output, cost);
    this.#bump(`user:${a.user}`, input, output, cost);
    this.#bump(`session:${a.session}`, input, output, cost);
    this.#bump(`model:${model}`, input, output, cost);
  }

  reserve(id: string, tokens: number): boolean {
    const a = this.agents.get(id);
    if (a === undefined) throw new Error('unknown');
    if (a.used + a.reserved + tokens > a.total) return false;
    for (const l of this.limits) {
      const key = l.scope === 'org' ? 'org' : a.user;
      if ((l.used.get(key) ?? 0) + tokens > l.limit) return false;
    }
    a.reserved += tokens;
    return true;
  }

  commit(id: string, model: string, reserved: number, input: number, output: number): void {
    const a = this.agents.get(id);
    if (a === undefined) throw new Error('unknown');
    a.reserved -= reserved;
    this.record(id, model, input, output);
  }

  release(id: string): void {
    const a = this.agents.get(id);
    if (a === undefined) return;
    this.spent += a.used;
    (a.actor as { send(e: { type: string }): void }).send({ type: 'RELEASE' });
    this.agents.delete(id);
  }
}
