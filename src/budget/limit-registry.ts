import type { Clock } from '../clock.js';
import { invalid, expectId, expectObject, expectOneOf, isTokenCount } from '../validate.js';
import { LimitCounter, type ResolvedLimit } from './limit-counter.js';
import type { LimitPeriod, LimitScope, LimitSpec, PeriodKind } from './limit-spec.js';

const SCOPES: readonly LimitScope[] = ['agent', 'task', 'user', 'session', 'model', 'org', 'call'];
const PERIODS: readonly LimitPeriod[] = ['hour', 'day', 'week', 'month', 'lifetime', 'call'];

/** One counter's state in a kernel snapshot. */
export interface CounterSnapshot {
  readonly id: string;
  readonly usedTokens: number;
  readonly usedNano: number;
  readonly periodStart: number;
  readonly periodEnd: number | null;
  readonly tokens: readonly [number, boolean];
  readonly nano: readonly [number, boolean];
}

/** A per-call cap (scope `call`): checked against each reservation alone. */
export interface CallCap {
  readonly name: string;
  readonly tokens: number;
  readonly nano: number;
  readonly hard: boolean;
}

/** What the registry needs to know about an agent to find its limits. */
export interface LimitSubject {
  readonly agentId: string;
  readonly taskId: string | undefined;
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
}

interface Template {
  readonly spec: LimitSpec;
  readonly tier: string | undefined;
  readonly index: number;
}

/** Checks one limit spec. @throws KernelError `INVALID_ARGUMENT` naming the field. */
export function validateLimitSpec(value: unknown, name: string): LimitSpec {
  const spec = expectObject(name, value);
  const scope = expectOneOf(`${name}.scope`, spec['scope'], SCOPES);
  if (spec['id'] !== undefined) {
    if (scope === 'org' || scope === 'call')
      invalid(`${name}.id`, `undefined for the '${scope}' scope`, spec['id']);
    expectId(`${name}.id`, spec['id']);
  }
  const period =
    spec['period'] === undefined
      ? undefined
      : expectOneOf(`${name}.period`, spec['period'], PERIODS);
  if (scope === 'call' && period !== undefined && period !== 'call')
    invalid(`${name}.period`, "'call' (or undefined) for the 'call' scope", period);
  if (scope !== 'call' && period === 'call')
    invalid(`${name}.period`, "a calendar period or 'lifetime' outside the 'call' scope", period);
  if (spec['tokens'] !== undefined && (!isTokenCount(spec['tokens']) || spec['tokens'] === 0)) {
    invalid(`${name}.tokens`, 'a positive safe integer', spec['tokens']);
  }
  const usd = spec['usd'];
  if (
    usd !== undefined &&
    (typeof usd !== 'number' || !Number.isFinite(usd) || usd <= 0 || usd > 9e6)
  ) {
    invalid(`${name}.usd`, 'a positive number of US dollars (at most 9,000,000)', usd);
  }
  if (spec['tokens'] === undefined && usd === undefined)
    invalid(`${name}.tokens or ${name}.usd`, 'set', undefined);
  if (spec['thresholds'] !== undefined)
    validateThresholds(spec['thresholds'], `${name}.thresholds`);
  if (spec['hard'] !== undefined && typeof spec['hard'] !== 'boolean')
    invalid(`${name}.hard`, 'a boolean', spec['hard']);
  if (spec['name'] !== undefined) expectId(`${name}.name`, spec['name']);
  return spec as unknown as LimitSpec;
}

/** Checks warning thresholds: fractions in (0, 1), strictly ascending. Returns a sorted copy. */
export function validateThresholds(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) invalid(name, 'an array of fractions in (0, 1)', value);
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const t: unknown = value[i];
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t >= 1)
      invalid(`${name}[${i}]`, 'a fraction in (0, 1)', t);
    if (i > 0 && t <= (value[i - 1] as number))
      invalid(`${name}[${i}]`, `greater than ${value[i - 1] as number} (ascending, unique)`, t);
    out.push(t);
  }
  return out;
}

/**
 * Resolves limit specs and tier templates into counters. Counters are keyed by limit and key and
 * outlive agents, so a per-id limit cannot be escaped by releasing and re-spawning an agent.
 */
export class LimitRegistry {
  readonly #templates: Template[] = [];
  readonly #counters = new Map<string, LimitCounter>();
  readonly #modelCounters = new Map<string, LimitCounter[]>();
  /** Shared counter lists of {@link countersFor}, by their counters' ids. */
  readonly #lists = new Map<string, readonly LimitCounter[]>();
  /** Called with each new counter (a shared store binds it to its leases). */
  onCounter: ((counter: LimitCounter) => void) | undefined;
  readonly #userTiers: Readonly<Record<string, string>>;
  readonly #defaultTier: string | undefined;
  readonly #warn: readonly number[];
  readonly #clock: Clock;
  readonly #timeZone: string;
  /** Per-call caps, checked against each reservation. */
  readonly callCaps: readonly CallCap[];
  /**
   * No counter's period ends before this (ms since the epoch), so until then the hot path does
   * not look at periods at all. A counter rolled by other means leaves it early: the next
   * {@link rollDue} then finds nothing due and moves it on.
   */
  nextRoll = Infinity;

  constructor(options: {
    limits: readonly LimitSpec[];
    tiers: Readonly<Record<string, readonly LimitSpec[]>>;
    userTiers: Readonly<Record<string, string>>;
    defaultTier: string | undefined;
    warnThresholds: readonly number[];
    clock: Clock;
    timeZone: string;
  }) {
    this.#clock = options.clock;
    this.#timeZone = options.timeZone;
    this.#warn = options.warnThresholds;
    this.#userTiers = options.userTiers;
    this.#defaultTier = options.defaultTier;
    const caps: CallCap[] = [];
    options.limits.forEach((spec, index) => {
      if (spec.scope === 'call') caps.push(toCallCap(spec, index));
      else this.#templates.push({ spec, tier: undefined, index });
    });
    for (const [tier, specs] of Object.entries(options.tiers)) {
      specs.forEach((spec, index) => {
        if (spec.scope === 'call' || spec.scope === 'org' || spec.scope === 'model') {
          invalid(
            `tiers.${tier}[${index}].scope`,
            "'user', 'agent', 'task' or 'session' in a tier",
            spec.scope,
          );
        }
        this.#templates.push({ spec, tier, index });
      });
    }
    this.callCaps = caps;
  }

  /** The tier of a user: `userTiers[userId]`, else the default tier. */
  tierOf(userId: string | undefined): string | undefined {
    return (userId === undefined ? undefined : this.#userTiers[userId]) ?? this.#defaultTier;
  }

  /**
   * Counters for every agent/task/user/session/org limit that applies to `subject`. Agents with
   * the same counters share one list (not to be changed): the hot path walks it on every record,
   * and a few shared lists stay in cache where one per agent would not. (Not frozen: a frozen
   * array's elements kind would make the hot path's loads polymorphic.)
   */
  countersFor(subject: LimitSubject): readonly LimitCounter[] {
    const tier = this.tierOf(subject.userId);
    const out: LimitCounter[] = [];
    const ids: string[] = [];
    for (const t of this.#templates) {
      if (t.spec.scope === 'model' || (t.tier !== undefined && t.tier !== tier)) continue;
      const key = keyFor(t.spec.scope, subject);
      if (key === undefined || (t.spec.id !== undefined && t.spec.id !== '*' && t.spec.id !== key))
        continue;
      const id = counterId(t, key);
      ids.push(id);
      out.push(this.#counter(t, key, id));
    }
    const listId = JSON.stringify(ids); // unambiguous whatever the keys contain
    let list = this.#lists.get(listId);
    if (list === undefined) {
      list = out;
      this.#lists.set(listId, list);
    }
    return list;
  }

  /** Counters for the model limits that apply to calls on `model` (memoized per model). */
  modelCounters(model: string): LimitCounter[] {
    let list = this.#modelCounters.get(model);
    if (list === undefined) {
      list = [];
      for (const t of this.#templates) {
        if (
          t.spec.scope !== 'model' ||
          (t.spec.id !== undefined && t.spec.id !== '*' && t.spec.id !== model)
        )
          continue;
        list.push(this.#counter(t, model));
      }
      this.#modelCounters.set(model, list);
    }
    return list;
  }

  /** Every counter created so far. */
  all(): IterableIterator<LimitCounter> {
    return this.#counters.values();
  }

  /** Every counter's state, keyed by its id (a snapshot of the kernel). */
  snapshot(): CounterSnapshot[] {
    return [...this.#counters].map(([id, c]) => ({
      id,
      usedTokens: c.usedTokens,
      usedNano: c.usedNano,
      periodStart: c.periodStart,
      periodEnd: c.periodEnd === Infinity ? null : c.periodEnd,
      tokens: [c.tokenLadder.next, c.tokenLadder.stopped],
      nano: [c.nanoLadder.next, c.nanoLadder.stopped],
    }));
  }

  /** Re-creates counters from {@link snapshot} (nothing is reserved after a restart). */
  restore(counters: readonly CounterSnapshot[]): void {
    for (const s of counters) {
      const [tier, index, ...rest] = s.id.split('#');
      const t = this.#templates.find((x) => (x.tier ?? '') === tier && String(x.index) === index);
      if (t === undefined) continue; // the limit was removed from the configuration
      const c = this.#counter(t, rest.join('#'));
      c.usedTokens = s.usedTokens;
      c.usedNano = s.usedNano;
      c.periodStart = s.periodStart;
      c.periodEnd = s.periodEnd ?? Infinity;
      this.nextRoll = Math.min(this.nextRoll, c.periodEnd);
      c.tokenLadder.restore(s.tokens[0], s.tokens[1], c.limit.tokens);
      c.nanoLadder.restore(s.nano[0], s.nano[1], c.limit.nano);
      c.retrigger();
    }
    this.#modelCounters.clear();
  }

  #counter(t: Template, key: string, id = counterId(t, key)): LimitCounter {
    let counter = this.#counters.get(id);
    if (counter === undefined) {
      counter = new LimitCounter(resolve(t, key, this.#warn), this.#clock.now(), this.#timeZone);
      this.#counters.set(id, counter);
      this.nextRoll = Math.min(this.nextRoll, counter.periodEnd);
      this.onCounter?.(counter);
    }
    return counter;
  }

  /**
   * Calls `roll` with every counter whose period ended by `now` (which starts its next period),
   * then moves {@link nextRoll} to the earliest end left. O(counters), once per period end.
   */
  rollDue(now: number, roll: (counter: LimitCounter) => void): void {
    let next = Infinity;
    for (const c of this.#counters.values()) {
      if (now >= c.periodEnd) roll(c);
      if (c.periodEnd < next) next = c.periodEnd;
    }
    this.nextRoll = next;
  }
}

function keyFor(scope: LimitScope, s: LimitSubject): string | undefined {
  switch (scope) {
    case 'agent':
      return s.agentId;
    case 'task':
      return s.taskId;
    case 'user':
      return s.userId;
    case 'session':
      return s.sessionId;
    default:
      return 'org';
  }
}

function resolve(t: Template, key: string, warn: readonly number[]): ResolvedLimit {
  const { spec } = t;
  const period = (spec.period ?? 'lifetime') as PeriodKind | 'lifetime';
  const base = spec.name ?? (t.tier === undefined ? spec.scope : `${t.tier}:${spec.scope}`);
  const name = spec.scope === 'org' ? `${base}:${period}` : `${base}:${key}:${period}`;
  return {
    name,
    scope: spec.scope as ResolvedLimit['scope'],
    key,
    period,
    tokens: spec.tokens ?? Infinity,
    nano: spec.usd === undefined ? Infinity : Math.round(spec.usd * 1e9),
    thresholds: spec.thresholds ?? warn,
    hard: spec.hard ?? true,
  };
}

function toCallCap(spec: LimitSpec, index: number): CallCap {
  return {
    name: spec.name ?? `call#${index}`,
    tokens: spec.tokens ?? Infinity,
    nano: spec.usd === undefined ? Infinity : Math.round(spec.usd * 1e9),
    hard: spec.hard ?? true,
  };
}

/** A counter's id: its template's tier and index, and the key it counts for. */
function counterId(t: Template, key: string): string {
  return `${t.tier ?? ''}#${t.index}#${key}`;
}
