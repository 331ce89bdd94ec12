import { describe, expect, it } from 'vitest';
import type { CompactionEvent } from '../../src/kernel/kernel-events.js';
import type { SignalEvent } from '../../src/agents/signal.js';
import { names as allNames } from '../helpers/kernel-fixture.js';
import { M, kinds, rule, setup } from './rules-fixture.js';

const MIN = 60_000;

/** `agent:SIGNAL` pairs without the SIGWARNs of soft limits. */
function names(signals: readonly SignalEvent[]): string[] {
  return allNames(signals.filter((s) => s.signal !== 'SIGWARN'));
}
const NEXT_DAY = Date.UTC(2026, 0, 6);

/** A rate rule on one agent that clears `window` minutes after the burst. */
function burst(
  name: string,
  window: number,
  action: 'pause-noncritical' | 'stop-agent' | 'downgrade-model',
) {
  return rule(
    { metric: 'rate', scope: 'agent', op: '>', value: 100, windowMinutes: window },
    { name, action },
  );
}

describe('notify', () => {
  it('alerts without touching any agent', () => {
    const { kernel, alerts, signals } = setup([rule({ metric: 'tokens', op: '>', value: 10 })]);
    kernel
      .spawn({ id: 'a', maxTokens: 10_000, model: M })
      .record({ inputTokens: 11, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({ action: 'notify', targets: [] });
    expect(signals).toEqual([]);
  });
});

describe('pause-noncritical', () => {
  const dailyBudget = rule(
    { metric: 'usd', period: 'day', op: '>=', ratioOf: 1 },
    { name: 'daily-budget', action: 'pause-noncritical', severity: 'P1' },
  );
  const limits = [{ scope: 'org' as const, period: 'day' as const, usd: 0.01, hard: false }];

  it('stops low and normal agents, spares high and critical, and resumes them when the day rolls over', () => {
    const { kernel, alerts, signals, clock, engine } = setup([dailyBudget], { limits });
    const low = kernel.spawn({ id: 'low', maxTokens: 100_000, model: M, priority: 'low' });
    kernel.spawn({ id: 'normal', maxTokens: 100_000, model: M });
    const high = kernel.spawn({ id: 'high', maxTokens: 100_000, model: M, priority: 'high' });
    kernel.spawn({ id: 'crit', maxTokens: 100_000, model: M, priority: 'critical' });
    high.record({ inputTokens: 10_000, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({ type: 'alert.fired', targets: ['low', 'normal'] });
    expect(names(signals)).toEqual(['low:SIGSTOP', 'normal:SIGSTOP']);
    expect(low.runnable).toBe(false);
    expect(high.runnable).toBe(true);
    expect(engine.holds()).toEqual({
      low: { stoppedBy: ['daily-budget|org|2026-01-05T00:00:00.000Z'], downgradedBy: [] },
      normal: { stoppedBy: ['daily-budget|org|2026-01-05T00:00:00.000Z'], downgradedBy: [] },
    });
    clock.set(NEXT_DAY);
    expect(alerts[1]).toMatchObject({
      type: 'alert.cleared',
      reason: 'period-ended',
      targets: ['low', 'normal'],
    });
    expect(names(signals)).toEqual([
      'low:SIGSTOP',
      'normal:SIGSTOP',
      'low:SIGRESUME',
      'normal:SIGRESUME',
    ]);
    expect(low.runnable).toBe(true);
    expect(engine.holds()).toEqual({});
  });

  it('also pauses a non-critical agent admitted while the alert is active', () => {
    const { kernel, alerts } = setup([dailyBudget], { limits });
    kernel
      .spawn({ id: 'h', maxTokens: 100_000, model: M, priority: 'high' })
      .record({ inputTokens: 10_000, outputTokens: 0 });
    expect(alerts).toHaveLength(1);
    const late = kernel.spawn({ id: 'late', maxTokens: 100_000, model: M });
    const lateHigh = kernel.spawn({
      id: 'late-high',
      maxTokens: 100_000,
      model: M,
      priority: 'high',
    });
    expect(late.runnable).toBe(false);
    expect(late.stopCauses).toEqual(['manual']);
    expect(lateHigh.runnable).toBe(true);
  });

  it('keeps an agent paused until the last rule holding it clears', () => {
    const { kernel, alerts, clock } = setup([
      burst('short', 1, 'pause-noncritical'),
      burst('long', 3, 'pause-noncritical'),
    ]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(kinds(alerts)).toEqual(['fired short a', 'fired long a']);
    expect(a.runnable).toBe(false);
    clock.advance(MIN);
    expect(kinds(alerts)).toEqual(['fired short a', 'fired long a', 'cleared short a']);
    expect(a.runnable).toBe(false);
    clock.advance(2 * MIN);
    expect(kinds(alerts)).toEqual([
      'fired short a',
      'fired long a',
      'cleared short a',
      'cleared long a',
    ]);
    expect(a.runnable).toBe(true);
  });

  it('never lifts a stop it did not make: an operator’s stop or a kernel limit stays', () => {
    const { kernel, clock } = setup([burst('spike', 1, 'pause-noncritical')]);
    const byHand = kernel.spawn({ id: 'by-hand', maxTokens: 1_000_000, model: M });
    const full = kernel.spawn({ id: 'full', maxTokens: 1_000, model: M });
    kernel.stop('by-hand', 'operator');
    byHand.record({ inputTokens: 1_000, outputTokens: 0 });
    full.record({ inputTokens: 1_000, outputTokens: 0 }); // fills its window: stopped by the kernel too
    expect(full.stopCauses.sort()).toEqual(['manual', 'window']);
    clock.advance(MIN);
    expect(byHand.stopCauses).toEqual(['manual']);
    expect(full.stopCauses).toEqual(['window']);
    expect(kernel.resume('by-hand')).toBe(true);
  });

  it('hands the stop over to an operator who resumes and stops the agent again meanwhile', () => {
    const { kernel, clock } = setup([burst('spike', 1, 'pause-noncritical')]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(a.runnable).toBe(false);
    kernel.resume('a', 'operator override');
    kernel.stop('a', 'operator');
    clock.advance(MIN);
    expect(a.stopCauses).toEqual(['manual']);
  });

  it('lets an operator’s resume override the hold until the rule fires again', () => {
    const { kernel, clock, alerts } = setup([burst('spike', 1, 'pause-noncritical')]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(kernel.resume('a', 'operator override')).toBe(true);
    clock.advance(MIN);
    expect(alerts.at(-1)).toMatchObject({ type: 'alert.cleared' });
    expect(a.runnable).toBe(true);
  });
});

describe('stop-agent', () => {
  it('stops every agent of the key whatever its priority and resumes it when the alert clears', () => {
    const { kernel, signals, clock } = setup([
      rule(
        { metric: 'rate', scope: 'user', op: '>', value: 100, windowMinutes: 1 },
        { action: 'stop-agent' },
      ),
    ]);
    const crit = kernel.spawn({
      id: 'crit',
      maxTokens: 1_000_000,
      model: M,
      priority: 'critical',
      userId: 'u',
    });
    kernel.spawn({ id: 'other', maxTokens: 1_000_000, model: M, userId: 'v' });
    crit.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(names(signals)).toEqual(['crit:SIGSTOP']);
    clock.advance(MIN);
    expect(names(signals)).toEqual(['crit:SIGSTOP', 'crit:SIGRESUME']);
  });
});

describe('kill-agent', () => {
  it('kills every agent of the runaway task and no other', () => {
    const { kernel, signals, alerts } = setup(
      [
        rule(
          { metric: 'tokensPerTask', op: '>', ratioOf: 3 },
          { action: 'kill-agent', severity: 'P1' },
        ),
      ],
      { limits: [{ scope: 'task', tokens: 1_000, hard: false }] },
    );
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M, task: 't' });
    kernel.spawn({ id: 'b', maxTokens: 100_000, model: M, task: 't' });
    kernel.spawn({ id: 'c', maxTokens: 100_000, model: M, task: 'other' });
    a.record({ inputTokens: 3_001, outputTokens: 0 });
    expect(alerts[0]).toMatchObject({ targets: ['a', 'b'] });
    expect(names(signals)).toEqual(['a:SIGKILL', 'b:SIGKILL']);
    expect(kernel.has('a') || kernel.has('b')).toBe(false);
    expect(kernel.has('c')).toBe(true);
  });
});

describe('downgrade-model', () => {
  it('downgrades while the alert is active and reverts only what it set', () => {
    const { kernel, clock } = setup([burst('spike', 1, 'downgrade-model')]);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: M });
    const b = kernel.spawn({ id: 'b', maxTokens: 1_000_000, model: M });
    kernel.setDowngrade('b', true);
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    b.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(kernel.status().agents['a']?.downgraded).toBe(true);
    expect(a.runnable).toBe(true);
    clock.advance(MIN);
    expect(kernel.status().agents['a']?.downgraded).toBe(false);
    expect(kernel.status().agents['b']?.downgraded).toBe(true);
  });
});

describe('compress', () => {
  it('asks each agent of the key to compact once per firing', () => {
    const { kernel, alerts } = setup([
      rule({ metric: 'tokens', scope: 'session', op: '>', value: 100 }, { action: 'compress' }),
    ]);
    const compactions: CompactionEvent[] = [];
    kernel.on('compaction', (e) => compactions.push(e));
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M, sessionId: 's' });
    kernel.spawn({ id: 'b', maxTokens: 100_000, model: M, sessionId: 's' });
    a.record({ inputTokens: 101, outputTokens: 0 });
    a.record({ inputTokens: 500, outputTokens: 0 });
    expect(compactions.map((c) => c.agentId)).toEqual(['a', 'b']);
    expect(compactions[0]?.reason).toBe('rule r (P2)');
    expect(alerts[0]?.targets).toEqual(['a', 'b']);
  });
});
