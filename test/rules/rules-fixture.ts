import type { KernelOptions } from '../../src/kernel/kernel-options.js';
import type { AlertEvent } from '../../src/rules/alert-event.js';
import {
  createRuleEngine,
  type RuleEngine,
  type RuleEngineOptions,
} from '../../src/rules/rule-engine.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

/** test-small: 1,000 nano-USD per input token, 4,000 per output token. */
export const M = 'test-small';

/** A kernel on a fake clock, a rule engine on the same clock, and every alert and engine error. */
export function setup(
  rules: RuleSpec[],
  kernelOptions: Partial<KernelOptions> = {},
  engineOptions: RuleEngineOptions = {},
): ReturnType<typeof makeKernel> & {
  engine: RuleEngine;
  alerts: AlertEvent[];
  engineErrors: unknown[];
} {
  const fixture = makeKernel({ totalBudget: 10_000_000, ...kernelOptions });
  const engine = createRuleEngine(fixture.kernel, rules, {
    clock: fixture.clock,
    ...engineOptions,
  });
  const alerts: AlertEvent[] = [];
  const engineErrors: unknown[] = [];
  engine.on('alert', (a) => alerts.push(a));
  engine.on('error', (e) => engineErrors.push(e.error));
  return { ...fixture, engine, alerts, engineErrors };
}

/** A rule with defaults for the fields a test does not care about. */
export function rule(when: RuleSpec['when'], extra: Partial<RuleSpec> = {}): RuleSpec {
  return { name: 'r', severity: 'P2', action: 'notify', when, ...extra };
}

/** `type key` pairs, for compact assertions. */
export function kinds(alerts: readonly AlertEvent[]): string[] {
  return alerts.map((a) => `${a.type === 'alert.fired' ? 'fired' : 'cleared'} ${a.rule} ${a.key}`);
}
