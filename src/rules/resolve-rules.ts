import { templateProblem } from './alert-message.js';
import { RuleProblem, type RulePath } from './rule-problem.js';
import {
  DEFAULT_RULE_MESSAGE,
  RULE_ACTIONS,
  RULE_METRICS,
  RULE_PERIODS,
  RULE_SCOPES,
  RULE_SEVERITIES,
  type ResolvedRule,
  type RuleMetric,
  type RuleOp,
  type RulePeriod,
  type RuleScope,
} from './rule-spec.js';

const OPS: Readonly<Record<string, RuleOp>> = {
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};
const RULE_KEYS = new Set(['name', 'when', 'severity', 'action', 'message']);
const WHEN_KEYS = new Set([
  'metric',
  'scope',
  'id',
  'period',
  'op',
  'value',
  'ratioOf',
  'windowMinutes',
]);
const RATIO_KEYS = new Set(['factor', 'limit']);
const REFERENCE = /^(agent|task|user|session|model|org):(hour|day|week|month|lifetime)$/;
const DEFAULT_PERIOD: Readonly<Record<RuleMetric, RulePeriod>> = {
  tokens: 'lifetime',
  usd: 'lifetime',
  tokensPerTask: 'lifetime',
  rate: 'hour',
  forecast: 'day',
};

/**
 * Checks a rule document (an array of rules, or `{ rules: [...] }`) and applies the defaults.
 * @throws RuleProblem naming the path of the first bad field
 */
export function resolveRuleDocument(doc: unknown): ResolvedRule[] {
  if (Array.isArray(doc)) return resolveRuleList(doc, []);
  if (doc === null || typeof doc !== 'object')
    throw new RuleProblem([], 'an array of rules or an object with `rules`', doc);
  for (const key of Object.keys(doc))
    if (key !== 'rules')
      throw new RuleProblem(
        [key],
        'absent (the document holds only `rules`)',
        (doc as Record<string, unknown>)[key],
      );
  const rules = (doc as Record<string, unknown>)['rules'];
  if (!Array.isArray(rules)) throw new RuleProblem(['rules'], 'an array of rules', rules);
  return resolveRuleList(rules, ['rules']);
}

/**
 * Checks a list of rules at `base` in a document; names must be unique.
 * @throws RuleProblem naming the path of the first bad field
 */
export function resolveRuleList(rules: readonly unknown[], base: RulePath): ResolvedRule[] {
  const seen = new Set<string>();
  const out: ResolvedRule[] = [];
  rules.forEach((value, index) => {
    const rule = resolveRule(value, [...base, index], index);
    if (seen.has(rule.name))
      throw new RuleProblem([...base, index, 'name'], 'unique in the rule set', rule.name, {
        index,
        name: rule.name,
        depth: base.length + 1,
      });
    seen.add(rule.name);
    out.push(rule);
  });
  return out;
}

function resolveRule(value: unknown, at: RulePath, index: number): ResolvedRule {
  const rawName =
    value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)['name']
      : undefined;
  const ctx = {
    index,
    name: typeof rawName === 'string' && rawName.length > 0 ? rawName.slice(0, 80) : undefined,
    depth: at.length,
  };
  const fail = (path: RulePath, expected: string, got: unknown): never => {
    throw new RuleProblem([...at, ...path], expected, got, ctx);
  };
  const rule = objectAt(value, [], fail, RULE_KEYS);
  const name = rule['name'];
  if (typeof name !== 'string' || !/^[\w.:-]{1,128}$/.test(name))
    fail(['name'], 'a name of 1 to 128 letters, digits, `_`, `-`, `.` or `:`', name);
  const when = objectAt(rule['when'], ['when'], fail, WHEN_KEYS);
  const metric = oneOf(when['metric'], ['when', 'metric'], RULE_METRICS, fail);
  const scope =
    when['scope'] === undefined
      ? metric === 'tokensPerTask'
        ? 'task'
        : 'org'
      : oneOf(when['scope'], ['when', 'scope'], RULE_SCOPES, fail);
  if (metric === 'tokensPerTask' && scope !== 'task')
    fail(['when', 'scope'], "'task' (or absent) for the tokensPerTask metric", scope);
  let id = '*';
  if (when['id'] !== undefined && when['id'] !== '*') {
    if (scope === 'org') fail(['when', 'id'], "absent for the 'org' scope", when['id']);
    if (typeof when['id'] !== 'string' || when['id'].length === 0 || when['id'].length > 256)
      fail(['when', 'id'], "a key of 1 to 256 characters, or '*'", when['id']);
    id = when['id'] as string;
  }
  const period =
    when['period'] === undefined
      ? DEFAULT_PERIOD[metric]
      : oneOf(when['period'], ['when', 'period'], RULE_PERIODS, fail);
  if (metric === 'forecast' && period === 'lifetime')
    fail(
      ['when', 'period'],
      "a calendar period ('hour', 'day', 'week', 'month') for forecast",
      period,
    );
  const op = OPS[String(when['op'])];
  if (typeof when['op'] !== 'string' || op === undefined)
    fail(
      ['when', 'op'],
      "one of '>', '>=', '<', '<=' (or gt, gte, lt, lte; quote `>` in YAML: op: '>')",
      when['op'],
    );
  const threshold = thresholdOf(when, metric, scope, period, fail);
  let windowMinutes: number | undefined;
  if (when['windowMinutes'] !== undefined) {
    if (metric !== 'rate')
      fail(['when', 'windowMinutes'], 'absent unless the metric is rate', when['windowMinutes']);
    const w = when['windowMinutes'];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 60)
      fail(['when', 'windowMinutes'], 'an integer from 1 to 60', w);
    windowMinutes = w as number;
  } else if (metric === 'rate') windowMinutes = 5;
  const severity = oneOf(rule['severity'], ['severity'], RULE_SEVERITIES, fail);
  const action = oneOf(rule['action'], ['action'], RULE_ACTIONS, fail);
  const message = rule['message'] === undefined ? DEFAULT_RULE_MESSAGE : rule['message'];
  if (typeof message !== 'string' || message.length === 0 || message.length > 2_000)
    fail(['message'], 'a string of 1 to 2,000 characters', message);
  const problem = templateProblem(message as string);
  if (problem !== undefined) fail(['message'], `a template without ${problem}`, message);
  return {
    name: name as string,
    when: {
      metric,
      scope,
      id,
      period,
      op: op as RuleOp,
      ...threshold,
      ...(windowMinutes !== undefined && { windowMinutes }),
    },
    severity,
    action,
    message: message as string,
  };
}

type Fail = (path: RulePath, expected: string, got: unknown) => never;

function thresholdOf(
  when: Record<string, unknown>,
  metric: RuleMetric,
  scope: RuleScope,
  period: RulePeriod,
  fail: Fail,
): { value: number } | { ratioOf: { factor: number; limit: string } } {
  const { value, ratioOf } = when;
  if (value === undefined && ratioOf === undefined)
    fail(['when', 'value'], 'set (exactly one of `value` and `ratioOf`)', value);
  if (value !== undefined && ratioOf !== undefined)
    fail(['when', 'ratioOf'], 'absent when `value` is set (exactly one of the two)', ratioOf);
  if (value !== undefined) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      fail(['when', 'value'], 'a finite number ≥ 0 in the metric’s unit', value);
    return { value: value as number };
  }
  let factor: unknown = ratioOf;
  let limit: unknown = `${scope}:${period}`;
  let at: RulePath = ['when', 'ratioOf'];
  if (ratioOf !== null && typeof ratioOf === 'object') {
    const r = objectAt(ratioOf, ['when', 'ratioOf'], fail, RATIO_KEYS);
    factor = r['factor'];
    at = ['when', 'ratioOf', 'factor'];
    if (r['limit'] !== undefined) limit = r['limit'];
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0)
    fail(at, 'a positive finite factor (or an object with `factor` and `limit`)', factor);
  if (typeof limit !== 'string' || limit.length === 0 || limit.length > 256)
    fail(
      ['when', 'ratioOf', 'limit'],
      "a limit reference such as 'agent:hour' or a limit name",
      limit,
    );
  const ref = REFERENCE.exec(limit as string);
  if (ref !== null) {
    if (ref[1] !== scope && ref[1] !== 'org')
      fail(['when', 'ratioOf', 'limit'], `a reference to a '${scope}' or 'org' limit`, limit);
    if (metric === 'rate' && ref[2] === 'lifetime')
      fail(
        ['when', 'ratioOf', 'limit'],
        'a calendar-period limit for the rate metric (lifetime limits have no pace)',
        limit,
      );
  }
  return { ratioOf: { factor: factor as number, limit: limit as string } };
}

function objectAt(
  value: unknown,
  path: RulePath,
  fail: Fail,
  allowed: ReadonlySet<string>,
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(path, 'an object', value);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (!allowed.has(key))
      fail([...path, key], `absent (known fields: ${[...allowed].join(', ')})`, obj[key]);
  return obj;
}

function oneOf<T extends string>(
  value: unknown,
  path: RulePath,
  allowed: readonly T[],
  fail: Fail,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    fail(path, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as T;
}
