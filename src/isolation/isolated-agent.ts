import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { GovernedAgent } from '../agents/governed-agent.js';
import type { SignalEvent, SignalName } from '../agents/signal.js';
import { KernelError, isKernelError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { resolveWorkerFile, type WorkerFile } from '../runtime/worker-file.js';
import { expectOneOf, invalid } from '../validate.js';
import { AgentHostApi } from './agent-host-api.js';
import { guardedEndpoint } from './guarded-endpoint.js';
import {
  resolveIsolatedOptions,
  type IsolatedAgentOptions,
  type ResolvedIsolatedOptions,
} from './isolated-agent-options.js';
import type { ControlMessage, HostData, RemoteMethod, SignalMessage } from './isolated-protocol.js';
import { launchWorker } from './worker-launch.js';
import { fromWireError, toWireError } from './wire-error.js';

/** How an isolated agent's run ended. */
export type IsolatedOutcome =
  /** The module's default export returned (or resolved) `value`; the agent was released. */
  | { readonly status: 'returned'; readonly value: unknown }
  /** SIGKILL (`kernel.kill`, `isolated.kill`, or the agent released from outside) ended it. */
  | { readonly status: 'killed'; readonly reason: string }
  /** The module threw, or the worker died (`ERR_WORKER_OUT_OF_MEMORY`, …); the agent was killed. */
  | { readonly status: 'crashed'; readonly error: Error }
  /** The worker exited on its own (`process.exit`) before returning; the agent was killed. */
  | { readonly status: 'exited'; readonly exitCode: number; readonly error: KernelError };

/** A kernel call of the isolated agent waits because the agent is stopped. */
export interface IsolatedBlockedEvent {
  readonly type: 'isolated.blocked';
  readonly agentId: string;
  readonly method: RemoteMethod;
}

/** The boundary or the kernel refused a call of the isolated agent (bad argument, budget, …). */
export interface IsolatedRefusedEvent {
  readonly type: 'isolated.refused';
  readonly agentId: string;
  /** The method called, or `boundary` for a raw message the guard refused. */
  readonly method: string;
  readonly code: string;
  readonly message: string;
}

/** Event names and payloads of {@link IsolatedAgent.on}. */
export interface IsolatedAgentEventMap {
  blocked: IsolatedBlockedEvent;
  refused: IsolatedRefusedEvent;
}

const FORWARDED: readonly SignalName[] = ['SIGWARN', 'SIGSTOP', 'SIGRESUME'];
const EVENT_TYPES: ReadonlyArray<keyof IsolatedAgentEventMap> = ['blocked', 'refused'];

/**
 * An agent whose own code runs in a worker thread. `agent` is its governed agent (window,
 * state, signals, grant/stop/kill through the kernel as for any agent); `done` settles with how
 * the run ended, and never rejects. Created by {@link spawnIsolated}.
 */
export class IsolatedAgent {
  /** The governed agent: the handle the kernel knows. */
  readonly agent: GovernedAgent;
  /** How the run ended; settles once the worker thread is gone and the window reclaimed. */
  readonly done: Promise<IsolatedOutcome>;
  readonly #kernel: Kernel;
  readonly #worker: Worker;
  readonly #api: AgentHostApi;
  readonly #detach: () => void;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #handlers = {
    blocked: new Set<(e: IsolatedBlockedEvent) => void>(),
    refused: new Set<(e: IsolatedRefusedEvent) => void>(),
  };
  #outcome: IsolatedOutcome | undefined;
  #resolve!: (outcome: IsolatedOutcome) => void;

  /** @internal use {@link spawnIsolated} */
  constructor(
    kernel: Kernel,
    agent: GovernedAgent,
    moduleUrl: string,
    file: WorkerFile,
    o: ResolvedIsolatedOptions,
  ) {
    this.#kernel = kernel;
    this.agent = agent;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    this.#api = new AgentHostApi(agent, {
      onStop: o.onStop,
      callTimeoutMs: o.callTimeoutMs,
      maxTtlMs: o.maxTtlMs,
      invoke: o.invoke,
      clock: o.clock,
      onBlocked: (method) =>
        this.#emit('blocked', { type: 'isolated.blocked', agentId: agent.id, method }),
      onRefused: (method, error) => {
        const wire = toWireError(error);
        this.#emit('refused', {
          type: 'isolated.refused',
          agentId: agent.id,
          method,
          code: wire.code,
          message: wire.message,
        });
      },
    });
    const data: HostData = {
      moduleUrl,
      data: o.data,
      agentId: agent.id,
      methods: this.#api.methods,
    };
    this.#worker = launchWorker(file, {
      workerData: data,
      resourceLimits: o.resourceLimits,
      name: `isolated:${agent.id}`,
    });
    const guard = guardedEndpoint(this.#worker, this.#api.methods, {
      control: (m) => this.#onControl(m),
      refused: (what) =>
        this.#emit('refused', {
          type: 'isolated.refused',
          agentId: agent.id,
          method: 'boundary',
          code: 'INVALID_ARGUMENT',
          message: what,
        }),
    });
    Comlink.expose(this.#api, guard);
    this.#detach = () => guard.detach();
    this.#worker.on('error', (error) => this.#end({ status: 'crashed', error }));
    this.#worker.on('exit', (exitCode) =>
      this.#end({
        status: 'exited',
        exitCode,
        error: new KernelError(
          'WORKER_FAILED',
          `The worker of agent \`${agent.id}\` exited with code ${exitCode} before returning`,
          {
            details: { agentId: agent.id, exitCode },
          },
        ),
      }),
    );
    for (const signal of FORWARDED)
      this.#unsubscribe.push(agent.on(signal, (event) => this.#forward(event)));
    this.#unsubscribe.push(
      agent.on('SIGKILL', (event) => this.#end({ status: 'killed', reason: event.reason })),
    );
    this.#unsubscribe.push(
      kernel.on('agent', (e) => {
        if (e.agentId === agent.id && e.type === 'agent.released' && agent.state === 'released')
          this.#end({ status: 'killed', reason: 'released' });
      }),
    );
  }

  get id(): string {
    return this.agent.id;
  }

  /** The worker thread's id. */
  get threadId(): number {
    return this.#worker.threadId;
  }

  /** Reservations the agent holds and has not settled. */
  get heldReservations(): number {
    return this.#api.held;
  }

  /**
   * Ends the agent with SIGKILL: the worker is terminated even mid-loop, open reservations are
   * released and the window reclaimed. Resolves with the outcome (the earlier one if it had
   * already ended).
   */
  async kill(reason = 'killed'): Promise<IsolatedOutcome> {
    if (this.#outcome === undefined && isLive(this.agent) && !this.#kernel.closed)
      await this.#kernel.kill(this.agent.id, reason);
    this.#end({ status: 'killed', reason });
    return this.done;
  }

  /** Subscribes to `blocked` or `refused`; returns the unsubscribe function. */
  on<K extends keyof IsolatedAgentEventMap>(
    type: K,
    handler: (event: IsolatedAgentEventMap[K]) => void,
  ): () => void {
    expectOneOf('type', type, EVENT_TYPES);
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    const set = this.#handlers[type] as Set<(event: IsolatedAgentEventMap[K]) => void>;
    set.add(handler);
    return () => void set.delete(handler);
  }

  #emit<K extends keyof IsolatedAgentEventMap>(type: K, event: IsolatedAgentEventMap[K]): void {
    for (const handler of [
      ...(this.#handlers[type] as Set<(event: IsolatedAgentEventMap[K]) => void>),
    ]) {
      try {
        handler(event);
      } catch (error) {
        process.emitWarning(error as Error);
      }
    }
  }

  #forward(event: SignalEvent): void {
    if (this.#outcome !== undefined) return;
    const message: SignalMessage = { tk: 'signal', event };
    this.#worker.postMessage(message);
  }

  #onControl(m: ControlMessage): void {
    if (m.tk === 'result') this.#end({ status: 'returned', value: m.value });
    else this.#end({ status: 'crashed', error: fromWireError(m.error) });
  }

  /** The one way out: the first outcome wins; the window is settled, then the thread ends. */
  #end(outcome: IsolatedOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    for (const off of this.#unsubscribe) off();
    this.#detach();
    this.#api.close();
    if (isLive(this.agent)) this.#settleAgent(outcome);
    void this.#worker.terminate().then(
      () => this.#resolve(outcome),
      () => this.#resolve(outcome),
    );
  }

  #settleAgent(outcome: IsolatedOutcome): void {
    if (outcome.status === 'returned' || this.#kernel.closed) {
      this.agent.release();
      return;
    }
    const reason =
      outcome.status === 'killed' ? outcome.reason : `${outcome.status}: ${outcome.error.message}`;
    // Kernel.kill is synchronous inside; the promise only carries its errors.
    this.#kernel.kill(this.agent.id, reason).catch((error: unknown) => {
      if (!isKernelError(error)) throw error;
      this.agent.release();
    });
  }
}

function isLive(agent: GovernedAgent): boolean {
  return agent.state !== 'released' && agent.state !== 'killed';
}

/**
 * Starts an agent's own code in a worker thread. `moduleUrl`'s default export is called with an
 * {@link IsolatedAgentApi} bound to this one agent (and `options.data`); nothing else of the
 * kernel is reachable from the worker.
 * @throws KernelError `INVALID_ARGUMENT` (options, module URL, uncloneable `data`), and what
 *   `kernel.spawn` throws (`DUPLICATE_AGENT`, `POOL_EXHAUSTED`, `KERNEL_CLOSED`)
 * @example
 * const run = await spawnIsolated(kernel, new URL('./researcher.js', import.meta.url), {
 *   id: 'researcher', maxTokens: 20_000, data: { topic: 'q1' },
 * });
 * const outcome = await run.done; // { status: 'returned', value } | killed | crashed | exited
 */
export async function spawnIsolated(
  kernel: Kernel,
  moduleUrl: string | URL,
  options: IsolatedAgentOptions,
): Promise<IsolatedAgent> {
  const o = resolveIsolatedOptions(options);
  const url = moduleHref(moduleUrl);
  const file = resolveWorkerFile('agent-host.worker');
  const agent = kernel.spawn(o.spawn);
  try {
    return new IsolatedAgent(kernel, agent, url, file, o);
  } catch (error) {
    agent.release();
    throw error;
  }
}

/** A `file:` URL (of an existing file) or a `data:` URL; an absolute path is turned into a `file:` URL. */
function moduleHref(value: unknown): string {
  let url: URL | undefined;
  if (value instanceof URL) url = value;
  else if (typeof value === 'string')
    url = isAbsolute(value)
      ? pathToFileURL(value)
      : URL.canParse(value)
        ? new URL(value)
        : undefined;
  if (url === undefined || (url.protocol !== 'file:' && url.protocol !== 'data:'))
    invalid('moduleUrl', 'a file: or data: URL, or an absolute path', value);
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url)))
    invalid('moduleUrl', 'the URL of an existing module file', url.href);
  return url.href;
}
