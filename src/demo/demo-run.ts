import type { GovernedAgent } from '../agents/governed-agent.js';
import type { Priority } from '../agents/priority.js';
import type { SignalEvent } from '../agents/signal.js';
import { isKernelError } from '../errors.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { formatBar } from '../kernel/kernel-status.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { FakeModel } from './fake-model.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Number of agents (at least 4: planner, researcher, writer, runaway; more are helpers). @default 4 */
  readonly agents?: number;
  /** Pool size in tokens. @default 60_000 */
  readonly budget?: number;
  /** Seed of the fake model. @default 42 */
  readonly seed?: number;
  /** Milliseconds each simulated model call takes. @default 25 */
  readonly speed?: number;
  /** Where lines go. */
  readonly write: (line: string) => void;
}

/** What the demo leaves behind, for callers and tests. */
export interface DemoResult {
  readonly kernel: Kernel;
  readonly signals: readonly SignalEvent[];
  readonly calls: number;
  readonly report: string;
}

interface Role {
  readonly id: string;
  readonly priority: Priority;
  readonly model: string;
  readonly task: string;
  readonly userId: string;
  readonly maxTokens?: number;
  /** Calls it wants to make; Infinity for the runaway. */
  readonly steps: number;
  readonly system: string;
}

const ROLES: readonly Role[] = [
  {
    id: 'planner',
    priority: 'high',
    model: 'gpt-4o',
    task: 'q3-plan',
    userId: 'alice',
    maxTokens: 14_000,
    steps: 5,
    system: 'You plan the quarterly review: break it into research and writing tasks with owners.',
  },
  {
    id: 'researcher',
    priority: 'normal',
    model: 'gpt-4o-mini',
    task: 'q3-plan',
    userId: 'alice',
    maxTokens: 6_000,
    steps: 14,
    system: 'You research revenue, churn and pipeline figures and report facts with sources.',
  },
  {
    id: 'writer',
    priority: 'low',
    model: 'claude-3-5-haiku-latest',
    task: 'q3-plan',
    userId: 'bob',
    steps: 6,
    system: 'You write the final summary for executives in plain language.',
  },
  {
    id: 'runaway',
    priority: 'normal',
    model: 'gpt-4o',
    task: 'crawler',
    userId: 'bob',
    maxTokens: 8_000,
    steps: Infinity,
    system: 'You crawl every page you find and summarize each one, forever.',
  },
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A simulated multi-agent run on a deterministic offline model: agents of several priorities
 * reserve before each call and commit after it; signals print as they happen; a supervisor
 * grants the researcher more tokens once; the runaway is stopped by its window; a cost report
 * closes the run.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const count = Math.max(4, options.agents ?? 4);
  const budget = options.budget ?? 60_000;
  const speed = options.speed ?? 25;
  const write = options.write;
  const model = new FakeModel({ seed: options.seed ?? 42 });
  const kernel = createKernel({
    totalBudget: budget,
    warnThresholds: [0.5, 0.85],
    limits: [{ scope: 'user', id: 'bob', period: 'day', usd: 0.04 }],
  });
  const start = Date.now();
  const stamp = (): string => `[${((Date.now() - start) / 1000).toFixed(2)}s]`;
  const signals: SignalEvent[] = [];
  kernel.on('signal', (e) => {
    signals.push(e);
    const bar =
      e.limit.unit === 'tokens'
        ? formatBar(e.limit.used, e.limit.total)
        : `$${e.limit.used.toFixed(4)} of $${e.limit.total.toFixed(2)}`;
    write(`${stamp()} ${e.agentId.padEnd(10)} ${e.signal.padEnd(9)} ${e.reason.padEnd(34)} ${bar}`);
  });
  kernel.on('error', (e) => write(`${stamp()} error: ${String(e.error)}`));

  const roles = [...ROLES];
  for (let i = 4; i < count; i++) {
    roles.push({
      id: `helper-${i - 3}`,
      priority: 'low',
      model: 'gpt-4o-mini',
      task: 'q3-plan',
      userId: 'alice',
      steps: 4,
      system: 'You check figures and fix small mistakes in drafts.',
    });
  }
  write(
    `token-kernel demo: ${roles.length} agents share a pool of ${budget.toLocaleString('en-US')} tokens (seed ${options.seed ?? 42})`,
  );
  const agents = roles.map((role) => {
    const agent = kernel.spawn({
      id: role.id,
      priority: role.priority,
      model: role.model,
      task: role.task,
      userId: role.userId,
      ...(role.maxTokens !== undefined && { maxTokens: role.maxTokens }),
    });
    write(
      `  spawned ${role.id.padEnd(10)} ${role.priority.padEnd(8)} ${role.model.padEnd(24)} ${agent.state === 'waiting' ? 'waiting for a window' : `window ${agent.window.total.toLocaleString('en-US')} tokens`}`,
    );
    return { role, agent };
  });

  // The supervisor tops the researcher up once, from inside its SIGWARN handler (handlers may call
  // back into the kernel: signals are delivered after the state change is complete).
  let granted = false;
  kernel.agent('researcher').on('SIGWARN', (e) => {
    if (granted || e.limit.scope !== 'window' || e.limit.threshold < 0.85) return;
    granted = true;
    write(`${stamp()} supervisor grants researcher 3,000 tokens`);
    kernel.grant('researcher', 3_000);
  });

  let calls = 0;
  const work = async (role: Role, agent: GovernedAgent): Promise<void> => {
    const history: ChatMessage[] = [{ role: 'system', content: role.system }];
    for (let step = 0; step < role.steps; step++) {
      if (!agent.runnable) {
        const wait = new AbortController();
        const timer = setTimeout(() => wait.abort(), speed * 8 + 50);
        try {
          await agent.whenRunnable({ signal: wait.signal });
        } catch {
          write(
            `${stamp()} ${role.id.padEnd(10)} ends: stopped by ${agent.stopCauses.join(', ') || agent.state}`,
          );
          return;
        } finally {
          clearTimeout(timer);
        }
      }
      history.push({
        role: 'user',
        content: `Step ${step + 1}: continue with the next part of "${role.task}".`,
      });
      if (role.steps === Infinity) {
        // The runaway is a naive integration: it calls first and books after, with no reservation.
        // The kernel records the truth, then stops it once its window is used up.
        await sleep(speed);
        const answer = model.invoke({ model: role.model, messages: history, maxOutputTokens: 400 });
        agent.record(answer.usage);
        calls++;
        history.push({ role: 'assistant', content: answer.output });
        continue;
      }
      const input = model.invoke({ model: role.model, messages: history, maxOutputTokens: 0 }).usage
        .inputTokens;
      const room = agent.headroom({ inputTokens: input });
      if (room.maxOutputTokens < 32) {
        write(
          `${stamp()} ${role.id.padEnd(10)} stops: no room for another call (${room.limitedBy})`,
        );
        return;
      }
      const result = agent.tryReserve({
        inputTokens: input,
        maxOutputTokens: Math.min(400, room.maxOutputTokens),
      });
      if (!result.ok) {
        write(`${stamp()} ${role.id.padEnd(10)} refused by ${result.reason.limit}`);
        return;
      }
      await sleep(speed);
      const answer = model.invoke({
        model: role.model,
        messages: history,
        maxOutputTokens: result.reservation.maxOutputTokens,
      });
      try {
        result.reservation.commit(answer.usage);
        calls++;
      } catch (error) {
        if (!isKernelError(error)) throw error;
        write(`${stamp()} ${role.id} could not settle: ${error.message}`);
      }
      history.push({ role: 'assistant', content: answer.output });
    }
  };
  await Promise.all(
    agents.map(({ role, agent }) =>
      (agent.state === 'waiting'
        ? agent.whenRunnable().then(() => work(role, agent))
        : work(role, agent)
      ).finally(() => agent.release()),
    ),
  );

  write('');
  write('Windows at the end:');
  for (const { role } of agents) {
    const row = kernel.usage({ by: 'agent' }).find((r) => r.key === role.id);
    write(
      `  ${role.id.padEnd(10)} ${row === undefined ? 'no calls' : `${row.calls} calls, ${(row.inputTokens + row.outputTokens).toLocaleString('en-US')} tokens, $${(row.costNano / 1e9).toFixed(4)}`}`,
    );
  }
  const report = kernel.report();
  write('');
  write(report);
  await kernel.close();
  return { kernel, signals, calls, report };
}
