import type { SignalEvent } from '../../src/agents/signal.js';
import { createKernel, type Kernel } from '../../src/kernel/kernel.js';
import type { KernelOptions } from '../../src/kernel/kernel-options.js';
import { FakeClock } from './fake-clock.js';

/** Test models with round prices (USD per million tokens): 1,000 / 4,000 nano-USD per token. */
export const TEST_PRICES = {
  'test-small': { input: 1, output: 4 },
  'test-large': { input: 10, output: 40, cacheRead: 1, cacheWrite: 12.5 },
} as const;

/** A kernel on a fake clock with test prices; `signals` records every signal in order. */
export function makeKernel(options: Partial<KernelOptions> = {}): {
  kernel: Kernel;
  clock: FakeClock;
  signals: SignalEvent[];
  errors: unknown[];
} {
  const clock = new FakeClock();
  const kernel = createKernel({ totalBudget: 100_000, clock, prices: TEST_PRICES, ...options });
  const signals: SignalEvent[] = [];
  const errors: unknown[] = [];
  kernel.on('signal', (e) => signals.push(e));
  kernel.on('error', (e) => errors.push(e.error));
  return { kernel, clock, signals, errors };
}

/** `agentId:SIGNAL` pairs, for compact order assertions. */
export function names(signals: readonly SignalEvent[]): string[] {
  return signals.map((s) => `${s.agentId}:${s.signal}`);
}
