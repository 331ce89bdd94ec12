/** What a rule measures. */
export type RuleMetric = 'tokens' | 'usd' | 'rate' | 'forecast' | 'tokensPerTask';

/** What a rule's metric is counted for: one key of a dimension, or the whole kernel (`org`). */
export type RuleScope = 'agent' | 'task' | 'user' | 'session' | 'model' | 'org';

/** The period a metric is counted over and alerts are de-duplicated per. */
export type RulePeriod = 'hour' | 'day' | 'week' | 'month' | 'lifetime';

/** A comparison. `gt`/`gte`/`lt`/`lte` are accepted in rule files and normalized to symbols. */
export type RuleOp = '>' | '>=' | '<' | '<=';

/** How urgent an alert is: P1 (page someone) to P3 (informational). */
export type RuleSeverity = 'P1' | 'P2' | 'P3';

/**
 * What happens when a rule fires, besides the alert itself:
 * - `notify`: the alert only;
 * - `pause-noncritical`: SIGSTOP to the `low` and `normal` agents of the scope key, SIGRESUME when
 *   the condition clears or the period rolls over;
 * - `stop-agent`: the same for every agent of the scope key, whatever its priority;
 * - `kill-agent`: SIGKILL to every agent of the scope key (irreversible);
 * - `downgrade-model`: switches the agents' governed calls to the cheaper model until the alert
 *   clears;
 * - `compress`: asks each agent to compact its context (a `compaction` event), once per firing.
 */
export type RuleAction =
  'notify' | 'pause-noncritical' | 'stop-agent' | 'kill-agent' | 'downgrade-model' | 'compress';

/**
 * A threshold relative to a limit configured in the kernel: `factor × limit`.
 *
 * `limit` is either a reference `'<scope>:<period>'` (e.g. `'agent:hour'`), meaning the kernel's
 * limit of that scope and period for the key being evaluated (`org` limits for an `org`
 * reference), or the exact `name` of a limit as listed in `kernel.status().limits`
 * (e.g. `'org:day'`, `'pro:user:alice:month'`). The limit's unit follows the metric: tokens for
 * `tokens`, `tokensPerTask` and `rate`; USD for `usd` and `forecast`. When several limits match
 * (a plain limit and a tier's), the smallest counts. A key without a matching limit is not
 * evaluated (the rule cannot fire for it).
 *
 * For `rate` (tokens per minute) the limit is spread evenly over its current period: a daily
 * limit of 1,440,000 tokens is a pace of 1,000 tokens/min; `lifetime` limits have no pace.
 */
export interface RuleRatio {
  /** The multiple of the limit, > 0 (2 means "twice the limit", 0.9 "90 % of it"). */
  readonly factor: number;
  /** The limit referenced. @default `'<rule scope>:<rule period>'` */
  readonly limit?: string;
}

/** When a rule fires: `metric(scope key, period) op threshold`. */
export interface RuleCondition {
  /**
   * - `tokens`: input + output tokens of the key in the period (cache hits included, as
   *   `kernel.usage` reports them);
   * - `usd`: money spent by the key in the period, USD;
   * - `rate`: tokens per minute over the last `windowMinutes` UTC minutes (the current, partial
   *   minute included), always divided by `windowMinutes`;
   * - `forecast`: projected USD at the period's end. For `org`, `kernel.forecast(period)`; for a
   *   key, spent in the period + its USD of the last 60 minutes × the minutes left / 60;
   * - `tokensPerTask`: `tokens` for the `task` scope (the classic runaway-task check).
   */
  readonly metric: RuleMetric;
  /** @default 'org' ('task' for `tokensPerTask`, which allows no other) */
  readonly scope?: RuleScope;
  /** One key of the scope, or `'*'` for each key separately. Not allowed for `org`. @default '*' */
  readonly id?: string;
  /**
   * The period the metric counts over, calendar-aligned in the kernel's time zone, and the span
   * alerts are de-duplicated per. For `rate` it is only the de-duplication span.
   * @default 'lifetime' for tokens, usd and tokensPerTask; 'hour' for rate; 'day' for forecast
   */
  readonly period?: RulePeriod;
  readonly op: RuleOp;
  /** An absolute threshold in the metric's unit (tokens, USD, tokens per minute). */
  readonly value?: number;
  /** A threshold relative to a kernel limit: a factor, or a factor and the limit referenced. */
  readonly ratioOf?: number | RuleRatio;
  /** For `rate`: minutes the rate is measured over, 1 to 60. @default 5 */
  readonly windowMinutes?: number;
}

/**
 * One declarative rule. Exactly one of `when.value` and `when.ratioOf` is set.
 * @example
 * const spike: RuleSpec = {
 *   name: 'hourly-spike', severity: 'P2', action: 'notify',
 *   when: { metric: 'tokens', scope: 'agent', period: 'hour', op: '>', ratioOf: 2 },
 *   message: '{key} used {value} this hour, over {threshold}',
 * };
 */
export interface RuleSpec {
  /** Unique within a rule set: it names the alerts. */
  readonly name: string;
  readonly when: RuleCondition;
  readonly severity: RuleSeverity;
  readonly action: RuleAction;
  /**
   * The alert text, with `{placeholders}`: `{rule}`, `{severity}`, `{action}`, `{metric}`,
   * `{scope}`, `{key}`, `{period}`, `{periodKey}`, `{op}`, `{value}`, `{threshold}`, `{limit}`,
   * `{targets}`. Values are formatted in the metric's unit. `{{` and `}}` write braces.
   * @default '{rule}: {metric} of {scope} {key} is {value} ({op} {threshold}) in period {periodKey}'
   */
  readonly message?: string;
}

/** A rule with every default applied, as returned by `parseRules`. */
export interface ResolvedRule {
  readonly name: string;
  readonly when: {
    readonly metric: RuleMetric;
    readonly scope: RuleScope;
    readonly id: string;
    readonly period: RulePeriod;
    readonly op: RuleOp;
    readonly value?: number;
    readonly ratioOf?: { readonly factor: number; readonly limit: string };
    readonly windowMinutes?: number;
  };
  readonly severity: RuleSeverity;
  readonly action: RuleAction;
  readonly message: string;
}

/** Every metric. */
export const RULE_METRICS: readonly RuleMetric[] = [
  'tokens',
  'usd',
  'rate',
  'forecast',
  'tokensPerTask',
];
/** Every scope. */
export const RULE_SCOPES: readonly RuleScope[] = [
  'agent',
  'task',
  'user',
  'session',
  'model',
  'org',
];
/** Every period. */
export const RULE_PERIODS: readonly RulePeriod[] = ['hour', 'day', 'week', 'month', 'lifetime'];
/** Every action. */
export const RULE_ACTIONS: readonly RuleAction[] = [
  'notify',
  'pause-noncritical',
  'stop-agent',
  'kill-agent',
  'downgrade-model',
  'compress',
];
/** Every severity. */
export const RULE_SEVERITIES: readonly RuleSeverity[] = ['P1', 'P2', 'P3'];

/** The message used when a rule has none. */
export const DEFAULT_RULE_MESSAGE =
  '{rule}: {metric} of {scope} {key} is {value} ({op} {threshold}) in period {periodKey}';
