import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeResult, ResolvedCallRequest } from '../../src/calls/call-types.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const PRICES = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'claude-sonnet-4-0': { input: 3, output: 15 },
};
const messages = [
  { role: 'system' as const, content: 'You are a careful analyst.' },
  { role: 'user' as const, content: 'What drove churn in Q3?' },
];
let kernels: Kernel[] = [];
function k(options: Parameters<typeof makeKernel>[0] = {}): ReturnType<typeof makeKernel> {
  const made = makeKernel({ prices: PRICES, ...options });
  kernels.push(made.kernel);
  return made;
}
afterEach(async () => {
  await Promise.all(kernels.map((x) => x.close()));
  kernels = [];
});

/** A fake model that answers `outputTokens` tokens and reports usage like a provider. */
function model(outputTokens = 50, finishReason = 'stop') {
  const seen: ResolvedCallRequest[] = [];
  const invoke = async (req: ResolvedCallRequest) => {
    seen.push(req);
    return {
      output: `answer from ${req.model}`,
      usage: { inputTokens: 30, outputTokens: Math.min(outputTokens, req.maxOutputTokens) },
      finishReason,
    };
  };
  return { invoke, seen };
}

describe('agent.call', () => {
  it('counts the input exactly, reserves, invokes and commits the actual usage', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const m = model();
    const res = await agent.call({ messages, maxOutputTokens: 200 }, m.invoke);
    expect(m.seen[0]).toMatchObject({ model: 'gpt-4o', maxOutputTokens: 200 });
    expect(res).toMatchObject({
      output: 'answer from gpt-4o',
      cached: false,
      model: 'gpt-4o',
      usage: { inputTokens: 30, outputTokens: 50 },
      estimated: false,
    });
    expect(res.costNano).toBe(30 * 2_500 + 50 * 10_000);
    expect(agent.window).toMatchObject({ used: 80, reserved: 0 });
    expect(kernel.status().reservations).toBe(0);
    const exact = countChatMessages(messages, 'o200k_base');
    expect((await kernel.tokens.count(messages, 'gpt-4o')).tokens).toBe(exact);
  });

  it('caps maxOutputTokens to what every budget can still pay', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100, model: 'gpt-4o' });
    const m = model(500);
    const input = (await kernel.tokens.count(messages, 'gpt-4o')).tokens;
    await agent.call({ messages, maxOutputTokens: 4_000 }, m.invoke);
    expect(m.seen[0]?.maxOutputTokens).toBe(100 - input);
  });

  it('refuses before invoking when the budget cannot pay for even one output token', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10, model: 'gpt-4o' });
    const m = model();
    await expect(agent.call({ messages, maxOutputTokens: 10 }, m.invoke)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
    expect(m.seen).toHaveLength(0);
    expect(kernel.status().reservations).toBe(0);
  });

  it('learns output estimates: the default first, then a high percentile of what this task produced', async () => {
    const { kernel } = k({
      totalBudget: 10_000_000,
      outputEstimate: { defaultTokens: 700, percentile: 0.95, margin: 0 },
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 1_000_000, model: 'gpt-4o', task: 't' });
    const m = model(40);
    await agent.call({ messages }, m.invoke);
    expect(m.seen[0]?.maxOutputTokens).toBe(700);
    for (let i = 0; i < 19; i++) await agent.call({ messages }, m.invoke);
    expect(m.seen[20 - 1]?.maxOutputTokens).toBe(40);
    expect(kernel.outputEstimateStats()).toMatchObject({ estimates: 20, exceeded: 0 });
  });

  it('serves a repeated temperature-0 call from the cache at no cost, with its savings attributed', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const m = model();
    const first = await agent.call({ messages, temperature: 0, maxOutputTokens: 100 }, m.invoke);
    const second = await agent.call({ messages, temperature: 0, maxOutputTokens: 100 }, m.invoke);
    expect(m.seen).toHaveLength(1);
    expect(second).toMatchObject({ cached: true, costNano: 0, output: first.output });
    expect(second.record).toMatchObject({ cached: true, costNano: 0, savedNano: first.costNano });
    expect(agent.window.used).toBe(80);
    expect(kernel.usage({ by: 'agent' })[0]).toMatchObject({
      calls: 2,
      cachedCalls: 1,
      savedNano: first.costNano,
    });
    expect(kernel.cacheStats()).toMatchObject({
      hits: 1,
      misses: 1,
      costSavedNano: first.costNano,
    });
  });

  it('does not cache by default when temperature is absent or positive, or the answer was cut off; force opts in', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000, model: 'gpt-4o' });
    const m = model();
    await agent.call({ messages, maxOutputTokens: 100 }, m.invoke);
    await agent.call({ messages, maxOutputTokens: 100 }, m.invoke);
    await agent.call({ messages, temperature: 0.7, maxOutputTokens: 100 }, m.invoke);
    await agent.call({ messages, temperature: 0.7, maxOutputTokens: 100 }, m.invoke);
    expect(m.seen).toHaveLength(4);
    const cut = model(50, 'length');
    await agent.call({ messages, temperature: 0, maxOutputTokens: 100 }, cut.invoke);
    await agent.call({ messages, temperature: 0, maxOutputTokens: 100 }, cut.invoke);
    expect(cut.seen).toHaveLength(2);
    const forced = model();
    await agent.call({ messages, temperature: 0.7, maxOutputTokens: 99 }, forced.invoke, {
      cache: 'force',
    });
    expect(
      (
        await agent.call({ messages, temperature: 0.7, maxOutputTokens: 99 }, forced.invoke, {
          cache: 'force',
        })
      ).cached,
    ).toBe(true);
  });

  it('keeps tenants apart: a different cache scope misses', async () => {
    const { kernel } = k();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o', userId: 'alice' });
    const b = kernel.spawn({ id: 'b', maxTokens: 10_000, model: 'gpt-4o', userId: 'bob' });
    const m = model();
    await a.call({ messages, temperature: 0, maxOutputTokens: 100 }, m.invoke);
    expect(
      (await b.call({ messages, temperature: 0, maxOutputTokens: 100 }, m.invoke)).cached,
    ).toBe(false);
    expect(m.seen).toHaveLength(2);
  });

  it('merges identical calls in flight: several agents asking at once pay once', async () => {
    const { kernel } = k();
    const agents = ['a', 'b', 'c'].map((id) =>
      kernel.spawn({ id, maxTokens: 10_000, model: 'gpt-4o' }),
    );
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let invocations = 0;
    const invoke = async (_req: ResolvedCallRequest) => {
      invocations++;
      await gate;
      return {
        output: 'shared',
        usage: { inputTokens: 30, outputTokens: 20 },
        finishReason: 'stop',
      };
    };
    const pending = agents.map((a) =>
      a.call({ messages, temperature: 0, maxOutputTokens: 100 }, invoke),
    );
    await new Promise((r) => setImmediate(r));
    release();
    const results = await Promise.all(pending);
    expect(invocations).toBe(1);
    expect(results.filter((r) => !r.cached)).toHaveLength(1);
    expect(results.filter((r) => r.cached).map((r) => r.costNano)).toEqual([0, 0]);
    expect(kernel.usage({ by: 'agent' }).reduce((s, r) => s + r.costNano, 0)).toBe(
      30 * 2_500 + 20 * 10_000,
    );
  });
});

describe('settlement when a call fails', () => {
  it('settles an aborted stream with the input and the output seen so far, never $0', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const controller = new AbortController();
    const call = agent.call(
      { messages, maxOutputTokens: 500 },
      async (_req, ctx) => {
        ctx.outputTokens(120);
        controller.abort(new Error('client went away'));
        throw ctx.signal.reason;
      },
      { signal: controller.signal },
    );
    await expect(call).rejects.toThrow('client went away');
    const input = (await kernel.tokens.count(messages, 'gpt-4o')).tokens;
    expect(kernel.records()[0]?.usage).toEqual({ inputTokens: input, outputTokens: 120 });
    expect(kernel.status().reservations).toBe(0);
  });

  it('counts streamed text reported through ctx.output when the stream is cut', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    await expect(
      agent.call({ messages, maxOutputTokens: 500 }, async (_req, ctx) => {
        ctx.output('Churn rose because');
        ctx.output(' enterprise renewals slipped.');
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }),
    ).rejects.toThrow('socket hang up');
    expect(kernel.records()[0]?.usage.outputTokens).toBeGreaterThan(3);
  });

  it('cancels when the error shows the model never ran (refused connection, 4xx)', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      cause: { code: 'ECONNREFUSED' },
    });
    await expect(
      agent.call({ messages, maxOutputTokens: 10 }, () => Promise.reject(refused)),
    ).rejects.toBe(refused);
    const badRequest = Object.assign(new Error('400 invalid'), { status: 400 });
    await expect(
      agent.call({ messages, maxOutputTokens: 10 }, () => Promise.reject(badRequest)),
    ).rejects.toBe(badRequest);
    expect(kernel.records()).toEqual([]);
    expect(agent.window).toMatchObject({ used: 0, reserved: 0 });
  });

  it('settles an ambiguous failure (a 5xx) with the input estimate', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    await expect(
      agent.call({ messages, maxOutputTokens: 10 }, () =>
        Promise.reject(Object.assign(new Error('boom'), { status: 503 })),
      ),
    ).rejects.toThrow('boom');
    expect(kernel.records()[0]?.usage.outputTokens).toBe(0);
    expect(kernel.records()[0]?.costNano).toBeGreaterThan(0);
  });

  it('aborts the call in flight on SIGSTOP with abortOnStop', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const call = agent.call(
      { messages, maxOutputTokens: 100 },
      (_req, ctx) =>
        new Promise<InvokeResult<string>>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          ctx.outputTokens(7);
          kernel.stop('a', 'operator pause');
        }),
      { abortOnStop: true },
    );
    await expect(call).rejects.toMatchObject({ code: 'AGENT_NOT_RUNNABLE' });
    expect(kernel.records()[0]?.usage.outputTokens).toBe(7);
    expect(kernel.status().reservations).toBe(0);
  });

  it('rejects an already aborted signal before reserving anything', async () => {
    const { kernel } = k();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'gpt-4o' });
    const m = model();
    await expect(
      agent.call({ messages }, m.invoke, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(m.seen).toHaveLength(0);
  });
});

describe('downgrade and model choice', () => {
  it("switches a warned or downgraded agent's calls to the cheaper model", async () => {
    const { kernel } = k({ downgrade: { 'gpt-4o': 'gpt-4o-mini' }, warnThresholds: [0.5] });
    const agent = kernel.spawn({ id: 'a', maxTokens: 1_000, model: 'gpt-4o' });
    const m = model();
    expect((await agent.call({ messages, maxOutputTokens: 10 }, m.invoke)).model).toBe('gpt-4o');
    agent.record({ inputTokens: 600, outputTokens: 0 });
    expect(agent.state).toBe('warned');
    expect((await agent.call({ messages, maxOutputTokens: 10 }, m.invoke)).model).toBe(
      'gpt-4o-mini',
    );
    const other = kernel.spawn({ id: 'b', maxTokens: 10_000, model: 'gpt-4o' });
    kernel.setDowngrade('b');
    expect((await other.call({ messages, maxOutputTokens: 10 }, m.invoke)).model).toBe(
      'gpt-4o-mini',
    );
    expect(
      (await other.call({ messages, maxOutputTokens: 10 }, m.invoke, { downgrade: false })).model,
    ).toBe('gpt-4o');
  });

  it('pickModel returns the cheapest candidate that meets the bar and fits the budget, or why none does', async () => {
    const { kernel } = k({ limits: [{ scope: 'agent', usd: 0.001 }] });
    kernel.spawn({ id: 'a', maxTokens: 100_000, model: 'gpt-4o' });
    const candidates = [
      { model: 'gpt-4o', quality: 9 },
      { model: 'gpt-4o-mini', quality: 7 },
      { model: 'claude-sonnet-4-0', quality: 9 },
    ];
    const cheap = await kernel.pickModel({
      agentId: 'a',
      candidates,
      minQuality: 5,
      request: { messages, maxOutputTokens: 200 },
    });
    expect(cheap).toMatchObject({ ok: true, model: 'gpt-4o-mini' });
    const best = await kernel.pickModel({
      agentId: 'a',
      candidates,
      minQuality: 8,
      request: { messages, maxOutputTokens: 200 },
    });
    expect(best).toMatchObject({ ok: false });
    expect(best.ok ? '' : best.reason).toContain('agent:a:lifetime');
    const roomy = await kernel.pickModel({
      agentId: 'a',
      candidates,
      minQuality: 8,
      request: { messages, maxOutputTokens: 20 },
    });
    expect(roomy).toMatchObject({ ok: true, model: 'gpt-4o' });
  });
});

describe('calibration', () => {
  it('tightens or widens the estimate margin of a model without a public tokenizer from committed usage', async () => {
    const { kernel } = k({ totalBudget: 100_000_000 });
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000_000, model: 'claude-sonnet-4-0' });
    const before = kernel.tokens.margin('claude-sonnet-4-0');
    const estimate = await kernel.tokens.count(messages, 'claude-sonnet-4-0');
    expect(estimate.exact).toBe(false);
    for (let i = 0; i < 60; i++) {
      await agent.call({ messages, maxOutputTokens: 10 }, async () => ({
        output: 'x',
        usage: { inputTokens: Math.ceil(estimate.tokens * 1.6), outputTokens: 1 },
      }));
    }
    expect(kernel.tokens.margin('claude-sonnet-4-0')).toBeGreaterThan(before);
  });
});
