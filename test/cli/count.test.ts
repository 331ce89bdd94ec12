import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { capture, scratch } from './cli-capture.js';

const tmp = scratch('tk-cli-count-');
afterAll(() => tmp.remove());

// Large enough to be cut into segments and counted in the worker threads.
const TEXT = Array.from(
  { length: 40_000 },
  (_, i) => `Line ${i}: the agent spent ${i * 7} tokens on "task-${i % 13}" — ok.\n`,
).join('');
const file = tmp.file('notes.txt', TEXT);

describe('token-kernel count', () => {
  it('counts a large file exactly for an OpenAI model, as text and as JSON', async () => {
    const c = capture();
    expect(await runCli(['count', file, '--model', 'gpt-4o'], c.io)).toBe(0);
    const tokens = countText(TEXT, 'o200k_base');
    expect(c.out()).toBe(`${tokens.toLocaleString('en-US')} tokens (exact, o200k_base, gpt-4o)\n`);
    const j = capture();
    expect(await runCli(['count', file, '--model', 'gpt-4', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toEqual({
      model: 'gpt-4',
      tokens: countText(TEXT, 'cl100k_base'),
      exact: true,
      encoding: 'cl100k_base',
      bytes: Buffer.byteLength(TEXT),
      characters: TEXT.length,
    });
  }, 60_000);

  it('counts stdin, and marks an estimate for a model without a tokenizer', async () => {
    const c = capture({ input: 'Hello there, general Kenobi.' });
    expect(await runCli(['count', '-', '--model', 'claude-sonnet-4-20250514'], c.io)).toBe(0);
    expect(c.out()).toMatch(
      /^~\d+ tokens \(estimate: claude-sonnet-4-20250514 has no public tokenizer/,
    );
    const j = capture({ input: 'Hello there, general Kenobi.' });
    expect(await runCli(['count', '-', '--model', 'gemini-2.5-pro', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({ exact: false, encoding: 'estimate' });
  });

  it('counts a chat request with --chat', async () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Count me.' },
    ];
    const c = capture({ input: JSON.stringify({ model: 'gpt-4o', messages }) });
    expect(await runCli(['count', '-', '--model', 'gpt-4o', '--chat', '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out()).tokens).toBe(countChatMessages(messages as never, 'o200k_base'));
  });

  it('exits 2 for a missing model, file or argument, bad chat input and unknown flags; prints help', async () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [['count', file], undefined, /--model is required/],
      [['count', '--model', 'gpt-4o'], undefined, /expected 1 argument, got 0/],
      [['count', `${tmp.dir}/nope.txt`, '--model', 'gpt-4o'], undefined, /no such file/],
      [['count', '-', '--model', 'gpt-4o', '--chat'], '{"messages": "hi"', /chat input/],
      [
        ['count', '-', '--model', 'gpt-4o', '--chat'],
        '[{"role":"robot","content":"x"}]',
        /input\[0\]\.role/,
      ],
      [['count', file, '--model', 'gpt-4o', '--fast'], undefined, /Unknown option '--fast'/],
      [['count', file, '--model', ''], undefined, /`model`/],
    ];
    for (const [args, input, message] of cases) {
      const c = capture(input === undefined ? {} : { input });
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
      expect(c.err(), args.join(' ')).toMatch(message);
    }
    const h = capture();
    expect(await runCli(['count', '-h'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: token-kernel count <file|-> --model MODEL');
  });
});
