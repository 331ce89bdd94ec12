import type { Kernel } from '../../src/kernel/kernel.js';
import type { IsolatedAgent, IsolatedAgentEventMap } from '../../src/isolation/isolated-agent.js';

/** The URL of an isolated-agent fixture module in test/fixtures/isolated. */
export function fixture(name: string): URL {
  return new URL(`../fixtures/isolated/${name}.ts`, import.meta.url);
}

/** Resolves with the next event of `type` from an isolated agent. */
export function next<K extends keyof IsolatedAgentEventMap>(
  isolated: IsolatedAgent,
  type: K,
): Promise<IsolatedAgentEventMap[K]> {
  return new Promise((resolve) => {
    const off = isolated.on(type, (event) => {
      off();
      resolve(event);
    });
  });
}

/** Resolves on the kernel's next usage record of `agentId`. */
export function nextRecord(kernel: Kernel, agentId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = kernel.on('record', (e) => {
      if (e.record.agentId !== agentId) return;
      off();
      resolve();
    });
  });
}

/** Pool conservation: every token is available, in a live window, or spent. */
export function conserved(kernel: Kernel): boolean {
  const { pool } = kernel.status();
  return pool.available + pool.allocated + pool.spent === pool.total;
}
