import type { PeriodKind } from '../budget/limit-spec.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RulePeriod } from './rule-spec.js';

/** One period a rule counts over: [start, end) in ms, and its name. */
export interface RulePeriodSpan {
  readonly start: number;
  readonly end: number;
  /** The ISO 8601 UTC instant the period starts at, or `lifetime`. */
  readonly key: string;
}

/** The lifetime: one span for ever. */
export const LIFETIME_SPAN: RulePeriodSpan = { start: -Infinity, end: Infinity, key: 'lifetime' };

/**
 * Calendar periods as the kernel sees them. The bounds come from `kernel.forecast(period)`, so
 * they follow the kernel's time zone without the rules being told it; they are asked for once
 * per period and kind.
 */
export class RulePeriods {
  readonly #kernel: Kernel;
  readonly #current = new Map<PeriodKind, RulePeriodSpan>();

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** The period of `kind` containing `time` (ms); a time before the current one gets the current one. */
  span(kind: RulePeriod, time: number): RulePeriodSpan {
    if (kind === 'lifetime') return LIFETIME_SPAN;
    const cached = this.#current.get(kind);
    if (cached !== undefined && time < cached.end) return cached;
    const { start, end } = this.#kernel.forecast(kind);
    const span: RulePeriodSpan = { start, end, key: new Date(start).toISOString() };
    this.#current.set(kind, span);
    return span;
  }
}
