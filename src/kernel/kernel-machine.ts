import { createActor, setup, type Actor } from 'xstate';

/**
 * The kernel as an actor: it owns the pool and is the parent of every agent's actor, so all of
 * them share one actor system (an agent actor under a parent costs ~2.5 KB here; a root actor with
 * its own system ~4.1 KB). `running` until `close()`.
 */
export const kernelMachine = setup({
  types: { events: {} as { type: 'CLOSE' } },
}).createMachine({
  id: 'kernel',
  initial: 'running',
  states: {
    running: { on: { CLOSE: 'closed' } },
    closed: { type: 'final' },
  },
});

/** A started kernel actor. */
export function startKernelActor(): Actor<typeof kernelMachine> {
  return createActor(kernelMachine).start();
}
