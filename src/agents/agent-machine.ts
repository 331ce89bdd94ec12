import { getNextSnapshot, setup } from 'xstate';
import type { SignalEvent } from './signal.js';

/** The lifecycle states of a governed agent. `released` and `killed` are final. */
export type AgentState = 'waiting' | 'active' | 'warned' | 'stopped' | 'released' | 'killed';

/** Events the agent machine accepts. Signals carry the event delivered to subscribers. */
export type AgentMachineEvent =
  | { type: 'ADMIT' }
  | { type: 'SIGWARN'; signal: SignalEvent }
  | { type: 'SIGSTOP'; signal: SignalEvent }
  | { type: 'SIGRESUME'; signal: SignalEvent; warned: boolean }
  | { type: 'SIGKILL'; signal: SignalEvent }
  | { type: 'REARM' }
  | { type: 'RELEASE' };

/** The machine's context: where delivered signals go. */
export interface AgentMachineContext {
  readonly deliver: (signal: SignalEvent) => void;
}

/**
 * The governed agent's lifecycle: `waiting → active ⇄ warned → stopped → (SIGRESUME)
 * active|warned`, finals `released` and `killed`. Delivering a signal to subscribers is the
 * named action `deliver`, swappable with `agentMachine.provide()` in tests.
 */
export const agentMachine = setup({
  types: {
    context: {} as AgentMachineContext,
    input: {} as AgentMachineContext,
    events: {} as AgentMachineEvent,
  },
  actions: {
    deliver: ({ context, event }) => {
      if ('signal' in event) context.deliver(event.signal);
    },
  },
  guards: {
    resumesWarned: ({ event }) => event.type === 'SIGRESUME' && event.warned,
  },
}).createMachine({
  id: 'agent',
  context: ({ input }) => ({ deliver: input.deliver }),
  initial: 'waiting',
  states: {
    waiting: {
      on: {
        ADMIT: 'active',
        RELEASE: 'released',
        SIGKILL: { target: 'killed', actions: 'deliver' },
      },
    },
    active: {
      on: {
        SIGWARN: { target: 'warned', actions: 'deliver' },
        SIGSTOP: { target: 'stopped', actions: 'deliver' },
        SIGKILL: { target: 'killed', actions: 'deliver' },
        RELEASE: 'released',
      },
    },
    warned: {
      on: {
        SIGWARN: { target: 'warned', actions: 'deliver', reenter: false },
        SIGSTOP: { target: 'stopped', actions: 'deliver' },
        SIGKILL: { target: 'killed', actions: 'deliver' },
        REARM: 'active',
        RELEASE: 'released',
      },
    },
    stopped: {
      on: {
        SIGWARN: { actions: 'deliver' },
        SIGSTOP: { actions: 'deliver' },
        SIGRESUME: [
          { guard: 'resumesWarned', target: 'warned', actions: 'deliver' },
          { target: 'active', actions: 'deliver' },
        ],
        SIGKILL: { target: 'killed', actions: 'deliver' },
        RELEASE: 'released',
      },
    },
    released: { type: 'final' },
    killed: { type: 'final' },
  },
});

const STATES: readonly AgentState[] = [
  'waiting',
  'active',
  'warned',
  'stopped',
  'released',
  'killed',
];
const silent: AgentMachineContext = { deliver: () => undefined };

/**
 * Transitions that deliver nothing (ADMIT, REARM, RELEASE), derived once from the machine itself,
 * so an agent that has never crossed a threshold moves through its lifecycle without paying for
 * an actor (creating one costs ~10–20 µs here; a table lookup, nanoseconds).
 */
export const quietTransitions: ReadonlyMap<string, AgentState> = (() => {
  const table = new Map<string, AgentState>();
  for (const value of STATES) {
    for (const type of ['ADMIT', 'REARM', 'RELEASE'] as const) {
      const snapshot = agentMachine.resolveState({ value, context: silent });
      const next = getNextSnapshot(agentMachine, snapshot, { type });
      table.set(`${value}:${type}`, next.value as AgentState);
    }
  }
  return table;
})();
