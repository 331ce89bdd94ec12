import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMessageExact } from '../../src/compress/count-messages.js';
import { countText } from '../../src/tokens/bpe-count.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import {
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
  countChatMessages,
} from '../../src/tokens/count-chat-messages.js';
import { TOKENIZER_BACKENDS } from '../../src/tokens/tokenizer-backend.js';

// The OpenAI cookbook's example conversation; the API billed 129 prompt tokens on gpt-4 /
// gpt-3.5-turbo (cl100k_base) and 124 on gpt-4o / gpt-4o-mini (o200k_base).
const COOKBOOK: readonly ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  {
    role: 'system',
    name: 'example_user',
    content: 'New synergies will help drive top-line growth.',
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content:
      "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

describe('countChatMessages', () => {
  for (const backend of TOKENIZER_BACKENDS) {
    it(`matches the prompt tokens OpenAI billed for the cookbook example, on ${backend}`, () => {
      expect(countChatMessages(COOKBOOK, 'cl100k_base', backend)).toBe(129);
      expect(countChatMessages(COOKBOOK, 'o200k_base', backend)).toBe(124);
    });
  }

  it('adds 3 per message, 1 per name and 3 for the reply priming to the texts', () => {
    expect([TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS]).toEqual([3, 1, 3]);
    expect(countChatMessages([], 'o200k_base')).toBe(3);
    const message: ChatMessage = { role: 'user', name: 'ann', content: 'Hello there' };
    expect(countChatMessages([message], 'o200k_base')).toBe(
      3 +
        3 +
        countText('user', 'o200k_base') +
        countText('Hello there', 'o200k_base') +
        countText('ann', 'o200k_base') +
        1,
    );
  });

  it('counts tool calls through their id, function name and JSON arguments', () => {
    const call: ChatMessage = {
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: 'call_abc123',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        },
      ],
    };
    const result: ChatMessage = { role: 'tool', tool_call_id: 'call_abc123', content: '18°C' };
    const texts = [
      'assistant',
      '',
      'call_abc123',
      'get_weather',
      '{"city":"Paris","unit":"celsius"}',
      'tool',
      '18°C',
      'call_abc123',
    ];
    const expected = 3 + 2 * 3 + texts.reduce((n, t) => n + countText(t, 'o200k_base'), 0);
    expect(countChatMessages([call, result], 'o200k_base')).toBe(expected);
  });

  it('agrees with the compressor on any conversation', () => {
    const message = fc.record(
      {
        role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'),
        content: fc.string({ maxLength: 40 }),
        name: fc.string({ minLength: 1, maxLength: 8 }),
        tool_call_id: fc.string({ maxLength: 8 }),
        tool_calls: fc.array(
          fc.record({
            id: fc.string({ maxLength: 8 }),
            type: fc.constant('function' as const),
            function: fc.record({ name: fc.string({ maxLength: 8 }), arguments: fc.json() }),
          }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ['role', 'content'] },
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), fc.boolean(), (messages, cl100k) => {
        const encoding = cl100k ? 'cl100k_base' : 'o200k_base';
        // The compressor's per-message counts, plus the reply priming, add up to the whole.
        const perMessage = messages.reduce(
          (sum, m) => sum + countMessageExact(m, encoding),
          REPLY_PRIMING_TOKENS,
        );
        expect(countChatMessages(messages, encoding)).toBe(perMessage);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
