import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { capture } from './cli-capture.js';

describe('token-kernel serve', () => {
  it('serves a kernel’s dashboard until stopped, printing its URL', async () => {
    const stop = new AbortController();
    const c = capture({ signal: stop.signal });
    const running = runCli(['serve', '--port', '0', '--budget', '5000'], c.io);
    let url: string | undefined;
    while (url === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      url = /dashboard at (http:\/\/\S+)/.exec(c.out())?.[1];
    }
    const response = await fetch(new URL('status', url));
    expect(response.status).toBe(200);
    const status = (await response.json()) as { pool: { total: number } };
    expect(status.pool.total).toBe(5000);
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(new URL('status', url))).rejects.toThrow();
  });

  it('exits 2 for a public host without a token, a bad port, budget or token; prints help', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--host', '0.0.0.0'], /`token` to be set when `host` is not loopback/],
      [['serve', '--port', '70000'], /`port`/],
      [['serve', '--port', 'http'], /`--port`/],
      [['serve', '--budget', '0'], /`--budget`/],
      [['serve', '--token', 'short'], /`token`/],
      [['serve', 'now'], /Unexpected argument|expected 0 arguments/],
    ];
    for (const [args, message] of cases) {
      const c = capture({ signal: AbortSignal.abort() });
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
      expect(c.err(), args.join(' ')).toMatch(message);
    }
    const h = capture();
    expect(await runCli(['serve', '--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: token-kernel serve [--port N]');
  });
});
