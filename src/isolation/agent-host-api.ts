import type { GovernedAgent } from '../agents/governed-agent.js';
import type { Reservation } from '../agents/reservation.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { Invoke } from '../calls/call-types.js';
import type { Clock } from '../clock.js';
import { KernelError } from '../errors.js';
import { expectObject, invalid } from '../validate.js';
import {
  checkArity,
  checkBatch,
  checkBatchOp,
  checkCallOptions,
  checkRecordOptions,
  checkReservationId,
  checkReserveRequest,
  checkUsage,
} from './boundary-checks.js';
import type {
  BatchOp,
  BatchResult,
  Envelope,
  IsolatedAgentStatus,
  RemoteMethod,
  ReservationTicket,
} from './isolated-protocol.js';
import { toWireError } from './wire-error.js';

/** Unsettled reservations one isolated agent may keep on the main thread. */
export const MAX_HELD_RESERVATIONS = 10_000;

/** The governed call, when the kernel provides it (`agent.call(request, invoke, options)`). */
interface CallCapable {
  call(request: unknown, invoke: Invoke<unknown>, options: object): Promise<unknown>;
}

/** What the host API needs besides the agent. */
export interface AgentHostApiOptions {
  readonly onStop: 'wait' | 'reject';
  readonly callTimeoutMs: number | undefined;
  readonly maxTtlMs: number;
  readonly invoke: Invoke<unknown> | undefined;
  readonly clock: Clock;
  /** A call of the agent is waiting because the agent is stopped. */
  readonly onBlocked: (method: RemoteMethod) => void;
  /** A call of the agent was refused (bad argument, budget, …). */
  readonly onRefused: (method: string, error: unknown) => void;
}

type Answer<T> = Envelope<T> | Promise<Envelope<T>>;

/**
 * The main-thread side of one isolated agent: the only object its worker can reach. Every
 * method is bound to this one agent, validates its arguments as the public API does (and refuses
 * unknown keys and extra arguments), and answers with an {@link Envelope}. Reservations stay
 * here, keyed by id: the worker can settle only its own.
 */
export class AgentHostApi {
  readonly #agent: GovernedAgent;
  readonly #o: AgentHostApiOptions;
  readonly #held = new Map<string, Reservation>();
  readonly #aborts = new Set<AbortController>();
  readonly #callable: boolean;
  #ended = false;

  constructor(agent: GovernedAgent, options: AgentHostApiOptions) {
    this.#agent = agent;
    this.#o = options;
    this.#callable =
      options.invoke !== undefined &&
      typeof (agent as unknown as Partial<CallCapable>).call === 'function';
  }

  /** The methods the worker may call: `call` only when the kernel has governed calls and an `invoke` was given. */
  get methods(): readonly RemoteMethod[] {
    const all: RemoteMethod[] = ['reserve', 'commit', 'cancel', 'record', 'status', 'batch'];
    return this.#callable ? [...all, 'call'] : all;
  }

  /** Reservations the worker has not settled yet (expired ones included until settled). */
  get held(): number {
    return this.#held.size;
  }

  reserve(...args: unknown[]): Answer<ReservationTicket> {
    return this.#run('reserve', () => {
      checkArity('reserve', args, 1, 1);
      const request = checkReserveRequest(args[0], this.#o.maxTtlMs);
      const hold = (): ReservationTicket => {
        this.#makeRoom();
        const r = this.#agent.reserve(request);
        this.#held.set(r.id, r);
        return ticketOf(r);
      };
      const wait = this.#gate('reserve');
      return wait === undefined ? hold() : wait.then(hold);
    });
  }

  commit(...args: unknown[]): Answer<UsageRecord> {
    return this.#run('commit', () => {
      checkArity('commit', args, 2, 2);
      const r = this.#reservation(args[0]);
      const record = r.commit(checkUsage(args[1]));
      this.#held.delete(r.id);
      return record;
    });
  }

  cancel(...args: unknown[]): Answer<boolean> {
    return this.#run('cancel', () => {
      checkArity('cancel', args, 1, 1);
      const r = this.#reservation(args[0]);
      const returned = r.cancel();
      this.#held.delete(r.id);
      return returned;
    });
  }

  /** Books at once (the call happened); while stopped with `onStop: 'wait'` the answer waits. */
  record(...args: unknown[]): Answer<UsageRecord> {
    return this.#run('record', () => {
      checkArity('record', args, 1, 2);
      const usage = checkUsage(args[0]);
      const record = this.#agent.record(usage, checkRecordOptions(args[1]));
      const wait = this.#o.onStop === 'wait' ? this.#gate('record') : undefined;
      return wait === undefined
        ? record
        : wait.then(
            () => record,
            (e: unknown) => booked(e, record),
          );
    });
  }

  status(...args: unknown[]): Answer<IsolatedAgentStatus> {
    return this.#run('status', () => {
      checkArity('status', args, 0, 0);
      const a = this.#agent;
      return {
        id: a.id,
        state: a.state,
        runnable: a.runnable,
        stopCauses: a.stopCauses,
        window: a.window,
      };
    });
  }

  /** Runs operations in order in one round trip; each answers on its own (one failing does not stop the rest). */
  batch(...args: unknown[]): Answer<BatchResult[]> {
    return this.#run('batch', () => {
      checkArity('batch', args, 1, 1);
      return this.#batchFrom(checkBatch(args[0]), 0, []);
    });
  }

  /** A governed call through the kernel (and its cache); the model is called on the main thread. */
  call(...args: unknown[]): Answer<unknown> {
    return this.#run('call', () => {
      if (!this.#callable)
        throw new KernelError('INVALID_ARGUMENT', 'This isolated agent has no governed `call`');
      checkArity('call', args, 1, 2);
      const request = expectObject('request', args[0]);
      const options = checkCallOptions(args[1]);
      const go = async (): Promise<unknown> => {
        const abort = this.#abortable();
        try {
          const result = await (this.#agent as unknown as CallCapable).call(
            request,
            this.#o.invoke as Invoke<unknown>,
            { ...options, signal: abort.signal },
          );
          return cloneable(result);
        } finally {
          this.#aborts.delete(abort);
        }
      };
      const wait = this.#gate('call');
      return wait === undefined ? go() : wait.then(go);
    });
  }

  /** Ends the API: waiting calls and calls in flight are aborted, held reservations forgotten (the kernel released them). */
  close(): void {
    this.#ended = true;
    for (const a of this.#aborts)
      a.abort(new KernelError('AGENT_RELEASED', 'The isolated agent ended'));
    this.#aborts.clear();
    this.#held.clear();
  }

  #batchFrom(
    ops: readonly BatchOp[],
    from: number,
    out: BatchResult[],
  ): BatchResult[] | Promise<BatchResult[]> {
    for (let i = from; i < ops.length; i++) {
      const answer = this.#one(ops[i], i);
      if (answer instanceof Promise)
        return answer.then((a) => {
          out.push(a);
          return this.#batchFrom(ops, i + 1, out);
        });
      out.push(answer);
    }
    return out;
  }

  #one(value: unknown, index: number): Answer<ReservationTicket | UsageRecord | boolean> {
    let op: BatchOp;
    try {
      op = checkBatchOp(value, index);
    } catch (error) {
      return this.#refuse('batch', error);
    }
    switch (op.op) {
      case 'reserve':
        return this.reserve(op.request);
      case 'commit':
        return this.commit(op.id, op.usage);
      case 'cancel':
        return this.cancel(op.id);
      case 'record':
        return op.options === undefined ? this.record(op.usage) : this.record(op.usage, op.options);
    }
  }

  #reservation(id: unknown): Reservation {
    const r = this.#held.get(checkReservationId(id));
    if (r === undefined)
      invalid('reservationId', "the id of one of this agent's unsettled reservations", id);
    return r;
  }

  /** Forgets expired/released reservations when the map is full; refuses when all are open. */
  #makeRoom(): void {
    if (this.#held.size < MAX_HELD_RESERVATIONS) return;
    for (const [id, r] of this.#held) if (r.state !== 'open') this.#held.delete(id);
    if (this.#held.size >= MAX_HELD_RESERVATIONS)
      invalid('unsettled reservations', `fewer than ${MAX_HELD_RESERVATIONS}`, this.#held.size);
  }

  /**
   * Undefined when the call may go now (runnable, or `onStop: 'reject'` and the kernel will
   * refuse it itself, or the agent has ended and the kernel will say so); else a promise that
   * resolves once the agent may run (rejecting `AGENT_NOT_RUNNABLE` after `callTimeoutMs`).
   */
  #gate(method: RemoteMethod): Promise<void> | undefined {
    const a = this.#agent;
    if (a.runnable || this.#o.onStop === 'reject' || a.state === 'released' || a.state === 'killed')
      return undefined;
    this.#o.onBlocked(method);
    return this.#waitRunnable();
  }

  async #waitRunnable(): Promise<void> {
    const abort = this.#abortable();
    const { callTimeoutMs, clock } = this.#o;
    const timer =
      callTimeoutMs === undefined
        ? undefined
        : clock.setTimeout(
            () =>
              abort.abort(
                new KernelError(
                  'AGENT_NOT_RUNNABLE',
                  `Agent \`${this.#agent.id}\` stayed stopped for ${callTimeoutMs} ms (callTimeoutMs)`,
                  { details: { agentId: this.#agent.id, callTimeoutMs } },
                ),
              ),
            callTimeoutMs,
          );
    try {
      // Runnable can end again between the wake-up and this continuation: wait again then.
      while (!this.#agent.runnable) {
        try {
          await this.#agent.whenRunnable({ signal: abort.signal });
        } catch (error) {
          throw abort.signal.aborted && abort.signal.reason instanceof KernelError
            ? abort.signal.reason
            : error;
        }
      }
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  #abortable(): AbortController {
    const abort = new AbortController();
    if (this.#ended) abort.abort(new KernelError('AGENT_RELEASED', 'The isolated agent ended'));
    this.#aborts.add(abort);
    return abort;
  }

  #run<T>(method: string, fn: () => T | Promise<T>): Answer<T> {
    try {
      const value = fn();
      if (value instanceof Promise)
        return value.then(
          (v) => ({ ok: true, value: v }),
          (error: unknown) => this.#refuse(method, error),
        );
      return { ok: true, value };
    } catch (error) {
      return this.#refuse(method, error);
    }
  }

  #refuse(method: string, error: unknown): Envelope<never> {
    this.#o.onRefused(method, error);
    return { ok: false, error: toWireError(error) };
  }
}

/** A record's wait failed after the usage was booked: say so, so the agent does not book it twice. */
function booked(error: unknown, record: UsageRecord): never {
  if (!(error instanceof KernelError)) throw error;
  throw new KernelError(
    error.code,
    `${error.message} (the usage was booked: record ${record.seq})`,
    {
      cause: error,
      details: { ...error.details, recordSeq: record.seq },
    },
  );
}

function ticketOf(r: Reservation): ReservationTicket {
  return {
    id: r.id,
    model: r.model,
    inputTokens: r.inputTokens,
    maxOutputTokens: r.maxOutputTokens,
    tokens: r.tokens,
    costNano: r.costNano,
    expiresAt: r.expiresAt,
  };
}

/** A call's result must cross to the worker; say so plainly when it cannot (the usage is booked). */
function cloneable(result: unknown): unknown {
  try {
    structuredClone(result);
  } catch (error) {
    throw new KernelError(
      'WORKER_FAILED',
      `The call's result cannot be sent to the isolated agent (not structured-cloneable): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return result;
}
