import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import type { AlertEvent } from '../../src/rules/alert-event.js';
import { consoleSink, formatAlertLine } from '../../src/rules/console-sink.js';
import { createRuleEngine } from '../../src/rules/rule-engine.js';
import { makeKernel, names } from '../helpers/kernel-fixture.js';
import { M, kinds, rule, setup } from './rules-fixture.js';

const MIN = 60_000;

describe('de-duplication', () => {
  it('fires once per rule, key and period, and again in the next period', () => {
    const { kernel, alerts, clock } = setup([
      rule({ metric: 'tokens', scope: 'agent', period: 'hour', op: '>', value: 100 }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    for (let i = 0; i < 5; i++) a.record({ inputTokens: 60, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired r a']);
    clock.advance(60 * MIN);
    expect(kinds(alerts)).toEqual(['fired r a', 'cleared r a']);
    for (let i = 0; i < 5; i++) a.record({ inputTokens: 60, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired r a', 'cleared r a', 'fired r a']);
    expect(alerts.map((x) => x.periodKey)).toEqual([
      '2026-01-05T12:00:00.000Z',
      '2026-01-05T12:00:00.000Z',
      '2026-01-05T13:00:00.000Z',
    ]);
  });

  it('does not fire again in the same period after clearing', () => {
    const { kernel, alerts, clock } = setup([
      rule({ metric: 'rate', scope: 'agent', op: '>', value: 100, windowMinutes: 1 }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    clock.advance(MIN);
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired r a', 'cleared r a']);
  });

  it('carries a hold across a period boundary without resuming the agent for an instant', () => {
    const { kernel, alerts, clock, signals } = setup([
      rule(
        { metric: 'rate', scope: 'agent', op: '>', value: 10, windowMinutes: 5 },
        { action: 'pause-noncritical' },
      ),
    ]);
    clock.set(Date.UTC(2026, 0, 5, 12, 58));
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    clock.set(Date.UTC(2026, 0, 5, 13, 0));
    expect(kinds(alerts)).toEqual(['fired r a', 'cleared r a', 'fired r a']);
    expect(alerts[1]?.reason).toBe('period-ended');
    expect(names(signals)).toEqual(['a:SIGSTOP']);
    expect(a.runnable).toBe(false);
  });
});

describe('sinks and events', () => {
  it('delivers every alert to the alert event, the console sink and custom sinks', () => {
    const lines: string[] = [];
    const custom: AlertEvent[] = [];
    const { kernel, alerts, engine } = setup(
      [rule({ metric: 'tokens', op: '>', value: 10 }, { name: 'org-tokens', severity: 'P1' })],
      {},
      { sinks: [consoleSink((l) => lines.push(l)), { deliver: (a) => void custom.push(a) }] },
    );
    kernel
      .spawn({ id: 'a', maxTokens: 10_000, model: M })
      .record({ inputTokens: 11, outputTokens: 0 });
    expect(custom).toEqual(alerts);
    expect(engine.alerts()).toEqual(alerts);
    expect(lines).toEqual([formatAlertLine(alerts[0]!)]);
    expect(lines[0]).toMatch(
      /^\[P1\] alert\.fired org-tokens org\/org lifetime lifetime: org-tokens: tokens of org org is 11 tokens/,
    );
  });

  it('reports a throwing or rejecting sink and a throwing handler as engine errors, and carries on', async () => {
    const delivered: string[] = [];
    const { kernel, engine, engineErrors, errors } = setup(
      [rule({ metric: 'tokens', op: '>', value: 10 })],
      {},
      {
        sinks: [
          {
            deliver: () => {
              throw new Error('sink down');
            },
          },
          { deliver: () => Promise.reject(new Error('async sink down')) },
          { deliver: (a) => void delivered.push(a.rule) },
        ],
      },
    );
    engine.on('alert', () => {
      throw new Error('handler bug');
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    a.record({ inputTokens: 11, outputTokens: 0 });
    await Promise.resolve();
    await Promise.resolve();
    expect(delivered).toEqual(['r']);
    expect(engineErrors.map((e) => (e as Error).message).sort()).toEqual([
      'async sink down',
      'handler bug',
      'sink down',
    ]);
    expect(errors).toEqual([]);
    expect(a.window.used).toBe(11);
  });

  it('fills every placeholder', () => {
    const { kernel, alerts } = setup(
      [
        rule(
          { metric: 'usd', scope: 'user', period: 'day', op: '>=', ratioOf: 0.5 },
          {
            name: 'half',
            action: 'stop-agent',
            message:
              '{rule}|{severity}|{action}|{metric}|{scope}|{key}|{period}|{periodKey}|{op}|{value}|{threshold}|{limit}|{targets}|{{x}}',
          },
        ),
      ],
      { limits: [{ scope: 'user', period: 'day', usd: 2, hard: false }] },
    );
    kernel
      .spawn({ id: 'a', maxTokens: 10_000_000, model: M, userId: 'u' })
      .record({ inputTokens: 1_000_000, outputTokens: 0 });
    expect(alerts[0]?.message).toBe(
      'half|P2|stop-agent|usd|user|u|day|2026-01-05T00:00:00.000Z|>=|$1.00|$1.00|user:u:day ($2.00)|a|{x}',
    );
  });

  it('keeps a bounded history', () => {
    const { kernel, engine } = setup(
      [rule({ metric: 'tokens', scope: 'agent', op: '>', value: 0 })],
      {},
      { history: 3 },
    );
    for (let i = 0; i < 5; i++)
      kernel
        .spawn({ id: `a${i}`, maxTokens: 1_000, model: M })
        .record({ inputTokens: 1, outputTokens: 0 });
    expect(engine.alerts().map((a) => a.key)).toEqual(['a2', 'a3', 'a4']);
  });

  it('evaluates a record settled by an alert handler after the current one', () => {
    const { kernel, alerts, engine } = setup([
      rule({ metric: 'tokens', scope: 'agent', op: '>', value: 10 }, { name: 'first' }),
      rule({ metric: 'tokens', scope: 'agent', op: '>', value: 20 }, { name: 'second' }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    engine.on('alert', (e) => {
      if (e.rule === 'first') a.record({ inputTokens: 10, outputTokens: 0 });
    });
    a.record({ inputTokens: 11, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired first a', 'fired second a']);
    expect(alerts[1]?.value).toBe(21);
  });
});

describe('lifecycle', () => {
  it('runs one timer on the injected clock and clears it on close', () => {
    const { kernel, clock } = makeKernel();
    const before = clock.pending;
    const engine = createRuleEngine(kernel, [rule({ metric: 'rate', op: '>', value: 1 })], {
      clock,
      intervalMs: 1_000,
    });
    expect(clock.pending).toBe(before + 1);
    clock.advance(10_000);
    expect(clock.pending).toBe(before + 1);
    engine.close();
    expect(clock.pending).toBe(before);
  });

  it('clears active alerts on close and resumes the agents it paused', () => {
    const { kernel, alerts, engine } = setup([
      rule({ metric: 'tokens', op: '>', value: 10 }, { action: 'pause-noncritical' }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    a.record({ inputTokens: 11, outputTokens: 0 });
    expect(a.runnable).toBe(false);
    engine.close();
    expect(alerts.at(-1)).toMatchObject({
      type: 'alert.cleared',
      reason: 'engine-closed',
      targets: ['a'],
    });
    expect(a.runnable).toBe(true);
    a.record({ inputTokens: 11, outputTokens: 0 });
    expect(alerts).toHaveLength(2);
    expect(engine.active()).toEqual([]);
  });

  it('closes itself when its timer finds the kernel closed', async () => {
    const { kernel, clock, engine, alerts } = setup([
      rule({ metric: 'tokens', op: '>', value: 10 }, { action: 'pause-noncritical' }),
    ]);
    kernel
      .spawn({ id: 'a', maxTokens: 10_000, model: M })
      .record({ inputTokens: 11, outputTokens: 0 });
    await kernel.close();
    clock.advance(60_000);
    expect(alerts.at(-1)).toMatchObject({ type: 'alert.cleared', reason: 'engine-closed' });
    expect(engine.active()).toEqual([]);
  });

  it('lists the active alerts', () => {
    const { kernel, engine } = setup([
      rule({ metric: 'tokens', scope: 'agent', op: '>', value: 10 }),
    ]);
    kernel
      .spawn({ id: 'a', maxTokens: 10_000, model: M })
      .record({ inputTokens: 11, outputTokens: 0 });
    expect(engine.active().map((a) => a.key)).toEqual(['a']);
  });

  it('rejects bad rules naming the rule and field, and bad options', () => {
    const { kernel } = makeKernel();
    const badRule = {
      name: 'x',
      severity: 'P1',
      action: 'notify',
      when: { metric: 'usd', op: '>', value: 'ten' },
    } as never;
    try {
      createRuleEngine(kernel, [badRule]);
      expect.unreachable();
    } catch (error) {
      expect(isKernelError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as { details: object }).details).toMatchObject({
        rule: 0,
        ruleName: 'x',
        field: 'when.value',
      });
    }
    expect(() => createRuleEngine(kernel, [], { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => createRuleEngine(kernel, [], { sinks: [{} as never] })).toThrow(/sinks\[0\]/);
  });

  it('accepts the rules parseRules returns', () => {
    const { kernel, clock } = makeKernel();
    const first = createRuleEngine(kernel, [rule({ metric: 'tokens', op: '>', ratioOf: 2 })], {
      clock,
    });
    const again = createRuleEngine(kernel, first.rules, { clock });
    expect(again.rules).toEqual(first.rules);
    first.close();
    again.close();
  });
});
