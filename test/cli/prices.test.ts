import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { PriceListRow } from '../../src/pricing/pricing.js';
import { createPricing } from '../../src/pricing/pricing.js';
import { capture, scratch } from './cli-capture.js';

const tmp = scratch('tk-cli-prices-');
afterAll(() => tmp.remove());

describe('token-kernel prices', () => {
  it('lists the prices matching a glob as an aligned table', async () => {
    const c = capture();
    expect(await runCli(['prices', 'openai:gpt-4o-mini*'], c.io)).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines[0]).toBe('Prices in USD per million tokens');
    expect(lines[1]).toMatch(/^model +input +output +cache read +cache write +source$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^openai:gpt-4o-mini +\$0\.150 +\$0\.600 +\$0\.075 +\$0\.150 +genai-prices@/,
      ),
    );
    const rows = createPricing().list('openai:gpt-4o-mini*');
    expect(lines.at(-1)).toBe(`${rows.length} models`);
    expect(lines).toHaveLength(rows.length + 3);
  });

  it('prints JSON rows, with a user price table first', async () => {
    const prices = tmp.file('prices.yaml', 'acme-llm:\n  input: 0.4\n  output: 1.6\n');
    const c = capture();
    expect(await runCli(['prices', 'acme', '--prices', prices, '--json'], c.io)).toBe(0);
    const rows = JSON.parse(c.out()) as PriceListRow[];
    expect(rows[0]).toEqual({
      model: 'acme-llm',
      source: 'user',
      inputPerMTok: 0.4,
      outputPerMTok: 1.6,
      cacheReadPerMTok: 0.4,
      cacheWritePerMTok: 0.4,
    });
  });

  it('says when nothing matches, and exits 2 for bad arguments and price files; prints help', async () => {
    const none = capture();
    expect(await runCli(['prices', 'no-such-model-anywhere'], none.io)).toBe(0);
    expect(none.err()).toContain('no model matches "no-such-model-anywhere"');
    expect(none.out()).toBe('');
    const cases: [string[], RegExp][] = [
      [['prices', 'a', 'b'], /expected 0 to 1 arguments, got 2/],
      [['prices', '--prices', tmp.file('bad.json', '{"m": {"input": 1}}')], /Invalid config/],
      [['prices', '--prices', `${tmp.dir}/none.json`], /ENOENT/],
      [['prices', 'x'.repeat(300)], /`pattern`/],
      [['prices', '--cheap'], /Unknown option '--cheap'/],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
      expect(c.err(), args.join(' ')).toMatch(message);
    }
    const h = capture();
    expect(await runCli(['prices', '--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: token-kernel prices [pattern]');
  });
});
