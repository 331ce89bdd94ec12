import { describe, expect, it } from 'vitest';
import { createRuleEngine } from '../../src/rules/rule-engine.js';
import type { RuleOp } from '../../src/rules/rule-spec.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { M, kinds, rule, setup } from './rules-fixture.js';

const HOUR = 3_600_000;
const MIN = 60_000;

describe('tokens metric', () => {
  it('fires once per agent key when its tokens cross the value, with the figures', () => {
    const { kernel, alerts, clock } = setup([
      rule({ metric: 'tokens', scope: 'agent', op: '>', value: 1_000 }, { name: 'big' }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M });
    const b = kernel.spawn({ id: 'b', maxTokens: 100_000, model: M });
    a.record({ inputTokens: 600, outputTokens: 400 });
    b.record({ inputTokens: 900, outputTokens: 0 });
    expect(alerts).toEqual([]);
    a.record({ inputTokens: 1, outputTokens: 0 });
    a.record({ inputTokens: 500, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired big a']);
    expect(alerts[0]).toMatchObject({
      severity: 'P2',
      action: 'notify',
      metric: 'tokens',
      scope: 'agent',
      period: 'lifetime',
      periodKey: 'lifetime',
      op: '>',
      value: 1_001,
      threshold: 1_000,
      targets: [],
      time: clock.now(),
    });
    expect(alerts[0]?.message).toBe(
      'big: tokens of agent a is 1,001 tokens (> 1,000 tokens) in period lifetime',
    );
  });

  it('evaluates only the key named by id', () => {
    const { kernel, alerts } = setup([
      rule({ metric: 'tokens', scope: 'agent', id: 'b', op: '>=', value: 10 }),
    ]);
    kernel
      .spawn({ id: 'a', maxTokens: 10_000, model: M })
      .record({ inputTokens: 50, outputTokens: 0 });
    expect(alerts).toEqual([]);
    kernel
      .spawn({ id: 'b', maxTokens: 10_000, model: M })
      .record({ inputTokens: 10, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired r b']);
  });

  it('counts task, user, session and model keys and skips records without one', () => {
    const { kernel, alerts } = setup([
      rule({ metric: 'tokens', scope: 'task', op: '>', value: 100 }, { name: 'task' }),
      rule({ metric: 'tokens', scope: 'user', op: '>', value: 100 }, { name: 'user' }),
      rule({ metric: 'tokens', scope: 'session', op: '>', value: 100 }, { name: 'session' }),
      rule({ metric: 'tokens', scope: 'model', op: '>', value: 100 }, { name: 'model' }),
    ]);
    const bare = kernel.spawn({ id: 'bare', maxTokens: 10_000, model: M });
    bare.record({ inputTokens: 60, outputTokens: 0 });
    expect(alerts).toEqual([]);
    const full = kernel.spawn({
      id: 'full',
      maxTokens: 10_000,
      model: M,
      task: 't',
      userId: 'u',
      sessionId: 's',
    });
    full.record({ inputTokens: 60, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired model test-small']);
    full.record({ inputTokens: 41, outputTokens: 0 });
    expect(kinds(alerts)).toEqual([
      'fired model test-small',
      'fired task t',
      'fired user u',
      'fired session s',
    ]);
  });

  it('sees usage booked before the engine was created', () => {
    const { kernel, clock } = makeKernel({ totalBudget: 1_000_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M, userId: 'u' });
    a.record({ inputTokens: 900, outputTokens: 0 });
    const engine = createRuleEngine(
      kernel,
      [
        rule(
          { metric: 'tokens', scope: 'user', period: 'day', op: '>', value: 950 },
          { name: 'user' },
        ),
        rule({ metric: 'tokens', scope: 'org', op: '>', value: 950 }, { name: 'org' }),
      ],
      { clock },
    );
    a.record({ inputTokens: 51, outputTokens: 0 });
    expect(kinds(engine.alerts())).toEqual(['fired user u', 'fired org org']);
    engine.close();
  });
});

describe('usd metric', () => {
  it('compares dollars per period and clears when the day ends', () => {
    const { kernel, alerts, clock } = setup([
      rule(
        { metric: 'usd', scope: 'org', period: 'day', op: '>=', value: 0.01 },
        { message: '{value} ≥ {threshold} on {periodKey}' },
      ),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M });
    a.record({ inputTokens: 2_000, outputTokens: 1_999 }); // 0.002 + 0.007996 = 0.009996
    expect(alerts).toEqual([]);
    a.record({ inputTokens: 4, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({
      type: 'alert.fired',
      value: 0.01,
      periodKey: '2026-01-05T00:00:00.000Z',
    });
    expect(alerts[0]?.message).toBe('$0.01 ≥ $0.01 on 2026-01-05T00:00:00.000Z');
    clock.set(Date.UTC(2026, 0, 6, 0, 0, 0) - 1);
    expect(alerts).toHaveLength(1);
    clock.advance(1);
    expect(alerts[1]).toMatchObject({
      type: 'alert.cleared',
      reason: 'period-ended',
      periodKey: '2026-01-05T00:00:00.000Z',
      time: Date.UTC(2026, 0, 6),
    });
    a.record({ inputTokens: 100, outputTokens: 0 });
    expect(alerts).toHaveLength(2);
  });
});

describe('rate metric', () => {
  it('is tokens per minute over the window, fires on records and clears on the timer', () => {
    const { kernel, alerts, clock, engine } = setup([
      rule({ metric: 'rate', scope: 'agent', op: '>', value: 500, windowMinutes: 5 }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 2_500, outputTokens: 0 }); // 500/min: not above
    expect(alerts).toEqual([]);
    clock.advance(MIN);
    a.record({ inputTokens: 1, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({
      type: 'alert.fired',
      key: 'a',
      value: 2_501 / 5,
      threshold: 500,
    });
    clock.advance(3 * MIN); // 12:04: the timer ran; 12:00 is still inside the window
    engine.evaluate();
    expect(alerts).toHaveLength(1);
    clock.advance(MIN); // 12:05: the window is 12:01 to 12:05
    expect(alerts[1]).toMatchObject({
      type: 'alert.cleared',
      reason: 'condition-cleared',
      value: 1 / 5,
    });
  });

  it('relates to a limit spread over its period (ratioOf)', () => {
    const { kernel, alerts } = setup(
      [
        rule({
          metric: 'rate',
          scope: 'agent',
          op: '>',
          ratioOf: { factor: 2, limit: 'agent:hour' },
          windowMinutes: 1,
        }),
      ],
      { limits: [{ scope: 'agent', period: 'hour', tokens: 60_000, hard: false }] },
    );
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 2_000, outputTokens: 0 });
    expect(alerts).toEqual([]);
    a.record({ inputTokens: 1, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({
      value: 2_001,
      threshold: 2_000,
      limit: { name: 'agent:a:hour', value: 60_000 },
    });
  });
});

describe('forecast metric', () => {
  it('uses kernel.forecast for the org against a share of the daily USD limit', () => {
    const { kernel, alerts, clock, engine } = setup(
      [rule({ metric: 'forecast', op: '>', ratioOf: 0.9 })],
      { limits: [{ scope: 'org', period: 'day', usd: 1, hard: false }] },
    );
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000_000, model: M });
    clock.advance(30 * MIN);
    a.record({ inputTokens: 10_000, outputTokens: 0 }); // $0.01 in the first half hour
    engine.evaluate();
    expect(alerts).toEqual([]); // records do not evaluate forecasts; the projection is low anyway
    a.record({ inputTokens: 30_000, outputTokens: 0 });
    clock.advance(MIN);
    expect(alerts[0]).toMatchObject({
      type: 'alert.fired',
      key: 'org',
      threshold: 0.9,
      limit: { name: 'org:day', value: 1 },
    });
    expect(alerts[0]?.value).toBe(kernel.forecast('day').projectedNano / 1e9);
    expect(alerts[0]?.value).toBeGreaterThan(0.9);
  });

  it('projects a key from its period spend and its last hour', () => {
    const { kernel, alerts, clock, engine } = setup([
      rule({ metric: 'forecast', scope: 'user', period: 'day', op: '>', value: 1 }),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000_000, model: M, userId: 'u' });
    a.record({ inputTokens: 20_000, outputTokens: 0 }); // $0.02 at 12:00
    clock.advance(2 * HOUR); // 14:00: the hour window no longer holds it
    a.record({ inputTokens: 50_000, outputTokens: 0 }); // $0.05 in the last hour
    engine.evaluate();
    // 0.07 spent + 0.05/h × 10 h left = 0.57
    expect(alerts).toEqual([]);
    a.record({ inputTokens: 50_000, outputTokens: 0 });
    engine.evaluate();
    // 0.12 + 0.10 × 10 = 1.12
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.value).toBeCloseTo(1.12, 9);
    expect(alerts[0]).toMatchObject({ key: 'u', periodKey: '2026-01-05T00:00:00.000Z' });
  });
});

describe('tokensPerTask metric', () => {
  it('compares a task’s tokens with a multiple of its limit', () => {
    const { kernel, alerts } = setup(
      [rule({ metric: 'tokensPerTask', op: '>', ratioOf: 3 }, { name: 'runaway' })],
      { limits: [{ scope: 'task', tokens: 1_000, hard: false }] },
    );
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M, task: 't1' });
    const b = kernel.spawn({ id: 'b', maxTokens: 100_000, model: M, task: 't1' });
    a.record({ inputTokens: 2_000, outputTokens: 0 });
    b.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(alerts).toEqual([]);
    b.record({ inputTokens: 1, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({
      key: 't1',
      value: 3_001,
      threshold: 3_000,
      limit: { name: 'task:t1:lifetime' },
    });
  });

  it('never fires for a key without the referenced limit', () => {
    const { kernel, alerts } = setup([rule({ metric: 'tokensPerTask', op: '>', ratioOf: 3 })], {
      limits: [{ scope: 'task', id: 'limited', tokens: 1_000, hard: false }],
    });
    kernel
      .spawn({ id: 'a', maxTokens: 100_000, model: M, task: 'free' })
      .record({ inputTokens: 50_000, outputTokens: 0 });
    expect(alerts).toEqual([]);
    kernel
      .spawn({ id: 'b', maxTokens: 100_000, model: M, task: 'limited' })
      .record({ inputTokens: 3_001, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired r limited']);
  });

  it('finds a limit by its status name', () => {
    const { kernel, alerts } = setup(
      [
        rule({
          metric: 'usd',
          scope: 'agent',
          op: '>=',
          ratioOf: { factor: 0.5, limit: 'org:lifetime' },
        }),
      ],
      { limits: [{ scope: 'org', usd: 0.002, hard: false }] },
    );
    kernel
      .spawn({ id: 'a', maxTokens: 100_000, model: M })
      .record({ inputTokens: 1_000, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({
      value: 0.001,
      threshold: 0.001,
      limit: { name: 'org:lifetime', value: 0.002 },
    });
  });
});

describe('operators', () => {
  it.each<[RuleOp, number[]]>([
    ['>', [101]],
    ['>=', [100, 101]],
    ['<', [99]],
    ['<=', [99, 100]],
  ])('%s compares each key with the threshold', (op, expected) => {
    const { kernel, alerts } = setup([rule({ metric: 'tokens', scope: 'agent', op, value: 100 })]);
    for (const total of [99, 100, 101]) {
      kernel
        .spawn({ id: `a${total}`, maxTokens: 10_000, model: M })
        .record({ inputTokens: total, outputTokens: 0 });
    }
    expect(alerts.map((a) => a.value)).toEqual(expected);
  });
});
