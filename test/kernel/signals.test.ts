import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { agentMachine } from '../../src/agents/agent-machine.js';
import { makeKernel, names } from '../helpers/kernel-fixture.js';

const M = 'test-small';

describe('signals', () => {
  it('fires each window threshold once per crossing, SIGWARN before SIGSTOP, with the payload', () => {
    const { kernel, signals, clock } = makeKernel({ warnThresholds: [0.5, 0.75, 0.9] });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    a.record({ inputTokens: 600, outputTokens: 0 });
    a.record({ inputTokens: 10, outputTokens: 0 });
    expect(signals.map((s) => s.limit.threshold)).toEqual([0.5]);
    a.record({ inputTokens: 500, outputTokens: 0 });
    expect(names(signals)).toEqual(['a:SIGWARN', 'a:SIGWARN', 'a:SIGWARN', 'a:SIGSTOP']);
    expect(signals.map((s) => s.limit.threshold)).toEqual([0.5, 0.75, 0.9, 1]);
    expect(signals[3]).toMatchObject({
      type: 'agent.signal',
      agentId: 'a',
      signal: 'SIGSTOP',
      used: 1_110,
      reserved: 0,
      total: 1_000,
      time: clock.now(),
      limit: { scope: 'window', unit: 'tokens' },
    });
    a.record({ inputTokens: 10, outputTokens: 0 });
    expect(signals).toHaveLength(4);
  });

  it('re-arms a threshold only when utilization falls back below it', () => {
    const { kernel, signals } = makeKernel({ warnThresholds: [0.5] });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    a.record({ inputTokens: 600, outputTokens: 0 });
    expect(a.state).toBe('warned');
    kernel.grant('a', 1_000);
    expect(a.state).toBe('active');
    a.record({ inputTokens: 300, outputTokens: 0 });
    expect(names(signals)).toEqual(['a:SIGWARN']);
    a.record({ inputTokens: 100, outputTokens: 0 });
    expect(names(signals)).toEqual(['a:SIGWARN', 'a:SIGWARN']);
  });

  it('a shared limit signals every agent it applies to', () => {
    const { kernel, signals } = makeKernel({
      limits: [{ scope: 'user', tokens: 1_000, thresholds: [0.5] }],
    });
    kernel.spawn({ id: 'a', maxTokens: 10_000, model: M, userId: 'u' });
    const b = kernel.spawn({ id: 'b', maxTokens: 10_000, model: M, userId: 'u' });
    kernel.spawn({ id: 'c', maxTokens: 10_000, model: M, userId: 'other' });
    b.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(names(signals)).toEqual(['a:SIGWARN', 'b:SIGWARN', 'a:SIGSTOP', 'b:SIGSTOP']);
    expect(signals[2]?.limit).toMatchObject({
      scope: 'user',
      name: 'user:u:lifetime',
      used: 1_000,
      total: 1_000,
    });
  });

  it('money limits signal in USD', () => {
    const { kernel, signals } = makeKernel({
      limits: [{ scope: 'agent', usd: 0.001, thresholds: [0.5] }],
    });
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    a.record({ inputTokens: 600, outputTokens: 0 });
    expect(signals[0]?.limit).toMatchObject({ unit: 'usd', used: 0.0006, total: 0.001 });
  });

  it('delivers to agent handlers and kernel subscribers; a throwing handler is reported and changes nothing', () => {
    const { kernel, signals, errors } = makeKernel({ warnThresholds: [0.5] });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    const seen: string[] = [];
    a.on('SIGWARN', () => {
      throw new Error('handler bug');
    });
    const off = a.on('SIGWARN', (e) => seen.push(e.reason));
    a.record({ inputTokens: 600, outputTokens: 0 });
    expect(seen).toEqual(['window 50% used']);
    expect(errors).toEqual([expect.objectContaining({ message: 'handler bug' })]);
    expect(signals).toHaveLength(1);
    expect(a.window.used).toBe(600);
    off();
    kernel.grant('a', 1_000);
    a.record({ inputTokens: 500, outputTokens: 0 });
    expect(seen).toHaveLength(1);
  });

  it('a handler may call back into the kernel: it sees consistent state and later signals stay ordered', () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    a.on('SIGSTOP', () => kernel.grant('a', 1_000));
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(names(signals)).toEqual(['a:SIGWARN', 'a:SIGSTOP', 'a:SIGRESUME']);
    // 1,000 of 2,000 is below the 85% threshold again: resumed to active, not warned.
    expect(a.state).toBe('active');
    expect(a.window).toMatchObject({ total: 2_000, used: 1_000 });
  });

  it('the machine is the source of truth for state, and its deliver action can be swapped', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    expect(a.actor.getSnapshot().value).toBe('active');
    a.record({ inputTokens: 1_000, outputTokens: 0 });
    expect(a.actor.getSnapshot().value).toBe('stopped');
    const delivered: string[] = [];
    const machine = agentMachine.provide({
      actions: { deliver: ({ event }) => void delivered.push(event.type) },
    });
    const actor = createActor(machine, {
      input: {
        deliver: () => {
          throw new Error('not swapped');
        },
      },
    }).start();
    actor.send({ type: 'ADMIT' });
    actor.send({
      type: 'SIGWARN',
      signal: {
        type: 'agent.signal',
        agentId: 'x',
        signal: 'SIGWARN',
        limit: {
          scope: 'window',
          name: 'window',
          unit: 'tokens',
          threshold: 0.5,
          used: 1,
          reserved: 0,
          total: 2,
        },
        reason: 'test',
        used: 1,
        reserved: 0,
        total: 2,
        time: 0,
      },
    });
    actor.send({ type: 'RELEASE' });
    expect(delivered).toEqual(['SIGWARN']);
    expect(actor.getSnapshot().value).toBe('released');
  });

  it('stops an agent admitted under a hard limit already used up, with the limit in its own unit', () => {
    const { kernel, signals } = makeKernel({
      limits: [{ scope: 'task', period: 'day', usd: 0.001 }],
    });
    // test-small: 1,000 nano-USD per input token; 2,000 tokens = $0.002, past the $0.001 limit.
    kernel.spawn({ id: 'a', maxTokens: 10_000, model: M, task: 't' }).record({
      inputTokens: 2_000,
      outputTokens: 0,
    });
    const b = kernel.spawn({ id: 'b', maxTokens: 1_000, model: M, task: 't' });
    expect(b.state).toBe('stopped');
    const stop = signals.find((s) => s.agentId === 'b' && s.signal === 'SIGSTOP');
    expect(stop?.reason).toMatch(/already reached/);
    expect(stop?.limit).toMatchObject({ scope: 'task', unit: 'usd', used: 0.002, total: 0.001 });
  });
});
