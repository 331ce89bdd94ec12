import type { Usage } from '../usage.js';

/**
 * The provider's usage mapped by `map`, or undefined when the provider reported none or reported
 * one that cannot be mapped (a missing total, as compatible providers send): the kernel then
 * settles with its own count instead of failing a call that already ran.
 */
export function tryUsage(map: (raw: unknown) => Usage, raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  try {
    return map(raw);
  } catch {
    return undefined;
  }
}
