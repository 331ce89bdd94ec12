/** Agent priorities, lowest first. */
export type Priority = 'low' | 'normal' | 'high' | 'critical';

/** All priorities, lowest first. */
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'critical'];

/** Numeric rank of a priority: low 0 … critical 3. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}
