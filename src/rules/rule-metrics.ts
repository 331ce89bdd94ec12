import { NO_KEY, type UsageRecord } from '../budget/usage-record.js';
import type { Kernel } from '../kernel/kernel.js';
import { MINUTE_MS, MinuteRing } from './minute-ring.js';
import { LIFETIME_SPAN, type RulePeriodSpan, type RulePeriods } from './rule-periods.js';
import type { ResolvedRule, RulePeriod, RuleScope } from './rule-spec.js';

/** Minutes of history a per-key forecast projects from (as `kernel.forecast` does). */
const FORECAST_MINUTES = 60;

interface Cell {
  tokens: number;
  nano: number;
}

/** Usage per key of one scope over the current span of one period. */
class UsageTally {
  span: RulePeriodSpan;
  cells = new Map<string, Cell>();
  constructor(span: RulePeriodSpan) {
    this.span = span;
  }
}

/** The key a record is counted under in a scope; undefined when it has none (no task, …). */
export function recordKey(scope: RuleScope, record: UsageRecord): string | undefined {
  let key: string;
  switch (scope) {
    case 'agent':
      return record.agentId;
    case 'model':
      return record.model;
    case 'org':
      return 'org';
    case 'task':
      key = record.taskId;
      break;
    case 'user':
      key = record.userId;
      break;
    default:
      key = record.sessionId;
  }
  return key === NO_KEY ? undefined : key;
}

/**
 * The rule engine's own incremental aggregates, fed by `usage.recorded` events: usage per key
 * and period (only for the scope/period pairs the rules use) and per-minute rings per key (only
 * for the scopes of rate and per-key forecast rules). O(pairs + rings) per record. Seeded from
 * `kernel.usage` and `kernel.records` when created, so rules attached to a running kernel see its
 * history.
 */
export class RuleMetrics {
  readonly #kernel: Kernel;
  readonly #periods: RulePeriods;
  readonly #tallies = new Map<RuleScope, Map<RulePeriod, UsageTally>>();
  readonly #tallyList: Array<{ scope: RuleScope; period: RulePeriod; tally: UsageTally }> = [];
  readonly #rings = new Map<RuleScope, { capacity: number; keys: Map<string, MinuteRing> }>();
  /** Latest record time seen: later records are counted in its periods, as the ledger does. */
  #highWater = -Infinity;

  constructor(kernel: Kernel, periods: RulePeriods, rules: readonly ResolvedRule[], now: number) {
    this.#kernel = kernel;
    this.#periods = periods;
    for (const { when } of rules) {
      const perKeyForecast = when.metric === 'forecast' && when.scope !== 'org';
      if (when.metric !== 'rate' && when.metric !== 'forecast')
        this.#tally(when.scope, when.period, now);
      if (perKeyForecast) this.#tally(when.scope, when.period, now);
      if (when.metric === 'rate' || perKeyForecast) {
        const minutes = when.metric === 'rate' ? (when.windowMinutes ?? 5) : FORECAST_MINUTES;
        const rings = this.#rings.get(when.scope);
        if (rings === undefined)
          this.#rings.set(when.scope, { capacity: minutes, keys: new Map() });
        else rings.capacity = Math.max(rings.capacity, minutes);
      }
    }
    if (this.#rings.size > 0) {
      const oldest = now - this.#maxCapacity() * MINUTE_MS;
      for (const record of kernel.records()) if (record.time > oldest) this.#ring(record);
    }
  }

  /** Counts one settled call. */
  ingest(record: UsageRecord): void {
    if (record.time > this.#highWater) this.#highWater = record.time;
    const time = this.#highWater;
    const tokens = record.usage.inputTokens + record.usage.outputTokens;
    for (const { scope, period, tally } of this.#tallyList) {
      const key = recordKey(scope, record);
      if (key === undefined) continue;
      this.#roll(tally, period, time);
      const cell = tally.cells.get(key);
      if (cell === undefined) tally.cells.set(key, { tokens, nano: record.costNano });
      else {
        cell.tokens += tokens;
        cell.nano += record.costNano;
      }
    }
    this.#ring(record);
  }

  /** Tokens and nano-USD of `key` in the current `period` (zero when it has none). */
  used(scope: RuleScope, period: RulePeriod, key: string, now: number): Cell {
    const tally = this.#tallies.get(scope)?.get(period);
    if (tally === undefined) return { tokens: 0, nano: 0 };
    this.#roll(tally, period, now);
    return tally.cells.get(key) ?? { tokens: 0, nano: 0 };
  }

  /** Tokens per minute of `key` over the `windowMinutes` minutes ending now. */
  rate(scope: RuleScope, key: string, windowMinutes: number, now: number): number {
    const ring = this.#rings.get(scope)?.keys.get(key);
    return ring === undefined ? 0 : ring.sum(now, windowMinutes).tokens / windowMinutes;
  }

  /** Projected USD of `key` at the end of the current `period`. */
  forecastUsd(scope: RuleScope, period: RulePeriod, key: string, now: number): number {
    if (scope === 'org')
      return this.#kernel.forecast(period as Exclude<RulePeriod, 'lifetime'>).projectedNano / 1e9;
    const span = this.#periods.span(period, now);
    const spent = this.used(scope, period, key, now).nano;
    const recent = this.#rings.get(scope)?.keys.get(key)?.sum(now, FORECAST_MINUTES).nano ?? 0;
    const left = Math.max(0, span.end - now) / (FORECAST_MINUTES * MINUTE_MS);
    return (spent + Math.round(recent * left)) / 1e9;
  }

  /** Keys with usage in the current `period` of a tallied scope. */
  tallyKeys(scope: RuleScope, period: RulePeriod, now: number): string[] {
    const tally = this.#tallies.get(scope)?.get(period);
    if (tally === undefined) return [];
    this.#roll(tally, period, now);
    return [...tally.cells.keys()];
  }

  /** Keys of a scope with usage in the last `minutes` minutes. */
  recentKeys(scope: RuleScope, minutes: number, now: number): string[] {
    const rings = this.#rings.get(scope);
    if (rings === undefined) return [];
    const first = Math.floor(now / MINUTE_MS) - minutes + 1;
    const out: string[] = [];
    for (const [key, ring] of rings.keys) if (ring.latest >= first) out.push(key);
    return out;
  }

  /** Forgets rings with nothing left in their window (keeps memory bounded by recent keys). */
  prune(now: number): void {
    const minute = Math.floor(now / MINUTE_MS);
    for (const rings of this.#rings.values())
      for (const [key, ring] of rings.keys)
        if (ring.latest <= minute - rings.capacity) rings.keys.delete(key);
  }

  #tally(scope: RuleScope, period: RulePeriod, now: number): void {
    let byPeriod = this.#tallies.get(scope);
    if (byPeriod === undefined) this.#tallies.set(scope, (byPeriod = new Map()));
    if (byPeriod.has(period)) return;
    const tally = new UsageTally(this.#periods.span(period, now));
    this.#seed(tally, scope, period);
    byPeriod.set(period, tally);
    this.#tallyList.push({ scope, period, tally });
  }

  #seed(tally: UsageTally, scope: RuleScope, period: RulePeriod): void {
    if (scope !== 'org') {
      for (const row of this.#kernel.usage({ by: scope, period })) {
        if (row.key === NO_KEY) continue;
        tally.cells.set(row.key, {
          tokens: row.inputTokens + row.outputTokens,
          nano: row.costNano,
        });
      }
      return;
    }
    let tokens = 0;
    let nano = 0;
    for (const row of this.#kernel.usage({ by: 'agent', period })) {
      tokens += row.inputTokens + row.outputTokens;
      nano += row.costNano;
    }
    if (tokens > 0 || nano > 0) tally.cells.set('org', { tokens, nano });
  }

  #roll(tally: UsageTally, period: RulePeriod, now: number): void {
    if (now < tally.span.end) return;
    tally.span = period === 'lifetime' ? LIFETIME_SPAN : this.#periods.span(period, now);
    tally.cells = new Map();
  }

  #ring(record: UsageRecord): void {
    const tokens = record.usage.inputTokens + record.usage.outputTokens;
    for (const [scope, rings] of this.#rings) {
      const key = recordKey(scope, record);
      if (key === undefined) continue;
      let ring = rings.keys.get(key);
      if (ring === undefined) rings.keys.set(key, (ring = new MinuteRing(rings.capacity)));
      ring.add(record.time, tokens, record.costNano);
    }
  }

  #maxCapacity(): number {
    let max = 0;
    for (const rings of this.#rings.values()) max = Math.max(max, rings.capacity);
    return max;
  }
}
