import { Gauge, type Metric } from 'prom-client';
import type { Kernel } from '../kernel/kernel.js';
import type { KernelStatus } from '../kernel/kernel-status.js';
import { limitLabels, type PrivateKeyLabels } from './limit-labels.js';

type UtilizationLabel = 'scope' | 'agent' | 'limit' | 'key' | 'period' | 'unit';

/**
 * The gauges read from `kernel.status()` at scrape time: budget utilization (per agent window
 * and per limit), the pool, and agents by state. Unregistered (`registers: []`).
 */
export function statusGauges(prefix: string, kernel: Kernel, mode: PrivateKeyLabels): Metric[] {
  const status = new StatusReader(kernel);
  const utilization = new Gauge<UtilizationLabel>({
    name: `${prefix}budget_utilization_ratio`,
    help: 'Used / total of each agent window (scope="window") and each limit; user and session keys are never labels.',
    labelNames: ['scope', 'agent', 'limit', 'key', 'period', 'unit'],
    registers: [],
    collect(): void {
      this.reset();
      const s = status.read();
      if (s !== undefined) setUtilization(this, s, mode);
    },
  });
  const pool = new Gauge({
    name: `${prefix}pool_tokens`,
    help: 'The token pool: available, allocated to live windows, spent by released agents, overshoot.',
    labelNames: ['state'] as const,
    registers: [],
    collect(): void {
      const s = status.read();
      if (s === undefined) return;
      for (const state of ['available', 'allocated', 'spent', 'overshoot'] as const)
        this.set({ state }, s.pool[state]);
    },
  });
  const agents = new Gauge({
    name: `${prefix}agents`,
    help: 'Live agents by state.',
    labelNames: ['state'] as const,
    registers: [],
    collect(): void {
      this.reset();
      const s = status.read();
      if (s === undefined) return;
      for (const a of Object.values(s.agents)) this.inc({ state: a.state });
    },
  });
  return [utilization, pool, agents];
}

/** One `kernel.status()` per scrape, shared by the gauges collected in the same tick. */
class StatusReader {
  readonly #kernel: Kernel;
  #cached: KernelStatus | undefined;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  read(): KernelStatus | undefined {
    if (this.#cached !== undefined) return this.#cached;
    if (this.#kernel.closed) return undefined;
    this.#cached = this.#kernel.status();
    // prom-client starts every metric's collect synchronously in one loop, so one status serves
    // the whole scrape; the next scrape reads afresh.
    queueMicrotask(() => (this.#cached = undefined));
    return this.#cached;
  }
}

function setUtilization(
  gauge: Gauge<UtilizationLabel>,
  s: KernelStatus,
  mode: PrivateKeyLabels,
): void {
  for (const [agent, a] of Object.entries(s.agents)) {
    const ratio = a.total > 0 ? a.used / a.total : a.used > 0 ? 1 : 0;
    gauge.set({ scope: 'window', agent, unit: 'tokens' }, ratio);
  }
  // Without keys several limits share one series: report the highest utilization among them.
  const highest = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const limit of s.limits) {
    const labels = { ...limitLabels(limit, mode) };
    const id = JSON.stringify(labels);
    const prev = highest.get(id);
    if (prev === undefined || limit.utilization > prev.value)
      highest.set(id, { labels, value: limit.utilization });
  }
  for (const { labels, value } of highest.values()) gauge.set(labels, value);
}
