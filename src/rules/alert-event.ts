import type {
  RuleAction,
  RuleMetric,
  RuleOp,
  RulePeriod,
  RuleScope,
  RuleSeverity,
} from './rule-spec.js';

/**
 * An alert: a rule's condition became true for a scope key in a period (`alert.fired`, at most
 * once per rule, key and period), or stopped being true or the period ended (`alert.cleared`).
 * Values are in the metric's unit: tokens, USD as a number, or tokens per minute.
 */
export interface AlertEvent {
  readonly type: 'alert.fired' | 'alert.cleared';
  readonly rule: string;
  readonly severity: RuleSeverity;
  readonly action: RuleAction;
  readonly metric: RuleMetric;
  readonly scope: RuleScope;
  /** The scope key: an agent, task, user, session or model id, or `org`. */
  readonly key: string;
  readonly period: RulePeriod;
  /** The period's start as an ISO 8601 UTC instant, or `lifetime`. */
  readonly periodKey: string;
  readonly op: RuleOp;
  /** The metric's value when the alert fired or cleared. */
  readonly value: number;
  /** What it was compared with (factor × limit for ratio rules). */
  readonly threshold: number;
  /** The kernel limit a ratio rule referred to. */
  readonly limit?: { readonly name: string; readonly value: number };
  /** Agents the action was applied to (fired) or released (cleared); empty for `notify`. */
  readonly targets: readonly string[];
  /** The rule's message with its placeholders filled (prefixed `cleared: ` when cleared). */
  readonly message: string;
  /** Why it cleared: the condition no longer holds, the period ended, or the engine closed. */
  readonly reason?: 'condition-cleared' | 'period-ended' | 'engine-closed';
  /** ms since the epoch. */
  readonly time: number;
}

/**
 * Where alerts go besides the engine's `alert` event. `deliver` is called synchronously from the
 * kernel's event path: it must return at once (queue and deliver asynchronously); an exception or
 * a rejected promise is reported as an engine `error` event, never thrown into the kernel.
 */
export interface AlertSink {
  deliver(alert: AlertEvent): void | Promise<void>;
}
