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

describe('serve --demo', () => {
  it('serves the dashboard of the demo kernel while its agents run', async () => {
    const controller = new AbortController();
    let out = '';
    const done = runCli(['serve', '--demo'], {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: () => true },
      signal: controller.signal,
    });
    for (let i = 0; i < 200 && !out.includes('http://'); i++)
      await new Promise((r) => setImmediate(r));
    const url = /http:\/\/[^\s,]+/.exec(out)?.[0] as string;
    expect(url).toBeDefined();
    let agents: string[] = [];
    for (let i = 0; i < 50 && agents.length === 0; i++) {
      agents = Object.keys(
        (
          (await (await fetch(`${url.replace(/\/$/, '')}/status`)).json()) as {
            agents: Record<string, unknown>;
          }
        ).agents,
      );
    }
    expect(agents).toContain('planner');
    controller.abort();
    expect(await done).toBe(0);
  });
});
