import { Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../src/telemetry/limit-labels.js';
import { createMetrics } from '../../src/telemetry/kernel-metrics.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

/** Parses the text format into `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe('createMetrics', () => {
  it('counts tokens by agent, model and type, and cost in exact USD', async () => {
    const { kernel } = makeKernel();
    const metrics = createMetrics(kernel);
    const a = kernel.spawn({ id: 'a', maxTokens: 50_000, model: 'test-large' });
    const b = kernel.spawn({ id: 'b', maxTokens: 50_000, model: 'test-small' });
    a.record({
      inputTokens: 1_000,
      outputTokens: 200,
      cacheReadTokens: 600,
      cacheWriteTokens: 100,
    });
    a.record({ inputTokens: 500, outputTokens: 100, reasoningTokens: 60 });
    b.record({ inputTokens: 3, outputTokens: 1 });
    for (let i = 0; i < 9; i++) b.record({ inputTokens: 1, outputTokens: 0 });
    const s = samples(await metrics.text());
    expect(s.get('token_kernel_tokens_total{agent="a",model="test-large",type="input"}')).toBe(
      1_500,
    );
    expect(s.get('token_kernel_tokens_total{agent="a",model="test-large",type="output"}')).toBe(
      300,
    );
    expect(s.get('token_kernel_tokens_total{agent="a",model="test-large",type="cache_read"}')).toBe(
      600,
    );
    expect(
      s.get('token_kernel_tokens_total{agent="a",model="test-large",type="cache_creation"}'),
    ).toBe(100);
    expect(s.get('token_kernel_tokens_total{agent="a",model="test-large",type="reasoning"}')).toBe(
      60,
    );
    expect(s.get('token_kernel_tokens_total{agent="b",model="test-small",type="input"}')).toBe(12);
    expect(s.get('token_kernel_calls_total{agent="b",model="test-small",cached="false"}')).toBe(10);
    const byAgent = new Map(kernel.usage({ by: 'agent' }).map((r) => [r.key, r.costNano]));
    expect(s.get('token_kernel_cost_usd_total{agent="a",model="test-large"}')).toBe(
      byAgent.get('a')! / 1e9,
    );
    // 3×1,000 + 4,000 + 9×1,000 nano: summed as integers, not as 0.000001-USD floats.
    expect(s.get('token_kernel_cost_usd_total{agent="b",model="test-small"}')).toBe(0.000016);
    metrics.close();
  });

  it('counts cache hits and what they saved, not their tokens', async () => {
    const { kernel } = makeKernel();
    const metrics = createMetrics(kernel);
    const agent = kernel.spawn({ id: 'c', maxTokens: 10_000, model: 'test-large' });
    const request = { messages: [{ role: 'user' as const, content: 'ping' }], temperature: 0 };
    const invoke = async () => ({
      output: 'pong',
      usage: { inputTokens: 10, outputTokens: 2 },
      finishReason: 'stop',
    });
    const miss = await agent.call({ ...request, maxOutputTokens: 5 }, invoke);
    await agent.call({ ...request, maxOutputTokens: 5 }, invoke);
    await agent.call({ ...request, maxOutputTokens: 5 }, invoke);
    const s = samples(await metrics.text());
    const labels = 'agent="c",model="test-large"';
    expect(s.get(`token_kernel_cache_hits_total{${labels}}`)).toBe(2);
    expect(s.get(`token_kernel_cache_saved_usd_total{${labels}}`)).toBe((2 * miss.costNano) / 1e9);
    expect(s.get(`token_kernel_calls_total{${labels},cached="true"}`)).toBe(2);
    expect(s.get(`token_kernel_calls_total{${labels},cached="false"}`)).toBe(1);
    expect(s.get(`token_kernel_tokens_total{${labels},type="input"}`)).toBe(10);
    expect(s.get(`token_kernel_cost_usd_total{${labels}}`)).toBe(miss.costNano / 1e9);
    metrics.close();
    await kernel.close();
  });

  it('counts signals by agent, signal and scope', async () => {
    const { kernel } = makeKernel({ warnThresholds: [0.5, 0.8] });
    const metrics = createMetrics(kernel);
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: 'test-small' });
    a.record({ inputTokens: 900, outputTokens: 0 });
    a.record({ inputTokens: 200, outputTokens: 0 });
    kernel.grant('a', 1_000);
    const s = samples(await metrics.text());
    expect(s.get('token_kernel_signals_total{agent="a",signal="SIGWARN",scope="window"}')).toBe(2);
    expect(s.get('token_kernel_signals_total{agent="a",signal="SIGSTOP",scope="window"}')).toBe(1);
    expect(s.get('token_kernel_signals_total{agent="a",signal="SIGRESUME",scope="window"}')).toBe(
      1,
    );
    metrics.close();
  });

  it('reports window and limit utilization at scrape time, without user or session ids', async () => {
    const { kernel } = makeKernel({
      limits: [
        { scope: 'user', tokens: 1_000, period: 'day' },
        { scope: 'session', usd: 1, name: 'per-session' },
        { scope: 'model', id: 'test-small', tokens: 10_000 },
        { scope: 'org', tokens: 50_000, period: 'month' },
      ],
    });
    const metrics = createMetrics(kernel);
    const common = { maxTokens: 5_000, model: 'test-small' };
    const a = kernel.spawn({ id: 'a', userId: 'alice@example.com', sessionId: 's-1', ...common });
    const b = kernel.spawn({ id: 'b', userId: 'bob@example.com', sessionId: 's-2', ...common });
    a.record({ inputTokens: 250, outputTokens: 0 });
    b.record({ inputTokens: 600, outputTokens: 0 });
    const text = await metrics.text();
    for (const secret of ['alice', 'bob', 's-1', 's-2']) expect(text).not.toContain(secret);
    const s = samples(text);
    const util = 'token_kernel_budget_utilization_ratio';
    expect(s.get(`${util}{scope="window",agent="a",unit="tokens"}`)).toBe(0.05);
    expect(s.get(`${util}{scope="window",agent="b",unit="tokens"}`)).toBe(0.12);
    // The highest of the per-user limits: bob's 600 / 1,000.
    expect(s.get(`${util}{scope="user",limit="user",period="day",unit="tokens"}`)).toBe(0.6);
    expect(s.get(`${util}{scope="session",limit="per-session",period="lifetime",unit="usd"}`)).toBe(
      0.0006,
    );
    expect(
      s.get(
        `${util}{scope="model",limit="model",key="test-small",period="lifetime",unit="tokens"}`,
      ),
    ).toBe(0.085);
    expect(s.get(`${util}{scope="org",limit="org",period="month",unit="tokens"}`)).toBe(0.017);
    // Read at scrape time: a later record shows in the next scrape.
    a.record({ inputTokens: 750, outputTokens: 0 });
    const next = samples(await metrics.text());
    expect(next.get(`${util}{scope="user",limit="user",period="day",unit="tokens"}`)).toBe(1);
    expect(next.get('token_kernel_pool_tokens{state="allocated"}')).toBe(10_000);
    expect(next.get('token_kernel_agents{state="stopped"}')).toBe(1);
    metrics.close();
  });

  it('labels each user limit by a stable hash instead, when asked', async () => {
    const { kernel } = makeKernel({ limits: [{ scope: 'user', tokens: 1_000 }] });
    const metrics = createMetrics(kernel, { privateKeys: 'hash' });
    kernel.spawn({ id: 'a', userId: 'alice', maxTokens: 5_000, model: 'test-small' });
    const b = kernel.spawn({ id: 'b', userId: 'bob', maxTokens: 5_000, model: 'test-small' });
    b.record({ inputTokens: 100, outputTokens: 0 });
    const text = await metrics.text();
    expect(text).not.toMatch(/alice|bob/);
    expect(hashKey('bob')).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(hashKey('bob')).not.toBe(hashKey('alice'));
    const s = samples(text);
    const series = (key: string) =>
      `token_kernel_budget_utilization_ratio{scope="user",limit="user",key="${key}",period="lifetime",unit="tokens"}`;
    expect(s.get(series(hashKey('bob')))).toBe(0.1);
    expect(s.get(series(hashKey('alice')))).toBe(0);
    metrics.close();
  });

  it('uses its own registry by default, never the global one, and honours a prefix', async () => {
    const { kernel } = makeKernel();
    const before = (await globalRegistry.metrics()).length;
    const own = createMetrics(kernel);
    const registry = new Registry();
    const shared = createMetrics(kernel, { registry, prefix: 'app_llm_' });
    kernel.spawn({ id: 'a', maxTokens: 1_000, model: 'test-small' }).record({
      inputTokens: 5,
      outputTokens: 5,
    });
    expect((await globalRegistry.metrics()).length).toBe(before);
    expect(own.registry).not.toBe(globalRegistry);
    expect(shared.registry).toBe(registry);
    expect(await registry.metrics()).toContain(
      'app_llm_tokens_total{agent="a",model="test-small",type="input"} 5',
    );
    expect(shared.contentType).toMatch(/^text\/plain/);
    own.close();
    shared.close();
  });

  it('refuses a registry that already holds its names, leaving it unchanged', async () => {
    const { kernel } = makeKernel();
    const registry = new Registry();
    const first = createMetrics(kernel, { registry });
    const names = registry.getMetricsAsArray().length;
    expect(() => createMetrics(kernel, { registry })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/`token_kernel_tokens_total`/),
      }),
    );
    expect(registry.getMetricsAsArray().length).toBe(names);
    first.close();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });

  it('stops counting after close', async () => {
    const { kernel } = makeKernel();
    const registry = new Registry();
    const metrics = createMetrics(kernel, { registry });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: 'test-small' });
    a.record({ inputTokens: 1, outputTokens: 1 });
    metrics.close();
    metrics.close();
    const again = createMetrics(kernel, { registry });
    a.record({ inputTokens: 7, outputTokens: 1 });
    expect(
      samples(await again.text()).get(
        'token_kernel_tokens_total{agent="a",model="test-small",type="input"}',
      ),
    ).toBe(7);
    again.close();
  });

  it('validates its options', () => {
    const { kernel } = makeKernel();
    expect(() => createMetrics(kernel, { prefix: '1bad' })).toThrow(/`prefix`/);
    expect(() => createMetrics(kernel, { prefix: 'has space_' })).toThrow(/`prefix`/);
    expect(() => createMetrics(kernel, { registry: {} as Registry })).toThrow(/`registry`/);
    expect(() => createMetrics(kernel, { privateKeys: 'plain' as 'omit' })).toThrow(
      /`privateKeys`/,
    );
    expect(() => createMetrics({} as never)).toThrow(/`kernel`/);
  });
});
