import { createActor, type Actor, type AnyActorRef } from 'xstate';
import {
  agentMachine,
  quietTransitions,
  type AgentMachineEvent,
  type AgentState,
} from './agent-machine.js';
import type { SignalEvent } from './signal.js';

type AgentActor = Actor<typeof agentMachine>;

/**
 * Where a lifecycle keeps its two hot flags: the agent's own record (`AgentCore`), so that the
 * accounting path reads them without touching the lifecycle object.
 */
export interface LifecycleFlags {
  /** True once the machine reached `released` or `killed`. */
  final: boolean;
  /** True while `active` or `warned`. */
  running: boolean;
}

/**
 * One agent's lifecycle, backed by {@link agentMachine}. The xstate actor is created on the
 * first signal crossing (or when `actor` is read), seeded with the current state; before that,
 * quiet transitions come from the table derived from the same machine.
 */
export class AgentLifecycle {
  #state: AgentState;
  #actor: AgentActor | undefined;
  readonly #deliver: (signal: SignalEvent) => void;
  readonly #machine: typeof agentMachine;
  readonly #parent: AnyActorRef | undefined;

  readonly #flags: LifecycleFlags;

  /**
   * @param flags where `final` and `running` are kept (an object of their own by default).
   * @param parent the kernel's actor: agent actors under it share one actor system.
   */
  constructor(
    initial: AgentState,
    deliver: (signal: SignalEvent) => void,
    parent?: AnyActorRef,
    machine = agentMachine,
    flags: LifecycleFlags = { final: false, running: false },
  ) {
    this.#state = initial;
    this.#flags = flags;
    setFlags(flags, initial);
    this.#deliver = deliver;
    this.#parent = parent;
    this.#machine = machine;
  }

  /** The machine's current state value. */
  get state(): AgentState {
    return this.#actor === undefined
      ? this.#state
      : (this.#actor.getSnapshot().value as AgentState);
  }

  /** True once the machine reached `released` or `killed`. */
  get final(): boolean {
    return this.#flags.final;
  }

  /** True while `active` or `warned`. */
  get running(): boolean {
    return this.#flags.running;
  }

  /** The live xstate actor (materialized on first read). */
  get actor(): AgentActor {
    if (this.#actor === undefined) {
      const snapshot = this.#machine.resolveState({
        value: this.#state,
        context: { deliver: this.#deliver },
      });
      this.#actor = createActor(this.#machine, {
        snapshot,
        input: { deliver: this.#deliver },
        ...(this.#parent !== undefined && { parent: this.#parent }),
      });
      this.#actor.start();
    }
    return this.#actor;
  }

  /** Sends an event. Signals always go through the actor; quiet events use the table until one exists. */
  send(event: AgentMachineEvent): void {
    if (
      this.#actor === undefined &&
      (event.type === 'ADMIT' || event.type === 'REARM' || event.type === 'RELEASE')
    ) {
      this.#state = quietTransitions.get(`${this.#state}:${event.type}`) ?? this.#state;
    } else if (!this.#flags.final) {
      this.actor.send(event);
    }
    setFlags(this.#flags, this.state);
  }
}

function setFlags(flags: LifecycleFlags, s: AgentState): void {
  flags.final = s === 'released' || s === 'killed';
  flags.running = s === 'active' || s === 'warned';
}
