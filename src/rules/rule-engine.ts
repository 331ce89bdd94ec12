import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { KernelError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AgentEvent } from '../kernel/kernel-events.js';
import { expectObject, expectPositiveInt, invalid } from '../validate.js';
import { AgentHolds, type AgentHoldStatus } from './agent-holds.js';
import { AlertDispatch, type RuleEngineEventMap } from './alert-dispatch.js';
import type { AlertEvent, AlertSink } from './alert-event.js';
import { LimitIndex } from './limit-index.js';
import { resolveRuleList } from './resolve-rules.js';
import { RuleActions, isHolding } from './rule-actions.js';
import { buildAlert, compare, measureRule, type Measure } from './rule-measure.js';
import { RuleMetrics, recordKey } from './rule-metrics.js';
import { RulePeriods, type RulePeriodSpan } from './rule-periods.js';
import { RuleProblem, ruleConfigError } from './rule-problem.js';
import type { ResolvedRule, RuleSpec } from './rule-spec.js';

/** Options of {@link createRuleEngine}. */
export interface RuleEngineOptions {
  /** Where alerts go besides the engine's `alert` event. @default [] */
  readonly sinks?: readonly AlertSink[];
  /** The time source: pass the kernel's. @default the system clock */
  readonly clock?: Clock;
  /** How often rate and forecast rules are evaluated and periods rolled, ms. @default 60_000 */
  readonly intervalMs?: number;
  /** Alerts kept for {@link RuleEngine.alerts}. @default 1_000 */
  readonly history?: number;
}

export type { RuleEngineEventMap } from './alert-dispatch.js';

interface AlertState {
  readonly span: RulePeriodSpan;
  readonly holder: string;
  readonly measure: Measure;
  readonly targets: Set<string>;
  fired: AlertEvent;
  active: boolean;
  value: number;
}

interface Runtime {
  readonly rule: ResolvedRule;
  readonly states: Map<string, AlertState>;
}

/**
 * Evaluates rules against a kernel: incrementally on each settled call (`tokens`, `usd`,
 * `tokensPerTask`, `rate`) and on a timer (`rate` and `forecast`, and period rollover). Each
 * alert fires at most once per rule, scope key and period; it clears when the condition stops
 * holding or the period ends, and holding actions (pause, stop, downgrade) are released then.
 * Uses only the kernel's public API.
 */
export class RuleEngine {
  readonly #kernel: Kernel;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #dispatch: AlertDispatch;
  readonly #runtimes: Runtime[];
  readonly #periods: RulePeriods;
  readonly #metrics: RuleMetrics;
  readonly #limits: LimitIndex;
  readonly #holds: AgentHolds;
  readonly #actions: RuleActions;
  readonly #unsubscribe: Array<() => void>;
  readonly #models = new Set<string>();
  readonly #pending: UsageRecord[] = [];
  #busy = false;
  #timer: TimerHandle | undefined;
  #closed = false;

  /** @internal use {@link createRuleEngine} */
  constructor(kernel: Kernel, rules: readonly ResolvedRule[], options: RuleEngineOptions) {
    this.#kernel = kernel;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#dispatch = new AlertDispatch(options.sinks ?? [], options.history ?? 1_000);
    this.#runtimes = rules.map((rule) => ({ rule, states: new Map() }));
    const now = this.#clock.now();
    this.#periods = new RulePeriods(kernel);
    this.#metrics = new RuleMetrics(kernel, this.#periods, rules, now);
    this.#limits = new LimitIndex(kernel);
    this.#holds = new AgentHolds(kernel);
    this.#actions = new RuleActions(kernel, this.#holds, (e, c) => this.#dispatch.report(e, c));
    this.#unsubscribe = [
      kernel.on('record', (e) => this.#onRecord(e.record)),
      kernel.on('agent', (e) => this.#onAgent(e)),
      kernel.on('signal', (e: SignalEvent) => this.#holds.onSignal(e)),
    ];
    this.#schedule();
  }

  /** The rules, with every default applied. */
  get rules(): readonly ResolvedRule[] {
    return this.#runtimes.map((r) => r.rule);
  }

  /** Subscribes to `alert` (the events sink) or `error`; returns the unsubscribe function. */
  on<K extends keyof RuleEngineEventMap>(
    type: K,
    handler: (event: RuleEngineEventMap[K]) => void,
  ): () => void {
    return this.#dispatch.on(type, handler);
  }

  /** Evaluates the timer metrics (rate, forecast) and rolls periods now, as the timer does. */
  evaluate(): void {
    if (this.#closed) return;
    this.#tick();
  }

  /** The latest alerts (fired and cleared), oldest first. */
  alerts(): AlertEvent[] {
    return this.#dispatch.history();
  }

  /** The alerts firing now. */
  active(): AlertEvent[] {
    const out: AlertEvent[] = [];
    for (const { states } of this.#runtimes)
      for (const s of states.values()) if (s.active) out.push(s.fired);
    return out;
  }

  /** Agents held stopped or downgraded by rules, with the alerts (`rule|key|periodKey`) holding them. */
  holds(): Record<string, AgentHoldStatus> {
    return this.#holds.snapshot();
  }

  /**
   * Stops evaluating: unsubscribes from the kernel, clears the timer, and clears every active
   * alert (reason `engine-closed`), which resumes the agents it paused and reverts its downgrades
   * unless the kernel is closed too.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const runtime of this.#runtimes) {
      for (const state of runtime.states.values()) {
        if (!state.active) continue;
        const release = this.#clear(runtime, state, state.value, 'engine-closed', now);
        if (!this.#kernel.closed) release();
      }
      runtime.states.clear();
    }
  }

  #onRecord(record: UsageRecord): void {
    if (this.#closed) return;
    this.#pending.push(record);
    // An action can make the kernel settle another call; that record waits for this one.
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let r = this.#pending.shift(); r !== undefined; r = this.#pending.shift())
        this.#ingest(r);
    } finally {
      this.#busy = false;
    }
  }

  #ingest(record: UsageRecord): void {
    if (!this.#models.has(record.model)) {
      this.#models.add(record.model);
      this.#limits.invalidate();
    }
    this.#actions.sawModel(record.model, record.agentId);
    this.#metrics.ingest(record);
    const now = Math.max(this.#clock.now(), record.time);
    for (const runtime of this.#runtimes) {
      const { when } = runtime.rule;
      if (when.metric === 'forecast') continue;
      const key = recordKey(when.scope, record);
      if (key === undefined || (when.id !== '*' && when.id !== key)) continue;
      this.#check(runtime, key, now);
    }
  }

  #onAgent(event: AgentEvent): void {
    if (this.#closed) return;
    if (event.type === 'agent.spawned') this.#limits.invalidate();
    else if (event.type === 'agent.released' || event.type === 'agent.killed') {
      this.#holds.forget(event.agentId);
      this.#actions.forget(event.agentId);
      for (const { states } of this.#runtimes)
        for (const s of states.values()) s.targets.delete(event.agentId);
    } else if (event.type === 'agent.admitted') {
      if (!this.#kernel.has(event.agentId)) return;
      const agent = this.#kernel.agent(event.agentId);
      for (const { rule, states } of this.#runtimes) {
        if (!isHolding(rule.action)) continue;
        for (const [key, s] of states) {
          if (
            s.active &&
            this.#actions.applies(agent, rule, key) &&
            this.#actions.admit(rule, agent, s.holder)
          )
            s.targets.add(agent.id);
        }
      }
    }
  }

  #tick(): void {
    if (this.#kernel.closed) {
      this.close();
      return;
    }
    const now = this.#clock.now();
    this.#metrics.prune(now);
    for (const runtime of this.#runtimes) {
      const { when } = runtime.rule;
      const keys = new Set(runtime.states.keys());
      if (when.id !== '*') keys.add(when.id);
      else if (when.metric === 'rate')
        for (const k of this.#metrics.recentKeys(when.scope, when.windowMinutes ?? 5, now))
          keys.add(k);
      else if (when.metric === 'forecast') {
        if (when.scope === 'org') keys.add('org');
        else for (const k of this.#metrics.tallyKeys(when.scope, when.period, now)) keys.add(k);
      }
      const timed = when.metric === 'rate' || when.metric === 'forecast';
      for (const key of keys) {
        const state = runtime.states.get(key);
        // Counted metrics change only with records: the timer just rolls their periods.
        if (timed || state === undefined || now >= state.span.end) this.#check(runtime, key, now);
      }
    }
    this.#schedule();
  }

  /** Evaluates one rule for one key; a failure is reported and the other rules still run. */
  #check(runtime: Runtime, key: string, now: number): void {
    try {
      this.#evaluate(runtime, key, now);
    } catch (error) {
      this.#dispatch.report(error, { source: 'rule evaluation', rule: runtime.rule.name, key });
    }
  }

  /** Rolls the rule's period for the key, then fires or clears. */
  #evaluate(runtime: Runtime, key: string, now: number): void {
    const { rule, states } = runtime;
    const span = this.#periods.span(rule.when.period, now);
    const measure = measureRule(rule, key, now, this.#metrics, this.#limits, this.#periods);
    let state = states.get(key);
    let release: (() => void) | undefined;
    if (state !== undefined && state.span.key !== span.key) {
      if (state.active) release = this.#clear(runtime, state, state.value, 'period-ended', now);
      states.delete(key);
      state = undefined;
    }
    if (measure !== undefined) {
      const holds = compare(measure.value, rule.when.op, measure.threshold);
      if (state !== undefined) state.value = measure.value;
      if (holds && state === undefined) this.#fire(runtime, key, span, measure, now);
      else if (!holds && state?.active === true)
        this.#clear(runtime, state, measure.value, 'condition-cleared', now)();
    }
    // Released after a new period's alert took its holds, so a condition that still holds never
    // resumes an agent for an instant.
    release?.();
  }

  #fire(runtime: Runtime, key: string, span: RulePeriodSpan, m: Measure, now: number): void {
    const { rule } = runtime;
    const holder = `${rule.name}|${key}|${span.key}`;
    const targets = new Set<string>();
    // The state exists before the action runs: an action's own events may come back re-entrantly.
    const state: AlertState = {
      span,
      holder,
      measure: m,
      fired: buildAlert('alert.fired', rule, key, span, m, [], now),
      targets,
      active: true,
      value: m.value,
    };
    runtime.states.set(key, state);
    for (const id of this.#actions.apply(rule, key, holder)) targets.add(id);
    state.fired = buildAlert('alert.fired', rule, key, span, m, [...targets], now);
    this.#dispatch.emit(state.fired);
    this.#schedule();
  }

  /** Marks the alert cleared and emits it; returns the release of its holds, for the caller to run. */
  #clear(
    runtime: Runtime,
    state: AlertState,
    value: number,
    reason: NonNullable<AlertEvent['reason']>,
    now: number,
  ): () => void {
    const { rule } = runtime;
    state.active = false;
    const targets = [...state.targets];
    const m = { ...state.measure, value };
    const base = buildAlert('alert.cleared', rule, state.fired.key, state.span, m, targets, now);
    this.#dispatch.emit({ ...base, message: `cleared: ${base.message}`, reason });
    return () => {
      this.#actions.release(rule, state.holder, targets, `rule ${rule.name} cleared (${reason})`);
      state.targets.clear();
    };
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    const now = this.#clock.now();
    let delay = this.#intervalMs;
    for (const { states } of this.#runtimes)
      for (const s of states.values())
        if (s.active && s.span.end > now) delay = Math.min(delay, s.span.end - now);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#tick();
    }, delay);
  }
}

/**
 * Starts evaluating `rules` against `kernel`; `rules` are {@link RuleSpec}s (checked and given
 * their defaults here) or the output of `parseRules`/`loadRules`.
 * @throws KernelError `INVALID_CONFIG` naming the rule and field; `INVALID_ARGUMENT` for a bad option
 * @example
 * const engine = createRuleEngine(kernel, await loadRules('budget-alerts.yaml'), {
 *   sinks: [consoleSink(), webhookSink({ url })], clock,
 * });
 * engine.on('alert', (a) => console.log(a.message));
 */
export function createRuleEngine(
  kernel: Kernel,
  rules: readonly RuleSpec[],
  options: RuleEngineOptions = {},
): RuleEngine {
  if (kernel === null || typeof kernel !== 'object' || typeof kernel.on !== 'function')
    invalid('kernel', 'a Kernel', kernel);
  if (kernel.closed)
    throw new KernelError('KERNEL_CLOSED', 'The kernel is closed; create a new one');
  if (!Array.isArray(rules)) invalid('rules', 'an array of rules', rules);
  expectObject('options', options);
  if (options.intervalMs !== undefined) expectPositiveInt('intervalMs', options.intervalMs);
  if (options.history !== undefined) expectPositiveInt('history', options.history);
  if (options.sinks !== undefined) {
    if (!Array.isArray(options.sinks)) invalid('sinks', 'an array of alert sinks', options.sinks);
    options.sinks.forEach((s: unknown, i) => {
      if (s === null || typeof s !== 'object' || typeof (s as AlertSink).deliver !== 'function')
        invalid(`sinks[${i}]`, 'an object with a `deliver` function', s);
    });
  }
  const c = options.clock;
  if (
    c !== undefined &&
    (c === null || typeof c.now !== 'function' || typeof c.setTimeout !== 'function')
  )
    invalid('clock', 'a Clock', c);
  let resolved: ResolvedRule[];
  try {
    resolved = resolveRuleList(rules, []);
  } catch (error) {
    if (error instanceof RuleProblem) throw ruleConfigError(error, {});
    throw error;
  }
  return new RuleEngine(kernel, resolved, options);
}
