import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { FakeModel } from '../../src/demo/fake-model.js';
import { runDemo } from '../../src/demo/demo-run.js';
import { countText } from '../../src/tokens/bpe-count.js';

function capture(): {
  io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: (s: string) => ((err += s), true) },
    },
    out: () => out,
    err: () => err,
  };
}

describe('the fake model', () => {
  it('is deterministic, counts exactly, honours the output cap and bills a repeated system prompt as a cache read', () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Summarize the quarter.' },
    ];
    const one = new FakeModel({ seed: 7 });
    const two = new FakeModel({ seed: 7 });
    const a = one.invoke({ model: 'gpt-4o', messages });
    expect(two.invoke({ model: 'gpt-4o', messages })).toEqual(a);
    expect(a.usage.outputTokens).toBe(countText(a.output, 'o200k_base'));
    expect(a.usage.inputTokens).toBe(
      3 +
        3 +
        countText('You are terse.', 'o200k_base') +
        3 +
        countText('Summarize the quarter.', 'o200k_base'),
    );
    expect(a.usage.cacheReadTokens).toBeUndefined();
    const again = one.invoke({ model: 'gpt-4o', messages, maxOutputTokens: 5 });
    expect(again.usage.cacheReadTokens).toBe(countText('You are terse.', 'o200k_base'));
    expect(again.usage.outputTokens).toBeLessThanOrEqual(5);
    expect(again.finishReason).toBe('length');
  });
});

describe('demo', () => {
  it('runs agents through the kernel: signals, a stopped runaway, a grant and a closing report', async () => {
    const lines: string[] = [];
    const result = await runDemo({ write: (l) => lines.push(l), speed: 0, seed: 42 });
    const text = lines.join('\n');
    expect(result.calls).toBeGreaterThan(10);
    const signals = result.signals.map((s) => `${s.agentId}:${s.signal}`);
    expect(signals).toContain('runaway:SIGSTOP');
    expect(signals).toContain('researcher:SIGWARN');
    expect(text).toContain('supervisor grants researcher');
    expect(text).toContain('token-kernel cost report');
    expect(result.cacheHits).toBeGreaterThan(0);
    expect(result.compactions).toBeGreaterThan(0);
    expect(text).toMatch(/writer +compacted its context \d+ → \d+ tokens/);
    expect(result.kernel.closed).toBe(true);
    const status = result.kernel.status();
    expect(status.pool.available + status.pool.allocated + status.pool.spent).toBe(
      status.pool.total,
    );
    expect(status.agents).toEqual({});
  });

  it('is deterministic for a seed', async () => {
    const strip = (ls: string[]): string[] =>
      ls.map((l) => l.replace(/^\[\d+\.\d+s\] /, '')).filter((l) => !/Burn rate|Forecast/.test(l));
    const a: string[] = [];
    const b: string[] = [];
    await runDemo({ write: (l) => a.push(l), speed: 0, seed: 3 });
    await runDemo({ write: (l) => b.push(l), speed: 0, seed: 3 });
    expect(strip(a)).toEqual(strip(b));
  });
});

describe('cli', () => {
  it('runs the demo with options and prints help', async () => {
    const c = capture();
    expect(await runCli(['demo', '--agents', '7', '--speed', '0', '--seed', '1'], c.io)).toBe(0);
    expect(c.out()).toContain('7 agents share a pool');
    expect(c.out()).toContain('support-3');
    const h = capture();
    expect(await runCli(['demo', '--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: token-kernel demo');
  });

  it('rejects bad flags and unknown commands with exit code 2', async () => {
    const c = capture();
    expect(
      await runCli(['demo', '--agents', 'three'], c.io).catch((e: { code: string }) => e.code),
    ).toBe('INVALID_ARGUMENT');
    const d = capture();
    expect(await runCli(['demo', '--bogus'], d.io)).toBe(2);
    expect(d.err()).toContain("Unknown option '--bogus'");
    const e = capture();
    expect(await runCli(['frobnicate'], e.io)).toBe(2);
    expect(e.err()).toContain("unknown command 'frobnicate'");
  });
});
