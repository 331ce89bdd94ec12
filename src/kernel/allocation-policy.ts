import type { Priority } from '../agents/priority.js';

/** Share of the available pool granted to an agent without `maxTokens`, by priority. */
export const PRIORITY_SHARE: Readonly<Record<Priority, number>> = {
  low: 0.1,
  normal: 0.25,
  high: 0.5,
  critical: 1,
};

/** The smallest window granted to an agent without `maxTokens`, by priority (tokens). */
export const PRIORITY_MINIMUM: Readonly<Record<Priority, number>> = {
  low: 500,
  normal: 1_000,
  high: 2_000,
  critical: 4_000,
};

/**
 * The window to grant from `available` tokens: exactly `requested` when given, else the
 * priority share but at least the priority minimum. Returns 0 when `available` cannot cover it
 * (never a 0-token window).
 */
export function windowFor(
  priority: Priority,
  requested: number | undefined,
  available: number,
): number {
  if (requested !== undefined) return requested <= available ? requested : 0;
  const minimum = PRIORITY_MINIMUM[priority];
  if (available < minimum) return 0;
  return Math.min(available, Math.max(minimum, Math.floor(available * PRIORITY_SHARE[priority])));
}

/** Tokens needed to admit an agent: what it asked for, or its priority minimum. */
export function tokensNeeded(priority: Priority, requested: number | undefined): number {
  return requested ?? PRIORITY_MINIMUM[priority];
}
