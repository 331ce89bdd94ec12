import { createHash } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import { serveDashboard, type DashboardServer } from '../../src/telemetry/dashboard-server.js';
import type { DashboardSnapshot } from '../../src/telemetry/dashboard-snapshot.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { SseClient } from './sse-client.js';

const TOKEN = 'test-token-0123456789abcdef';
const M = 'test-small';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function serve(
  options: Parameters<typeof serveDashboard>[1] = {},
  kernelOptions: Parameters<typeof makeKernel>[0] = {},
): Promise<{ kernel: Kernel; server: DashboardServer; clock: FakeClock }> {
  const { kernel } = makeKernel({ warnThresholds: [0.8], ...kernelOptions });
  const clock = new FakeClock();
  const server = await serveDashboard(kernel, { clock, ...options });
  open.push(server);
  return { kernel, server, clock };
}

/** A raw GET with full control over the headers (fetch won't let a test set `Host`). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function stream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.open(url, headers);
  open.push(client);
  return client;
}

describe('serveDashboard: routes', () => {
  it('serves one self-contained page whose inline script and style the CSP allows by hash', async () => {
    const { server } = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).not.toMatch(/(src|href|action)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const hash = (tag: string): string => {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? '';
      return `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    };
    expect(csp).toContain(`script-src ${hash('script')}`);
    expect(csp).toContain(`style-src ${hash('style')}`);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers /status with the kernel status, spend by model, cache savings and signals', async () => {
    const { kernel, server } = await serve();
    const a = kernel.spawn({ id: 'planner', maxTokens: 10_000, model: M, task: 'plan' });
    kernel.spawn({ id: 'coder', maxTokens: 20_000, model: 'test-large' });
    a.record({ inputTokens: 8_000, outputTokens: 500 });
    const res = await fetch(`${server.url}status`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as DashboardSnapshot;
    const status = kernel.status();
    expect(body.agents).toEqual(status.agents);
    expect(body.pool).toEqual(status.pool);
    expect(body.costNano).toBe(status.costNano);
    expect(body.spendByModel).toEqual(kernel.usage({ by: 'model', period: 'lifetime' }));
    expect(body.cache).toEqual({ hits: 0, savedNano: 0, savedUsd: 0 });
    expect(body.signals.map((s) => `${s.agentId}:${s.signal}`)).toEqual(['planner:SIGWARN']);
  });

  it('sums cache savings over models', async () => {
    const { kernel, server } = await serve();
    const agent = kernel.spawn({ id: 'c', maxTokens: 10_000, model: 'test-large' });
    const request = {
      messages: [{ role: 'user' as const, content: 'hi' }],
      temperature: 0,
      maxOutputTokens: 5,
    };
    const invoke = async () => ({
      output: 'yo',
      usage: { inputTokens: 9, outputTokens: 2 },
      finishReason: 'stop',
    });
    const miss = await agent.call(request, invoke);
    await agent.call(request, invoke);
    await agent.call(request, invoke);
    const body = (await (await fetch(`${server.url}status`)).json()) as DashboardSnapshot;
    expect(body.cache).toEqual({
      hits: 2,
      savedNano: 2 * miss.costNano,
      savedUsd: (2 * miss.costNano) / 1e9,
    });
    await kernel.close();
  });

  it('answers /metrics in the Prometheus text format', async () => {
    const { kernel, server } = await serve();
    kernel
      .spawn({ id: 'w', maxTokens: 1_000, model: M })
      .record({ inputTokens: 40, outputTokens: 2 });
    const res = await fetch(`${server.url}metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain(
      'token_kernel_tokens_total{agent="w",model="test-small",type="input"} 40',
    );
  });

  it('answers 404 for an unknown path, 405 for a write method, and HEAD without a body', async () => {
    const { server } = await serve();
    expect((await fetch(`${server.url}nope`)).status).toBe(404);
    const post = await fetch(`${server.url}status`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1_000);
  });
});

describe('serveDashboard: access', () => {
  it('requires the bearer token on every route when one is set', async () => {
    const { server } = await serve({ token: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    for (const path of ['', 'status', 'metrics', 'nope']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="token-kernel"');
      expect(
        (
          await fetch(`${server.url}${path}`, {
            headers: { Authorization: 'Bearer wrong-token-0000000000' },
          })
        ).status,
      ).toBe(401);
    }
    for (const path of ['', 'status', 'metrics'])
      expect((await fetch(`${server.url}${path}`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${server.url}nope`, { headers: auth })).status).toBe(404);
    const events = await stream(`${server.url}events`);
    expect(events.response.statusCode).toBe(401);
  });

  it('accepts ?token= only for the page and its event stream', async () => {
    const { server } = await serve({ token: TOKEN });
    const q = `?token=${TOKEN}`;
    expect((await fetch(`${server.url}${q}`)).status).toBe(200);
    const events = await stream(`${server.url}events${q}`);
    expect(events.response.statusCode).toBe(200);
    expect((await events.nextSnapshot()).records).toBe(0);
    expect((await fetch(`${server.url}status${q}`)).status).toBe(401);
    expect((await fetch(`${server.url}metrics${q}`)).status).toBe(401);
    expect((await fetch(`${server.url}?token=not-the-token-at-all`)).status).toBe(401);
  });

  it('without a token, answers only requests addressed to a loopback Host (no DNS rebinding)', async () => {
    const { server } = await serve();
    const port = new URL(server.url).port;
    expect(await rawGet(`${server.url}status`, { Host: 'attacker.example' })).toBe(403);
    expect(await rawGet(`${server.url}status`, { Host: `attacker.example:${port}` })).toBe(403);
    expect(await rawGet(`${server.url}status`, { Host: `localhost:${port}` })).toBe(200);
    expect(await rawGet(`${server.url}status`, { Host: `[::1]:${port}` })).toBe(200);
  });

  it('binds a non-loopback host only with a token', async () => {
    const { kernel } = makeKernel();
    await expect(serveDashboard(kernel, { host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/`token` to be set when `host` is not loopback/),
    });
    const server = await serveDashboard(kernel, {
      host: '0.0.0.0',
      token: TOKEN,
      clock: new FakeClock(),
    });
    open.push(server);
    const port = new URL(server.url).port;
    const res = await fetch(`http://127.0.0.1:${port}/status`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it('rejects a bad port, a taken port and a closed kernel', async () => {
    const { kernel } = makeKernel();
    for (const port of [-1, 70_000, 80.5])
      await expect(serveDashboard(kernel, { port })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise((resolve) => taken.close(resolve)) });
    const port = (taken.address() as AddressInfo).port;
    await expect(serveDashboard(kernel, { port })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { code: 'EADDRINUSE' },
    });
    await kernel.close();
    await expect(serveDashboard(kernel)).rejects.toMatchObject({ code: 'KERNEL_CLOSED' });
  });
});

describe('serveDashboard: event stream', () => {
  it('sends a snapshot on connect, then one per change, at most one per 100 ms', async () => {
    const { kernel, server, clock } = await serve();
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: M });
    const events = await stream(`${server.url}events`);
    expect(events.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const first = await events.nextSnapshot();
    expect(Object.keys(first.agents)).toEqual(['a']);
    expect(first.records).toBe(0);

    for (let i = 0; i < 3; i++) a.record({ inputTokens: 100, outputTokens: 0 });
    clock.advance(0);
    a.record({ inputTokens: 100, outputTokens: 0 });
    clock.advance(99);
    a.record({ inputTokens: 100, outputTokens: 0 });
    clock.advance(1);
    const seen = [await events.nextSnapshot(), await events.nextSnapshot()];
    expect(seen.map((s) => s.records)).toEqual([3, 5]);
    expect(seen[1]!.agents['a']!.used).toBe(500);
  });

  it('pushes the signal log and state changes as they happen', async () => {
    const { kernel, server, clock } = await serve();
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000, model: M });
    const events = await stream(`${server.url}events`);
    await events.nextSnapshot();
    a.record({ inputTokens: 1_200, outputTokens: 0 });
    clock.advance(0);
    const after = await events.nextSnapshot();
    expect(after.agents['a']!.state).toBe('stopped');
    expect(after.signals.map((s) => s.signal)).toEqual(['SIGWARN', 'SIGSTOP']);
    kernel.spawn({ id: 'b', maxTokens: 1_000, model: M });
    clock.advance(100);
    expect(Object.keys((await events.nextSnapshot()).agents)).toEqual(['a', 'b']);
  });

  it('keeps idle streams alive with heartbeat comments', async () => {
    const { server, clock } = await serve({ heartbeatMs: 5_000 });
    const events = await stream(`${server.url}events`);
    await events.nextSnapshot();
    clock.advance(5_000);
    expect(await events.next()).toEqual({ kind: 'comment', text: 'heartbeat' });
    clock.advance(5_000);
    expect(await events.next()).toEqual({ kind: 'comment', text: 'heartbeat' });
  });

  it('forgets a client that disconnects and stops its timers', async () => {
    const { kernel, server, clock } = await serve();
    const events = await stream(`${server.url}events`);
    await events.nextSnapshot();
    expect(server.clients).toBe(1);
    expect(clock.pending).toBe(1);
    events.close();
    await vi.waitFor(() => expect(server.clients).toBe(0));
    expect(clock.pending).toBe(0);
    kernel.spawn({ id: 'later', maxTokens: 1_000, model: M });
    expect(clock.pending).toBe(0);
  });

  it('answers 503 beyond maxClients', async () => {
    const { server } = await serve({ maxClients: 1 });
    const first = await stream(`${server.url}events`);
    await first.nextSnapshot();
    const second = await stream(`${server.url}events`);
    expect(second.response.statusCode).toBe(503);
    expect(second.response.headers['retry-after']).toBe('5');
  });

  it('close() ends the streams, stops listening and undoes every subscription; twice is fine', async () => {
    const { kernel } = makeKernel();
    const on = kernel.on.bind(kernel);
    let subscribed = 0;
    vi.spyOn(kernel, 'on').mockImplementation((type, handler) => {
      subscribed++;
      const off = on(type, handler);
      return () => {
        subscribed--;
        off();
      };
    });
    const server = await serveDashboard(kernel, { clock: new FakeClock() });
    expect(subscribed).toBeGreaterThan(0);
    const events = await stream(`${server.url}events`);
    await events.nextSnapshot();
    await Promise.all([server.close(), server.close()]);
    await events.ended();
    expect(subscribed).toBe(0);
    expect(server.clients).toBe(0);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
