import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { createTokenCounter } from '../../src/tokens/token-counter.js';
import { countChatInStream, countTokensInStream } from '../../src/report/stream-token-count.js';
import { chunks } from './report-fixtures.js';

// Counted inline (no worker threads) so that the property runs fast; the CLI test uses workers.
const counter = createTokenCounter({ inlineMaxChars: 10_000_000 });
afterAll(() => counter.close());

const PROSE =
  'The quarterly review covers revenue, churn and pipeline.\tFigures: 1,234,567 USD (up 12%).\n' +
  'Naïve café owners said “déjà vu” — 東京の売上は増加した。 🙂 ';

describe('countTokensInStream', () => {
  it('equals the count of the whole text however the stream is chunked and segmented', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PROSE.split(/(?<= )/), '  ', '\n\n', 'x'.repeat(40)), {
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom('gpt-4o', 'gpt-4'),
        async (parts, chunk, segment, model) => {
          const text = parts.join('');
          const result = await countTokensInStream(chunks(text, chunk), model, {
            counter,
            segmentChars: segment,
          });
          const encoding = model === 'gpt-4o' ? 'o200k_base' : 'cl100k_base';
          expect(result).toEqual({
            model,
            tokens: countText(text, encoding),
            exact: true,
            encoding,
            bytes: Buffer.byteLength(text),
            characters: text.length,
          });
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it('marks a count for a model without a public tokenizer as an estimate', async () => {
    const result = await countTokensInStream(chunks(PROSE), 'claude-sonnet-4-20250514', {
      counter,
    });
    expect(result.exact).toBe(false);
    expect(result.encoding).toBe('estimate');
    expect(result.tokens).toBeGreaterThanOrEqual(countText(PROSE, 'o200k_base'));
  });

  it('counts an empty stream as 0 and rejects a bad model or option', async () => {
    expect(await countTokensInStream(chunks(''), 'gpt-4o', { counter })).toMatchObject({
      tokens: 0,
      exact: true,
    });
    await expect(countTokensInStream(chunks('a'), '', { counter })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      countTokensInStream(chunks('a'), 'gpt-4o', { counter, segmentChars: 0 }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('countChatInStream', () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Summarize the quarter.' },
  ];

  it('counts a chat request with the per-message overhead, as an array or a request body', async () => {
    const expected = countChatMessages(messages as never, 'o200k_base');
    expect(expected).toBeGreaterThan(
      countText('You are terse.Summarize the quarter.', 'o200k_base'),
    );
    const array = await countChatInStream(chunks(JSON.stringify(messages), 5), 'gpt-4o', {
      counter,
    });
    expect(array.tokens).toBe(expected);
    const body = await countChatInStream(
      chunks(JSON.stringify({ model: 'gpt-4o', messages })),
      'gpt-4o',
      { counter },
    );
    expect(body.tokens).toBe(expected);
  });

  it('rejects bad JSON, a body without messages, bad messages and oversized input', async () => {
    for (const text of [
      '{"messages": [',
      '{"prompt": "hi"}',
      '[{"role": "robot", "content": "x"}]',
    ]) {
      await expect(countChatInStream(chunks(text), 'gpt-4o', { counter })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    await expect(
      countChatInStream(chunks(JSON.stringify(messages)), 'gpt-4o', { counter, maxChatChars: 10 }),
    ).rejects.toThrow(/at most 10 characters/);
  });
});
