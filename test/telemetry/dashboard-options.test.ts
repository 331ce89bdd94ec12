import { describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/agents/signal.js';
import { isKernelError } from '../../src/errors.js';
import { isLoopbackHost, resolveDashboardOptions } from '../../src/telemetry/dashboard-options.js';
import { SignalLog } from '../../src/telemetry/dashboard-snapshot.js';

const TOKEN = 'a-long-enough-token-123';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isKernelError(error, 'INVALID_ARGUMENT')) return error.message;
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('treats %s as loopback', (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    '::2',
    'fe80::1%eth0',
    '::ffff:10.0.0.1',
    'localhost.example.com',
    'example.com',
    '127.0.0.1.nip.io',
  ])('treats %s as not loopback', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('resolveDashboardOptions', () => {
  it('defaults to a free port on 127.0.0.1 without a token, throttled to 10 updates a second', () => {
    const o = resolveDashboardOptions();
    expect(o).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      token: undefined,
      updateIntervalMs: 100,
    });
  });

  it('refuses a non-loopback host without a token, and accepts it with one', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'dashboard.internal'])
      expect(refusal(() => resolveDashboardOptions({ host }))).toMatch(/`token` to be set/);
    expect(resolveDashboardOptions({ host: '0.0.0.0', token: TOKEN }).host).toBe('0.0.0.0');
  });

  it('validates port, host, token and timings', () => {
    for (const port of [-1, 65_536, 1.5, Number.NaN, '8080'])
      expect(refusal(() => resolveDashboardOptions({ port: port as number }))).toMatch(
        /`port` to be an integer from 0 to 65535/,
      );
    expect(resolveDashboardOptions({ port: 65_535 }).port).toBe(65_535);
    for (const host of ['', 'bad host', 'a/b', 'http://127.0.0.1', 42])
      expect(refusal(() => resolveDashboardOptions({ host: host as string }))).toMatch(/`host`/);
    for (const token of ['short', 'has a space in the middle', '', 7])
      expect(refusal(() => resolveDashboardOptions({ token: token as string }))).toMatch(/`token`/);
    expect(refusal(() => resolveDashboardOptions({ updateIntervalMs: 50 }))).toMatch(
      /`updateIntervalMs`/,
    );
    expect(refusal(() => resolveDashboardOptions({ clock: {} as never }))).toMatch(/`clock`/);
    expect(refusal(() => resolveDashboardOptions(null as never))).toMatch(/`options`/);
  });

  it('unbrackets an IPv6 host', () => {
    expect(resolveDashboardOptions({ host: '[::1]' }).host).toBe('::1');
  });
});

describe('SignalLog', () => {
  const signal = (i: number): SignalEvent => ({
    type: 'agent.signal',
    agentId: `a${i}`,
    signal: 'SIGWARN',
    limit: {
      scope: 'window',
      name: 'window',
      unit: 'tokens',
      threshold: 0.8,
      used: 8,
      reserved: 0,
      total: 10,
    },
    reason: `reason ${i}`,
    used: 8,
    reserved: 0,
    total: 10,
    time: 1_000 + i,
  });

  it('keeps the newest entries, oldest first, numbered in arrival order', () => {
    const log = new SignalLog(3);
    for (let i = 1; i <= 2; i++) log.push(signal(i));
    expect(log.entries().map((e) => e.agentId)).toEqual(['a1', 'a2']);
    for (let i = 3; i <= 7; i++) log.push(signal(i));
    expect(log.entries().map((e) => [e.seq, e.agentId])).toEqual([
      [5, 'a5'],
      [6, 'a6'],
      [7, 'a7'],
    ]);
    expect(log.entries()[2]).toEqual({
      seq: 7,
      time: 1_007,
      agentId: 'a7',
      signal: 'SIGWARN',
      scope: 'window',
      limit: 'window',
      reason: 'reason 7',
    });
  });
});
