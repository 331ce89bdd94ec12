import type { Clock } from '../clock.js';
import type { PeriodKind } from './limit-spec.js';
import type { UsageRecord } from './usage-record.js';

/** Options of a `Ledger`. */
export interface LedgerOptions {
  /** Source of "now" for queries without an explicit time. */
  readonly clock: Clock;
  /** IANA zone that calendar periods follow. @default 'UTC' */
  readonly timeZone?: string | undefined;
  /** Records kept for `Ledger.recent` (0 keeps none, at most 10,000,000). @default 10_000 */
  readonly recentCapacity?: number | undefined;
  /** Called synchronously with each record after it is booked; exceptions reach `add`'s caller. */
  readonly onRecord?: ((record: UsageRecord) => void) | undefined;
}

/** A period to aggregate over: a calendar period or the whole life of the ledger. */
export type LedgerSpan = PeriodKind | 'lifetime';
