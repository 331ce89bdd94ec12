import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/clock.js';
import type { AlertEvent } from '../../src/rules/alert-event.js';
import { webhookSink } from '../../src/rules/webhook-sink.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { M, rule, setup } from './rules-fixture.js';

type Reply = 'fail' | 'hang' | 'ok' | 'bad-request';

interface Received {
  readonly body: unknown;
  readonly headers: IncomingMessage['headers'];
  readonly res: ServerResponse;
}

/** A webhook receiver on 127.0.0.1:0 that answers each request as the script says. */
async function receiver(script: Reply[]): Promise<{
  url: string;
  received: Received[];
  arrived: (n: number) => Promise<void>;
  server: Server;
}> {
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        headers: req.headers,
        res,
      });
      const reply = script[received.length - 1] ?? 'ok';
      if (reply === 'fail') res.writeHead(500).end('boom');
      else if (reply === 'bad-request') res.writeHead(400).end('no');
      else if (reply === 'ok') res.writeHead(204).end();
      for (const w of waiters.filter((x) => received.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    server,
    arrived: (n) =>
      received.length >= n
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A fake clock that logs every delay it is asked for. */
class LoggingClock implements Clock {
  readonly inner = new FakeClock();
  readonly delays: number[] = [];
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    return this.inner.setTimeout(fn, ms);
  }
  clearTimeout(handle: TimerHandle): void {
    this.inner.clearTimeout(handle);
  }
}

/** Lets I/O and promise callbacks run until `ready()` (bounded: a broken sink fails the test). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !ready(); i++)
    await new Promise((resolve) => setImmediate(resolve));
  if (!ready()) throw new Error('condition not reached');
}

const ALERT: AlertEvent = {
  type: 'alert.fired',
  rule: 'r',
  severity: 'P1',
  action: 'notify',
  metric: 'tokens',
  scope: 'org',
  key: 'org',
  period: 'lifetime',
  periodKey: 'lifetime',
  op: '>',
  value: 2,
  threshold: 1,
  targets: [],
  message: 'm',
  time: 0,
};

describe('webhookSink', () => {
  it('delivers after a 500 and a timeout, with backoff on the injected clock, never blocking the kernel', async () => {
    const hook = await receiver(['fail', 'hang', 'ok']);
    const clock = new LoggingClock();
    const sink = webhookSink({
      url: hook.url,
      timeoutMs: 1_000,
      retries: 3,
      backoffMs: 100,
      clock,
      headers: { authorization: 'Bearer t' },
    });
    const { kernel, alerts } = setup(
      [rule({ metric: 'tokens', scope: 'agent', op: '>', value: 10 })],
      {},
      { sinks: [sink] },
    );
    const a = kernel.spawn({ id: 'a', maxTokens: 100_000, model: M });
    a.record({ inputTokens: 11, outputTokens: 0 });
    expect(alerts).toHaveLength(1);

    await hook.arrived(1); // answered 500
    await until(() => clock.inner.pending === 1 && sink.stats().retries === 1);
    expect(clock.delays).toEqual([1_000, 100]); // the attempt's timeout, then the first backoff
    clock.inner.advance(99);
    expect(hook.received).toHaveLength(1);
    clock.inner.advance(1);

    await hook.arrived(2); // hangs
    // The kernel and the engine answer at once while the webhook hangs.
    const before = sink.stats();
    const b = kernel.spawn({ id: 'b', maxTokens: 100_000, model: M });
    b.record({ inputTokens: 11, outputTokens: 0 });
    expect(alerts).toHaveLength(2);
    expect(kernel.status().agents['b']?.used).toBe(11);
    expect(sink.stats()).toMatchObject({ pending: 2, delivered: 0, attempts: before.attempts });

    await until(() => clock.delays.length === 3);
    expect(clock.delays[2]).toBe(1_000);
    clock.inner.advance(1_000); // the timeout aborts the hanging request
    await until(() => sink.stats().timeouts === 1 && clock.delays.length === 4);
    expect(clock.delays[3]).toBe(200); // backoff doubled
    clock.inner.advance(200);

    await hook.arrived(4); // the first alert, then the second one
    await sink.drain();
    expect(sink.stats()).toEqual({
      pending: 0,
      delivered: 2,
      failed: 0,
      dropped: 0,
      attempts: 4,
      retries: 2,
      timeouts: 1,
      lastError: 'webhook timed out after 1000 ms',
    });
    expect(hook.received.map((r) => (r.body as AlertEvent).key)).toEqual(['a', 'a', 'a', 'b']);
    expect(hook.received[2]?.body).toEqual(JSON.parse(JSON.stringify(alerts[0])));
    expect(hook.received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer t',
    });
  });

  it('gives up after its retries and reports the alert', async () => {
    const hook = await receiver(['fail', 'fail', 'fail']);
    const clock = new FakeClock();
    const failures: string[] = [];
    const sink = webhookSink({
      url: hook.url,
      retries: 2,
      backoffMs: 10,
      clock,
      onError: (e) => failures.push(e.message),
    });
    sink.deliver(ALERT);
    for (let n = 1; n <= 2; n++) {
      await hook.arrived(n);
      await until(() => clock.pending === 1 && sink.stats().retries === n);
      clock.advance(10 * 2 ** (n - 1));
    }
    await sink.drain();
    expect(hook.received).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ delivered: 0, failed: 1, attempts: 3, retries: 2 });
    expect(failures).toEqual(['webhook answered HTTP 500']);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const hook = await receiver(['bad-request']);
    const sink = webhookSink({ url: hook.url, clock: new FakeClock() });
    sink.deliver(ALERT);
    await sink.drain();
    expect(sink.stats()).toMatchObject({
      failed: 1,
      attempts: 1,
      retries: 0,
      lastError: 'webhook answered HTTP 400',
    });
  });

  it('retries a refused connection', async () => {
    const hook = await receiver([]);
    const url = hook.url;
    hook.server.close();
    const clock = new FakeClock();
    const sink = webhookSink({ url, retries: 1, backoffMs: 5, clock });
    sink.deliver(ALERT);
    await until(() => sink.stats().retries === 1 && clock.pending === 1);
    clock.advance(5);
    await sink.drain();
    expect(sink.stats()).toMatchObject({ failed: 1, attempts: 2 });
    expect(sink.stats().lastError).toMatch(/^webhook request failed/);
  });

  it('drops alerts beyond its queue and counts them', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetch = (async () => {
      await gate;
      return new Response(null, { status: 200 });
    }) as typeof globalThis.fetch;
    const dropped: string[] = [];
    const sink = webhookSink({
      url: 'http://127.0.0.1:9/x',
      maxQueue: 2,
      fetch,
      clock: new FakeClock(),
      onError: (_e, a) => dropped.push(a.key),
    });
    for (const key of ['k1', 'k2', 'k3']) sink.deliver({ ...ALERT, key });
    expect(sink.stats()).toMatchObject({ pending: 2, dropped: 1 });
    expect(dropped).toEqual(['k3']);
    release();
    await sink.drain();
    expect(sink.stats()).toMatchObject({ pending: 0, delivered: 2, dropped: 1 });
  });

  it('posts a custom body', async () => {
    const hook = await receiver(['ok']);
    const sink = webhookSink({
      url: hook.url,
      clock: new FakeClock(),
      format: (a) => ({ text: a.message }),
    });
    sink.deliver(ALERT);
    await sink.drain();
    expect(hook.received[0]?.body).toEqual({ text: 'm' });
  });

  it('rejects bad options', () => {
    expect(() => webhookSink({ url: 'ftp://x' })).toThrow(/url/);
    expect(() => webhookSink({ url: 'http://x', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => webhookSink({ url: 'http://x', retries: -1 })).toThrow(/retries/);
    expect(() => webhookSink({ url: 'http://x', maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => webhookSink({ url: 'http://x', headers: { a: 1 as never } })).toThrow(
      /headers\.a/,
    );
  });
});
