import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/parse-rules.js';
import { createRuleEngine } from '../../src/rules/rule-engine.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const YAML = new URL('../../examples/budget-alerts.yaml', import.meta.url).pathname;
const JSON_TWIN = new URL('../../examples/budget-alerts.json', import.meta.url).pathname;

describe('examples/budget-alerts', () => {
  it('ships the same four rules in YAML and JSON', async () => {
    const rules = await loadRules(YAML);
    expect(rules.map((r) => `${r.name}:${r.action}`)).toEqual([
      'daily-budget-exceeded:pause-noncritical',
      'hourly-spike:notify',
      'runaway-task:kill-agent',
      'daily-forecast:notify',
    ]);
    expect(await loadRules(JSON_TWIN)).toEqual(rules);
  });

  it('raises the classic four alerts in a simulated day', async () => {
    const { kernel, clock, signals } = makeKernel({
      totalBudget: 10_000_000,
      limits: [
        { scope: 'org', period: 'day', usd: 1, hard: false },
        { scope: 'agent', period: 'hour', tokens: 10_000, hard: false },
        { scope: 'task', tokens: 20_000, hard: false },
      ],
    });
    const engine = createRuleEngine(kernel, await loadRules(YAML), { clock });
    const spawn = (id: string, task: string, priority: 'low' | 'normal' | 'high') =>
      kernel.spawn({ id, task, priority, maxTokens: 1_000_000, model: 'test-large' });
    const writer = spawn('writer', 'write', 'high');
    const crawler = spawn('crawler', 'crawl', 'normal');
    spawn('helper', 'crawl', 'low');
    const analyst = spawn('analyst', 'analysis', 'high');
    const idle = spawn('idle', 'idle', 'low');

    writer.record({ inputTokens: 25_000, outputTokens: 0 }); // $0.25, 2.5× the hourly limit
    clock.advance(60_000); // the timer projects the day at this pace
    crawler.record({ inputTokens: 61_000, outputTokens: 0 }, { model: 'test-small' }); // > 3 × 20,000
    analyst.record({ inputTokens: 0, outputTokens: 19_000 }); // $0.76: the day's total passes $1

    const fired = engine.alerts().filter((a) => a.type === 'alert.fired');
    expect(fired.map((a) => `${a.rule} ${a.key} [${a.targets.join(',')}]`)).toEqual([
      'hourly-spike writer []',
      'daily-forecast org []',
      'hourly-spike crawler []',
      'runaway-task crawl [crawler,helper]',
      'daily-budget-exceeded org [idle]',
    ]);
    expect(fired[0]?.message).toBe(
      'Spike: agent writer used 25,000 tokens this hour, over 2× its hourly limit (20,000 tokens)',
    );
    expect(fired[4]?.message).toBe('Daily budget reached: $1.07 of $1.00; paused idle');
    expect(kernel.has('crawler') || kernel.has('helper')).toBe(false);
    expect(idle.runnable).toBe(false);
    expect(analyst.runnable).toBe(true);
    expect(
      signals.filter((s) => s.signal !== 'SIGWARN').map((s) => `${s.agentId}:${s.signal}`),
    ).toEqual(['crawler:SIGKILL', 'helper:SIGKILL', 'idle:SIGSTOP']);

    clock.set(Date.UTC(2026, 0, 6));
    expect(idle.runnable).toBe(true);
    // A lifetime alert has no period to end: the runaway task stays flagged.
    expect(engine.active().map((a) => a.rule)).toEqual(['runaway-task']);
    expect(
      engine
        .alerts()
        .filter((a) => a.type === 'alert.cleared')
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['daily-budget-exceeded', 'daily-forecast', 'hourly-spike', 'hourly-spike']);
    engine.close();
  });
});
