import type { AgentCore } from '../agents/agent-core.js';
import { ReservationCore } from '../agents/reservation-core.js';
import type { Ledger } from '../budget/ledger.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import { validateUsage, type Usage } from '../usage.js';
import { expectTokens, invalid } from '../validate.js';
import {
  budgetError,
  checkCaps,
  checkCounters,
  modelOf,
  notRunnable,
  refusal,
  settled,
  ttlOf,
  type Refusal,
} from './accounting-outcomes.js';

export { budgetError, notRunnable, type Refusal } from './accounting-outcomes.js';
import type { ReservationBook } from './reservation-book.js';
import { agentPrice, primeAgentPrice } from './agent-price.js';
import { headroomOf, type Headroom } from './headroom.js';
import { hold, journalRecordOf } from './journal-record.js';
import type { AccountingDeps, ReserveRequest } from './accounting-types.js';

export type { AccountingDeps, ReserveRequest } from './accounting-types.js';

/**
 * The accounting hot path: reserve, commit, cancel, record. Plain synchronous code over fields
 * precomputed at spawn; signals are queued on crossings only and flushed at the end.
 */
export class Accounting {
  readonly #d: AccountingDeps;
  #ledger: Ledger;
  readonly book: ReservationBook;
  #seq = 0;

  constructor(
    deps: AccountingDeps,
    book: (onExpire: (r: ReservationCore) => void) => ReservationBook,
  ) {
    this.#ledger = deps.ledger;
    this.#d = deps;
    this.book = book((r) => this.#release(r, 'expired'));
  }

  /** Books into `ledger` from now on (a kernel restored from a snapshot gets a restored ledger). */
  useLedger(ledger: Ledger): void {
    this.#ledger = ledger;
  }

  /** Holds tokens and money against every applicable limit, all-or-nothing; a refusal holds nothing. */
  tryReserve(core: AgentCore, request: ReserveRequest): ReservationCore | Refusal {
    if (!core.runnable) throw notRunnable(core);
    const d = this.#d;
    const model = modelOf(core, request.model);
    const input = expectTokens('inputTokens', request.inputTokens);
    const output = expectTokens('maxOutputTokens', request.maxOutputTokens);
    const ttl = request.ttlMs === undefined ? d.ttlMs : ttlOf(request.ttlMs);
    const now = d.clock.now();
    const price = agentPrice(this.#d, core, model, now);
    const tokens = input + output;
    if (!Number.isSafeInteger(tokens))
      invalid('inputTokens + maxOutputTokens', 'a safe integer', tokens);
    const nano = d.pricing.maxCost(price, input, output);

    const free = core.total - core.used - core.reserved;
    if (tokens > free) return refusal('window', 'window', 'tokens', tokens, free);
    if (core.enforceSplit) {
      const lookupFree = core.lookupTotal - core.lookupUsed - core.lookupReserved;
      if (input > lookupFree)
        return refusal('window.lookup', 'lookup', 'tokens', input, lookupFree);
      const reasoningFree =
        core.total - core.lookupTotal - core.reasoningUsed - core.reasoningReserved;
      if (output > reasoningFree)
        return refusal('window.reasoning', 'reasoning', 'tokens', output, reasoningFree);
    }
    // Calls only when there is something to check: code never run is not compiled in, which
    // leaves room for the JIT to inline the rest.
    const caps = d.registry.callCaps;
    const capRefusal = caps.length === 0 ? undefined : checkCaps(caps, tokens, nano);
    if (capRefusal !== undefined) return capRefusal;
    const modelCounters = core.lastModelCounters;
    // The compare stays inline; the rolling is a call (see rollDue).
    if (now >= d.registry.nextRoll) this.rollDue(now);
    const refused =
      checkCounters(core.counters, tokens, nano) ??
      (modelCounters.length === 0 ? undefined : checkCounters(modelCounters, tokens, nano));
    d.router.flush();
    if (refused !== undefined) return refused;

    core.reserved += tokens;
    core.lookupReserved += input;
    core.reasoningReserved += output;
    hold(core.counters, tokens, nano);
    if (modelCounters.length !== 0) hold(modelCounters, tokens, nano);
    const r = new ReservationCore(
      ++this.#seq,
      core,
      model,
      price,
      input,
      output,
      nano,
      modelCounters,
      now + ttl,
    );
    this.book.add(r);
    return r;
  }

  /** {@link tryReserve}, throwing `BUDGET_EXCEEDED` on refusal. */
  reserve(core: AgentCore, request: ReserveRequest): ReservationCore {
    const r = this.tryReserve(core, request);
    if (r instanceof ReservationCore) return r;
    throw budgetError(core, r);
  }

  /** Settles a reservation with the actual usage. After expiry or release the usage is still booked. */
  commit(r: ReservationCore, usage: Usage, cached = false, savedNano?: number): UsageRecord {
    if (r.state === 'committed' || r.state === 'cancelled') throw settled(r);
    validateUsage(usage);
    if (r.state === 'open') {
      this.book.remove(r);
      this.#unhold(r);
      r.state = 'committed';
      return this.#settle(r, usage, cached, savedNano);
    }
    // Expired or released with its agent: the call still happened, so the truth is recorded.
    r.state = 'committed';
    return this.#settle(r, usage, cached, savedNano);
  }

  #settle(
    r: ReservationCore,
    usage: Usage,
    cached: boolean,
    savedNano: number | undefined,
  ): UsageRecord {
    const now = this.#d.clock.now();
    return this.#book(r.agent, r.model, r.price, r.modelCounters, usage, cached, r, savedNano, now);
  }

  /** Returns what a reservation held. False when it had already expired or been released. */
  cancel(r: ReservationCore): boolean {
    if (r.state === 'committed') throw settled(r);
    if (r.state !== 'open') return false;
    this.#release(r, 'cancelled');
    this.#d.router.flush();
    return true;
  }

  /** Books a call made without a reservation; the truth is recorded even past a limit. */
  record(
    core: AgentCore,
    usage: Usage,
    model: string | undefined,
    cached: boolean,
    savedNano?: number,
  ): UsageRecord {
    const m = modelOf(core, model);
    validateUsage(usage);
    const now = this.#d.clock.now();
    const price = agentPrice(this.#d, core, m, now);
    return this.#book(
      core,
      m,
      price,
      core.lastModelCounters,
      usage,
      cached,
      undefined,
      savedNano,
      now,
    );
  }

  /** Cancels every open reservation of `core` (release, kill); later commits are still booked. */
  releaseAll(core: AgentCore): void {
    for (let r = core.firstReservation; r !== undefined; r = core.firstReservation) {
      this.book.remove(r);
      this.#unhold(r);
      r.state = 'released';
    }
  }

  /** The largest `maxOutputTokens` a reservation of `inputTokens` on `model` could get now. */
  headroom(core: AgentCore, model: string | undefined, inputTokens: number): Headroom {
    const m = modelOf(core, model);
    const input = expectTokens('inputTokens', inputTokens);
    const now = this.#d.clock.now();
    const price = agentPrice(this.#d, core, m, now);
    const counters = [...core.counters, ...core.lastModelCounters];
    this.rollDue(now);
    this.#d.router.flush();
    return headroomOf(core, price, input, this.#d.pricing, this.#d.registry.callCaps, counters);
  }

  // #book and #add run on every record and commit. Rare work (crossings, rollover, errors) sits
  // in functions of its own: TurboFan inlines a call tree only up to a bytecode budget, and what
  // falls out of it is a real call that checks its arguments again (see bench/README.md).
  #book(
    core: AgentCore,
    model: string,
    price: ResolvedPrice,
    modelCounters: readonly LimitCounter[],
    usage: Usage,
    cached: boolean,
    r: ReservationCore | undefined,
    savedNano: number | undefined,
    now: number,
  ): UsageRecord {
    const d = this.#d;
    const tokens = cached ? 0 : usage.inputTokens + usage.outputTokens;
    const cost = cached ? 0 : d.pricing.cost(price, usage);
    if (d.journalRecord !== undefined)
      d.journalRecord(
        journalRecordOf(
          this.#ledger.size + 1,
          now,
          core,
          model,
          usage,
          cost,
          price,
          cached,
          r,
          savedNano,
        ),
        core.counters,
        modelCounters,
      );
    if (tokens > 0 && !core.final) {
      const used = (core.used += tokens);
      core.lookupUsed += usage.inputTokens;
      core.reasoningUsed += usage.outputTokens;
      if (used >= core.windowAt && core.state !== 'waiting') d.router.windowCrossing(core);
    }
    if (tokens > 0 || cost > 0) {
      if (now >= d.registry.nextRoll) this.rollDue(now);
      this.#add(core, core.counters, tokens, cost, now, false);
      if (modelCounters.length !== 0) this.#add(core, modelCounters, tokens, cost, now, true);
    }
    const record = this.#ledger.add(
      core.attribution,
      model,
      usage,
      cost,
      price.source,
      cached,
      r === undefined ? undefined : r.seq,
      now,
      savedNano,
    );
    d.router.flush();
    if (d.wantsRecords()) d.onRecord(record);
    return record;
  }

  #add(
    core: AgentCore | undefined,
    counters: readonly LimitCounter[],
    tokens: number,
    nano: number,
    now: number,
    isModel: boolean,
  ): void {
    // Periods are current: the caller rolled what had ended (see LimitRegistry.nextRoll).
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i] as LimitCounter;
      c.usedTokens += tokens;
      c.usedNano += nano;
      if (c.usedTokens >= c.triggerTokens || c.usedNano >= c.triggerNano)
        this.#crossed(c, core, isModel);
    }
  }

  /** A counter reached a trigger: a threshold, its hard limit, or its lease's low-water mark. */
  #crossed(c: LimitCounter, core: AgentCore | undefined, isModel: boolean): void {
    if (c.lease !== undefined && (c.usedTokens >= c.refillTokens || c.usedNano >= c.refillNano))
      c.lease.low();
    this.#d.router.counterCrossing(c, core, isModel);
  }

  /**
   * Re-books a journaled record with its original time and cost (never re-priced): the window of
   * its agent if live, every counter, the ledger. Signals are muted by the caller during replay.
   */
  replay(
    core: AgentCore | undefined,
    r: UsageRecord,
    subject: { agentId: string; taskId?: string; userId?: string; sessionId?: string },
  ): void {
    const usage = r.usage;
    const tokens = r.cached ? 0 : usage.inputTokens + usage.outputTokens;
    const live = core !== undefined && !core.final;
    if (live && tokens > 0) {
      core.used += tokens;
      core.lookupUsed += usage.inputTokens;
      core.reasoningUsed += usage.outputTokens;
      if (core.used >= core.windowAt && core.state !== 'waiting')
        this.#d.router.windowCrossing(core);
    }
    const counters = live
      ? core.counters
      : this.#d.registry.countersFor({
          agentId: subject.agentId,
          taskId: subject.taskId,
          userId: subject.userId,
          sessionId: subject.sessionId,
        });
    if (tokens > 0 || r.costNano > 0) {
      const origin = live ? core : undefined;
      this.#replayAdd(origin, counters, tokens, r.costNano, r.time, false);
      const models = this.#d.registry.modelCounters(r.model);
      this.#replayAdd(origin, models, tokens, r.costNano, r.time, true);
    }
    const attribution = core?.attribution ?? this.#ledger.attribution(subject);
    this.#ledger.add(
      attribution,
      r.model,
      usage,
      r.costNano,
      r.priceSource,
      r.cached,
      r.reservationId,
      r.time,
      r.savedNano ?? 0,
    );
    this.#d.router.flush();
  }

  /** Books a replayed record at its own time: into its counters' periods, or none if older. */
  #replayAdd(
    core: AgentCore | undefined,
    counters: readonly LimitCounter[],
    tokens: number,
    nano: number,
    time: number,
    isModel: boolean,
  ): void {
    const current: LimitCounter[] = [];
    for (const c of counters) {
      if (time >= c.periodEnd) this.#roll(c, time);
      // A record from before the counter's period is not this period's.
      else if (time < c.periodStart) continue;
      current.push(c);
    }
    this.#add(core, current, tokens, nano, time, isModel);
  }

  /** Rolls a counter into its new period; agents it had stopped resume, its thresholds re-arm. */
  #roll(c: LimitCounter, now: number): void {
    const wasStopped = c.tokenLadder.stopped;
    if (!c.roll(now)) return;
    for (const agent of c.agents as Set<AgentCore>) {
      if (wasStopped) this.#d.router.unstop(agent, c.limit.name, `${c.limit.name}: new period`);
      this.#d.router.rearmed(agent);
    }
  }

  /**
   * Rolls every counter whose period ended by `now` into its next period (agents it had stopped
   * resume, thresholds re-arm): on the hot path, status reads, resumes, headroom and period
   * timers alike. A compare until the registry's earliest period end (see LimitRegistry.nextRoll).
   */
  rollDue(now: number = this.#d.clock.now()): void {
    if (now >= this.#d.registry.nextRoll) this.#d.registry.rollDue(now, (c) => this.#roll(c, now));
  }

  /** Prices an agent's default model at spawn (see {@link primeAgentPrice}). */
  prime(core: AgentCore): void {
    primeAgentPrice(this.#d, core, this.#d.clock.now());
  }

  #unhold(r: ReservationCore): void {
    const core = r.agent;
    core.reserved -= r.tokens;
    core.lookupReserved -= r.inputTokens;
    core.reasoningReserved -= r.outputTokens;
    hold(r.counters, -r.tokens, -r.nano);
    hold(r.modelCounters, -r.tokens, -r.nano);
  }

  #release(r: ReservationCore, state: 'cancelled' | 'expired'): void {
    if (state === 'cancelled') this.book.remove(r);
    this.#unhold(r);
    r.state = state;
  }
}
