import type { AlertEvent } from './alert-event.js';
import { formatMetric, renderTemplate } from './alert-message.js';
import type { LimitIndex, ReferencedLimit } from './limit-index.js';
import type { RuleMetrics } from './rule-metrics.js';
import type { RulePeriodSpan, RulePeriods } from './rule-periods.js';
import type { ResolvedRule, RuleOp, RulePeriod } from './rule-spec.js';

/** A rule's metric for one key, what it is compared with, and the limit behind a ratio. */
export interface Measure {
  readonly value: number;
  readonly threshold: number;
  readonly limit: ReferencedLimit | undefined;
}

/**
 * Measures `rule` for `key` now; undefined when a ratio rule's limit does not exist for the key
 * (or, for `rate`, is a lifetime limit, which has no pace).
 */
export function measureRule(
  rule: ResolvedRule,
  key: string,
  now: number,
  metrics: RuleMetrics,
  limits: LimitIndex,
  periods: RulePeriods,
): Measure | undefined {
  const { metric, scope, period } = rule.when;
  let value: number;
  if (metric === 'rate') value = metrics.rate(scope, key, rule.when.windowMinutes ?? 5, now);
  else if (metric === 'forecast') value = metrics.forecastUsd(scope, period, key, now);
  else {
    const used = metrics.used(scope, period, key, now);
    value = metric === 'usd' ? used.nano / 1e9 : used.tokens;
  }
  const ratio = rule.when.ratioOf;
  if (ratio === undefined) return { value, threshold: rule.when.value ?? 0, limit: undefined };
  const limit = limits.find(ratio.limit, key, unitOf(rule));
  if (limit === undefined) return undefined;
  let threshold = ratio.factor * limit.limit;
  if (metric === 'rate') {
    if (limit.period === 'lifetime') return undefined;
    const span = periods.span(limit.period as RulePeriod, now);
    threshold /= (span.end - span.start) / 60_000;
  }
  return { value, threshold, limit };
}

/** True when `value op threshold`. */
export function compare(value: number, op: RuleOp, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    default:
      return value <= threshold;
  }
}

/** Builds an alert with its message filled in. */
export function buildAlert(
  type: AlertEvent['type'],
  rule: ResolvedRule,
  key: string,
  span: RulePeriodSpan,
  m: Measure,
  targets: readonly string[],
  time: number,
): AlertEvent {
  const { metric, scope, period, op } = rule.when;
  const { value, threshold, limit } = m;
  const message = renderTemplate(rule.message, {
    rule: rule.name,
    severity: rule.severity,
    action: rule.action,
    metric,
    scope,
    key,
    period,
    periodKey: span.key,
    op,
    value: formatMetric(metric, value),
    threshold: formatMetric(metric, threshold),
    limit:
      limit === undefined
        ? 'none'
        : `${limit.name} (${formatMetric(unitOf(rule) === 'usd' ? 'usd' : 'tokens', limit.limit)})`,
    targets: targets.length === 0 ? 'none' : targets.join(', '),
  });
  return {
    type,
    rule: rule.name,
    severity: rule.severity,
    action: rule.action,
    metric,
    scope,
    key,
    period,
    periodKey: span.key,
    op,
    value,
    threshold,
    ...(limit !== undefined && { limit: { name: limit.name, value: limit.limit } }),
    targets,
    message,
    time,
  };
}

/** The unit of the limits a rule's ratio refers to. */
function unitOf(rule: ResolvedRule): 'tokens' | 'usd' {
  return rule.when.metric === 'usd' || rule.when.metric === 'forecast' ? 'usd' : 'tokens';
}
