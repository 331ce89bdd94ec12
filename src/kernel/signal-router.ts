import type { AgentCore } from '../agents/agent-core.js';
import type { AgentMachineEvent } from '../agents/agent-machine.js';
import type { SignalEvent, SignalLimit, SignalName } from '../agents/signal.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { Clock } from '../clock.js';

/** Where the router reports what it cannot deliver. */
export interface RouterSinks {
  readonly signal: (event: SignalEvent) => void;
  readonly error: (error: unknown, context: Readonly<Record<string, unknown>>) => void;
}

/**
 * Turns crossings into signals, once per crossing, and delivers them in order. Signals are
 * queued while an operation mutates state and flushed when it is done, so a handler that calls
 * back into the kernel always sees consistent state; a handler that throws is reported, and the
 * remaining handlers and signals still run.
 */
export class SignalRouter {
  readonly #queue: Array<{ core: AgentCore; event: AgentMachineEvent }> = [];
  #flushing = false;
  readonly #clock: Clock;
  readonly #sinks: RouterSinks;

  constructor(clock: Clock, sinks: RouterSinks) {
    this.#clock = clock;
    this.#sinks = sinks;
  }

  /** The machine's `deliver` action lands here: agent handlers, then kernel subscribers. */
  deliver(core: AgentCore, event: SignalEvent): void {
    const handlers = core.handlers?.get(event.signal);
    if (handlers !== undefined) {
      for (const handler of [...handlers]) {
        try {
          handler(event);
        } catch (error) {
          this.#sinks.error(error, {
            source: 'signal handler',
            agentId: core.id,
            signal: event.signal,
          });
        }
      }
    }
    this.#sinks.signal(event);
  }

  /** Queues a signal for `core`. */
  emit(
    core: AgentCore,
    signal: Exclude<SignalName, 'SIGRESUME'>,
    limit: SignalLimit,
    reason: string,
  ): void {
    this.#queue.push({
      core,
      event: { type: signal, signal: this.#event(core, signal, limit, reason) },
    });
  }

  /** Queues a lifecycle event that delivers nothing (ADMIT, REARM, RELEASE). */
  quiet(core: AgentCore, type: 'ADMIT' | 'REARM' | 'RELEASE'): void {
    this.#queue.push({ core, event: { type } });
  }

  /** Delivers everything queued, in order. Re-entrant calls return at once; the outer loop drains. */
  flush(): void {
    // Runs after every operation: kept small (the delivery loop apart) so that it is inlined.
    if (this.#queue.length !== 0 && !this.#flushing) this.#drain();
  }

  #drain(): void {
    this.#flushing = true;
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
        item.core.lifecycle.send(item.event);
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Window used reached a warn threshold or its total. Returns how many signals it queued. */
  windowCrossing(core: AgentCore): number {
    if (core.total === 0) {
      core.syncWindow();
      return 0;
    }
    let n = 0;
    const crossed = core.ladder.advance(core.used, core.total);
    core.syncWindow();
    for (const threshold of crossed) {
      this.emit(core, 'SIGWARN', windowLimit(core, threshold), `window ${pct(threshold)} used`);
      n++;
    }
    if (core.used >= core.total && !core.ladder.stopped) {
      core.ladder.stopped = true;
      if (
        this.stop(
          core,
          'window',
          windowLimit(core, 1),
          `window used up (${core.used.toLocaleString('en-US')}/${core.total.toLocaleString('en-US')} tokens)`,
        )
      )
        n++;
    }
    return n;
  }

  /**
   * A counter's used reached a threshold or its limit. Shared counters signal every agent they
   * apply to; model counters signal only the agent whose call crossed (it can switch models).
   */
  counterCrossing(counter: LimitCounter, origin: AgentCore | undefined, isModel: boolean): void {
    const { limit } = counter;
    const targets: Iterable<AgentCore> = isModel
      ? origin === undefined
        ? []
        : [origin]
      : (counter.agents as Set<AgentCore>);
    const crossings: Array<[number, 'tokens' | 'usd']> = [];
    for (const t of counter.tokenLadder.advance(counter.usedTokens, limit.tokens))
      crossings.push([t, 'tokens']);
    for (const t of counter.nanoLadder.advance(counter.usedNano, limit.nano))
      crossings.push([t, 'usd']);
    crossings.sort((a, b) => a[0] - b[0]);
    for (const [threshold, unit] of crossings) {
      for (const core of targets) {
        this.emit(
          core,
          'SIGWARN',
          counterLimit(counter, unit, threshold),
          `${limit.name} ${pct(threshold)} used`,
        );
      }
    }
    if (limit.hard && !isModel && !counter.tokenLadder.stopped && counter.exhausted) {
      counter.tokenLadder.stopped = true;
      const unit = counter.usedTokens >= limit.tokens ? 'tokens' : 'usd';
      for (const core of targets)
        this.stop(core, limit.name, counterLimit(counter, unit, 1), `${limit.name} reached`);
    }
    counter.retrigger();
  }

  /** Adds a stop cause; the first one stops the agent, each further limit is still signalled. */
  stop(core: AgentCore, cause: string, limit: SignalLimit, reason: string): boolean {
    if (core.stopCauses.has(cause) || core.final) return false;
    core.stopCauses.set(cause, limit);
    this.emit(core, 'SIGSTOP', limit, reason);
    return true;
  }

  /** Removes a stop cause; when none is left, SIGRESUME (to `warned` if a threshold is in force). */
  unstop(core: AgentCore, cause: string, reason: string): void {
    if (core.stopCount === 0) return;
    const limit = core.stopCauses.get(cause);
    if (limit === undefined || !core.stopCauses.delete(cause) || core.stopCauses.size > 0) return;
    const event = this.#event(core, 'SIGRESUME', limit, reason);
    this.#queue.push({ core, event: { type: 'SIGRESUME', signal: event, warned: core.warned } });
  }

  /** After thresholds were re-armed: a warned agent that is no longer over any goes back to active. */
  rearmed(core: AgentCore): void {
    if (!core.warned) this.quiet(core, 'REARM');
  }

  /** Builds a signal event with the agent's window figures. */
  #event(core: AgentCore, signal: SignalName, limit: SignalLimit, reason: string): SignalEvent {
    return {
      type: 'agent.signal',
      agentId: core.id,
      signal,
      limit,
      reason,
      used: core.used,
      reserved: core.reserved,
      total: core.total,
      time: this.#clock.now(),
    };
  }
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** The window as a signal limit. */
export function windowLimit(core: AgentCore, threshold: number): SignalLimit {
  return {
    scope: 'window',
    name: 'window',
    unit: 'tokens',
    threshold,
    used: core.used,
    reserved: core.reserved,
    total: core.total,
  };
}

/** A manual stop (an operator, a rule) as a signal limit. */
export function manualLimit(core: AgentCore): SignalLimit {
  return {
    scope: 'manual',
    name: 'manual',
    unit: 'tokens',
    threshold: 1,
    used: core.used,
    reserved: core.reserved,
    total: core.total,
  };
}

/** A counter as a signal limit, in tokens or USD. */
export function counterLimit(
  counter: LimitCounter,
  unit: 'tokens' | 'usd',
  threshold: number,
): SignalLimit {
  const { limit } = counter;
  return unit === 'tokens'
    ? {
        scope: limit.scope,
        name: limit.name,
        unit,
        threshold,
        used: counter.usedTokens,
        reserved: counter.reservedTokens,
        total: limit.tokens,
      }
    : {
        scope: limit.scope,
        name: limit.name,
        unit,
        threshold,
        used: counter.usedNano / 1e9,
        reserved: counter.reservedNano / 1e9,
        total: limit.nano / 1e9,
      };
}
