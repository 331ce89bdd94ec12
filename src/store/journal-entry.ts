import type { SpawnOptions } from '../agents/spawn-options.js';
import type { UsageRecord } from '../budget/usage-record.js';

/**
 * One durable change of kernel state, in the order it happened. Replaying the entries through
 * the same kernel logic restores the ledger, the pool, the live agents with their windows and
 * every limit counter. Reservations are not journaled: after a restart nothing is held.
 */
export type JournalEntry =
  | {
      readonly t: 'spawn';
      readonly time: number;
      readonly parent?: string;
      readonly options: SpawnOptions;
    }
  | { readonly t: 'record'; readonly record: UsageRecord }
  | { readonly t: 'grant'; readonly time: number; readonly id: string; readonly tokens: number }
  | { readonly t: 'replenish'; readonly time: number; readonly tokens: number }
  | {
      readonly t: 'release';
      readonly time: number;
      readonly id: string;
      readonly final: 'released' | 'killed';
      readonly reason?: string;
    }
  | { readonly t: 'stop'; readonly time: number; readonly id: string; readonly reason: string }
  | { readonly t: 'resume'; readonly time: number; readonly id: string; readonly reason: string }
  | { readonly t: 'downgrade'; readonly time: number; readonly id: string; readonly on: boolean };
