import type { GovernedAgent } from '../agents/governed-agent.js';
import type { SignalEvent } from '../agents/signal.js';
import type { ResolvedCallRequest } from '../calls/call-types.js';
import { isKernelError } from '../errors.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { formatBar } from '../kernel/kernel-status.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { CORE_ROLES, extraRole, FAQ, type DemoRole } from './demo-roles.js';
import { plainView, ttyView, type DemoView } from './demo-view.js';
import { FakeModel } from './fake-model.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Number of agents (at least 5; more are cache-sharing support agents). @default 6 */
  readonly agents?: number;
  /** Pool size in tokens. @default 80_000 */
  readonly budget?: number;
  /** Seed of the fake model. @default 42 */
  readonly seed?: number;
  /** Milliseconds each simulated model call takes. @default 25 */
  readonly speed?: number;
  /** Where lines go. */
  readonly write: (line: string) => void;
  /** A terminal to draw live per-agent bars on, in place (raw chunks); plain lines without it. */
  readonly terminal?: (chunk: string) => void;
  /** Called with the kernel as soon as it exists (to serve its dashboard, say). */
  readonly onKernel?: (kernel: Kernel) => void;
  /** Leave the kernel open after the run (the caller closes it). @default false */
  readonly keepOpen?: boolean;
}

/** What the demo leaves behind, for callers and tests. */
export interface DemoResult {
  readonly kernel: Kernel;
  readonly signals: readonly SignalEvent[];
  readonly calls: number;
  readonly cacheHits: number;
  readonly compactions: number;
  readonly report: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A simulated multi-agent run on a deterministic offline model. Agents of several priorities and
 * users make governed calls (reserve, call, commit); support agents repeat the same questions at
 * temperature 0, so the response cache pays; the writer compacts its own history when warned; the
 * runaway books its calls after the fact and is stopped by its window; a supervisor grants the
 * researcher more tokens from inside its SIGWARN handler. Signals print as they happen; a cost
 * report closes the run.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const count = Math.max(CORE_ROLES.length, options.agents ?? 6);
  const budget = options.budget ?? 80_000;
  const speed = options.speed ?? 25;
  const seed = options.seed ?? 42;
  const model = new FakeModel({ seed });
  const kernel = createKernel({
    totalBudget: budget,
    warnThresholds: [0.5, 0.85],
    limits: [{ scope: 'user', id: 'bob', period: 'day', usd: 0.04 }],
    downgrade: { 'gpt-4o': 'gpt-4o-mini' },
  });
  options.onKernel?.(kernel);
  const start = Date.now();
  const stamp = (): string => `[${((Date.now() - start) / 1000).toFixed(2)}s]`;
  const roles: DemoRole[] = [...CORE_ROLES];
  for (let n = 2; roles.length < count; n++) roles.push(extraRole(n));
  const agents: GovernedAgent[] = [];
  const view: DemoView =
    options.terminal === undefined
      ? plainView(options.write)
      : ttyView(options.terminal, () => agents, Date.now);

  const signals: SignalEvent[] = [];
  kernel.on('signal', (e) => {
    signals.push(e);
    const figure =
      e.limit.unit === 'tokens'
        ? formatBar(e.limit.used, e.limit.total)
        : `$${e.limit.used.toFixed(4)} of $${e.limit.total.toFixed(2)}`;
    view.line(
      `${stamp()} ${e.agentId.padEnd(10)} ${e.signal.padEnd(9)} ${e.reason.padEnd(34)} ${figure}`,
    );
  });
  kernel.on('error', (e) => view.line(`${stamp()} error: ${String(e.error)}`));

  view.line(
    `token-kernel demo: ${roles.length} agents share a pool of ${budget.toLocaleString('en-US')} tokens (seed ${seed})`,
  );
  for (const role of roles) {
    const agent = kernel.spawn({
      id: role.id,
      priority: role.priority,
      model: role.model,
      task: role.task,
      userId: role.userId,
      ...(role.maxTokens !== undefined && { maxTokens: role.maxTokens }),
    });
    agents.push(agent);
    view.line(
      `  spawned ${role.id.padEnd(10)} ${role.priority.padEnd(8)} ${role.model.padEnd(24)} ${agent.state === 'waiting' ? 'waiting for a window' : `window ${agent.window.total.toLocaleString('en-US')} tokens`}`,
    );
  }

  // The supervisor tops the researcher up once, from inside its SIGWARN handler: handlers may call
  // back into the kernel (signals are delivered after the state change is complete).
  let granted = false;
  kernel.agent('researcher').on('SIGWARN', (e) => {
    if (granted || e.limit.scope !== 'window' || e.limit.threshold < 0.85) return;
    granted = true;
    view.line(`${stamp()} supervisor grants researcher 3,000 tokens`);
    kernel.grant('researcher', 3_000);
  });

  const invoke = async (
    req: ResolvedCallRequest,
  ): Promise<{
    output: string;
    usage: { inputTokens: number; outputTokens: number; cacheReadTokens?: number };
    finishReason: 'stop' | 'length';
  }> =>
    model.invoke({
      model: req.model,
      messages: req.messages,
      maxOutputTokens: req.maxOutputTokens,
    });

  let calls = 0;
  let cacheHits = 0;
  let compactions = 0;
  // Each agent is a sequence of steps; a round-robin scheduler runs one step of each live agent
  // per tick, in a fixed order, so a seed always gives the same run whatever the machine's speed
  // (`speed` only paces the ticks for the eye).
  const stepper = (
    role: DemoRole,
    agent: GovernedAgent,
  ): { step(): Promise<boolean>; end(): Promise<void> } => {
    let history: ChatMessage[] = [{ role: 'system', content: role.system }];
    let step = 0;
    let stoppedTicks = 0;
    const compaction =
      role.style === 'compacting'
        ? kernel.compactOnWarn(role.id, {
            contextTokens: 2_000,
            policy: { highWater: 0.5, lowWater: 0.3 },
            keepRecent: 1,
            read: () => history,
            write: (messages, result) => {
              history = messages;
              compactions++;
              view.line(
                `${stamp()} ${role.id.padEnd(10)} compacted its context ${result.tokensBefore} → ${result.tokensAfter} tokens (${result.stages.join(', ')})`,
              );
            },
          })
        : undefined;
    const end = (why: string): false => {
      view.line(`${stamp()} ${role.id.padEnd(10)} ends: ${why}`);
      return false;
    };
    return {
      async step(): Promise<boolean> {
        if (step >= role.steps) return false;
        if (agent.state === 'waiting') return true;
        if (!agent.runnable)
          return ++stoppedTicks > 8
            ? end(`stopped by ${agent.stopCauses.join(', ') || agent.state}`)
            : true;
        stoppedTicks = 0;
        step++;
        if (role.style === 'naive') {
          // The runaway calls first and books after, with no reservation: the kernel records the
          // truth, then stops it once its window is used up.
          history.push({
            role: 'user',
            content: `Page ${step}: summarize the next page you found.`,
          });
          const answer = await invoke({
            model: role.model,
            messages: history,
            maxOutputTokens: 400,
          });
          agent.record(answer.usage);
          history.push({ role: 'assistant', content: answer.output });
          calls++;
          return true;
        }
        const cached = role.style === 'cached';
        const messages: ChatMessage[] = cached
          ? [
              history[0] as ChatMessage,
              { role: 'user', content: FAQ[(step - 1) % FAQ.length] as string },
            ]
          : [
              ...history,
              {
                role: 'user',
                content: `Step ${step}: continue with the next part of "${role.task}".`,
              },
            ];
        try {
          const res = await agent.call(
            { messages, maxOutputTokens: 300, ...(cached && { temperature: 0 }) },
            invoke,
            { cacheScope: 'help-center' },
          );
          calls++;
          if (res.cached) cacheHits++;
          if (!cached) history = [...messages, { role: 'assistant', content: res.output }];
        } catch (error) {
          if (!isKernelError(error)) throw error;
          return end(
            error.code === 'BUDGET_EXCEEDED'
              ? `no room for another call (${String(error.details['limit'])})`
              : error.message,
          );
        }
        await compaction?.settled();
        return true;
      },
      async end(): Promise<void> {
        await compaction?.settled();
        compaction?.();
        agent.release();
      },
    };
  };
  const live = agents.map((agent, i) => ({ agent, runner: stepper(roles[i] as DemoRole, agent) }));
  while (live.length > 0) {
    for (const item of [...live]) {
      if (await item.runner.step()) continue;
      await item.runner.end();
      live.splice(live.indexOf(item), 1);
    }
    view.update();
    if (speed > 0) await sleep(speed);
  }
  view.end();

  options.write('');
  options.write('Spend by agent:');
  for (const row of kernel.usage({ by: 'agent' })) {
    options.write(
      `  ${row.key.padEnd(11)} ${String(row.calls).padStart(3)} calls  ${(row.inputTokens + row.outputTokens).toLocaleString('en-US').padStart(7)} tokens  $${(row.costNano / 1e9).toFixed(4)}${row.cachedCalls > 0 ? `  (${row.cachedCalls} from cache, saved $${(row.savedNano / 1e9).toFixed(4)})` : ''}`,
    );
  }
  const report = kernel.report();
  options.write('');
  options.write(report);
  if (options.keepOpen !== true) await kernel.close();
  return { kernel, signals, calls, cacheHits, compactions, report };
}
