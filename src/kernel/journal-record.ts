import type { AgentCore } from '../agents/agent-core.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { ReservationCore } from '../agents/reservation-core.js';
import { reservationIdOf, type UsageRecord } from '../budget/usage-record.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import type { Usage } from '../usage.js';

/**
 * The record a store is given before anything is booked (`seq` is the one the ledger will give
 * it). Kept out of the booking path's body so that stays small enough for V8 to optimize whole.
 */
export function journalRecordOf(
  seq: number,
  time: number,
  core: AgentCore,
  model: string,
  usage: Usage,
  costNano: number,
  price: ResolvedPrice,
  cached: boolean,
  r: ReservationCore | undefined,
  savedNano: number | undefined,
): UsageRecord {
  const a = core.attribution;
  return {
    seq,
    time,
    agentId: a.agentId,
    taskId: a.taskId,
    userId: a.userId,
    sessionId: a.sessionId,
    model,
    usage,
    costNano,
    priceSource: price.source,
    cached,
    reservationId: r === undefined ? undefined : reservationIdOf(r.seq),
    savedNano: savedNano ?? 0,
  };
}

/** Adds `tokens` / `nano` (negative to release) to what each counter holds. */
export function hold(counters: readonly LimitCounter[], tokens: number, nano: number): void {
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i] as LimitCounter;
    c.reservedTokens += tokens;
    c.reservedNano += nano;
  }
}
