import { describe, expect, it } from 'vitest';
import { compressMessages } from '../../src/compress/compress-messages.js';
import type { CompressOptions } from '../../src/compress/compress-options.js';
import { countMessagesExact } from '../../src/compress/count-messages.js';
import { isSummaryBlock, SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import { isKernelError, type KernelError } from '../../src/errors.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';

const SYSTEM: ChatMessage = { role: 'system', content: 'You are an operations assistant.' };
const FILLER =
  'We looked at the queue and the worker again and nothing unusual came up during the review today.';

/** A conversation of `turns` turns; turn t plants fact `K-1000t` and reads a log through a tool. */
function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [SYSTEM];
  for (let t = 0; t < turns; t++) {
    messages.push({
      role: 'user',
      content: `${FILLER} The deploy key for turn ${t} is K-${1000 + t}.`,
    });
    const id = `call_${t}`;
    messages.push({
      role: 'assistant',
      content: '',
      tool_calls: [
        { id, type: 'function', function: { name: 'read_log', arguments: `{"n":${t}}` } },
      ],
    });
    messages.push({
      role: 'tool',
      tool_call_id: id,
      content: `${FILLER}\nstatus=ok port=${8000 + t}`,
    });
    messages.push({ role: 'assistant', content: `${FILLER} ${FILLER}` });
  }
  return messages;
}

const total = (messages: readonly ChatMessage[]) => countMessagesExact(messages, 'o200k_base');

function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (error) {
    if (isKernelError(error)) return error;
    throw error;
  }
  throw new Error('expected a KernelError');
}

describe('compressMessages', () => {
  it('returns a conversation within budget unchanged, with no stage', () => {
    const messages = conversation(3);
    const result = compressMessages(messages, { model: 'gpt-4o', maxTokens: total(messages) });
    expect(result.messages).toEqual(messages);
    expect(result.stages).toEqual([]);
    expect(result.tokensBefore).toBe(total(messages));
    expect(result.tokensAfter).toBe(result.tokensBefore);
    expect(result).toMatchObject({ dropped: 0, summarized: 0, exact: true });
  });

  it('summarizes older turns into one block right after the system prompt, keeping their facts', () => {
    const messages = conversation(20);
    const maxTokens = Math.floor(total(messages) / 3);
    const result = compressMessages(messages, { model: 'gpt-4o', maxTokens });
    expect(result.tokensAfter).toBe(total(result.messages));
    expect(result.tokensAfter).toBeLessThanOrEqual(maxTokens);
    expect(result.stages).toContain('summary');
    expect(result.messages[0]).toBe(messages[0]);
    const block = result.messages[1] as ChatMessage;
    expect(isSummaryBlock(block)).toBe(true);
    expect(result.messages.filter(isSummaryBlock)).toHaveLength(1);
    const text = result.messages.map((m) => m.content).join('\n');
    for (let t = 0; t < 20; t++) expect(text).toContain(`K-${1000 + t}`);
    expect(result.messages.length).toBe(messages.length - result.dropped - result.summarized + 1);
  });

  it('keeps the last keepRecent turns byte-identical', () => {
    const messages = conversation(12);
    const result = compressMessages(messages, {
      model: 'gpt-4o',
      maxTokens: Math.floor(total(messages) / 3),
      keepRecent: 2,
    });
    expect(result.messages.slice(-8)).toEqual(messages.slice(-8));
    for (let i = 0; i < 8; i++) expect(result.messages.at(-8 + i)).toBe(messages.at(-8 + i));
  });

  it('keeps a pinned message and its tool-call partner byte-identical while its neighbours go', () => {
    const messages = conversation(12);
    const result = compressMessages(messages, {
      model: 'gpt-4o',
      maxTokens: Math.floor(total(messages) / 3),
      pinned: [7],
    });
    expect(result.messages).toContain(messages[7]);
    expect(result.messages).toContain(messages[6]);
    expect(result.messages).not.toContain(messages[5]);
    expect(result.messages.indexOf(messages[6] as ChatMessage)).toBe(
      result.messages.indexOf(messages[7] as ChatMessage) - 1,
    );
  });

  it('drops acknowledgements before summarizing anything', () => {
    const messages: ChatMessage[] = [SYSTEM];
    for (let t = 0; t < 6; t++) {
      messages.push({ role: 'user', content: `Question ${t}: where is the key for ${t}?` });
      messages.push({ role: 'assistant', content: `It is K-${t}00.` });
      messages.push({ role: 'user', content: 'ok thanks!' });
      messages.push({ role: 'assistant', content: 'You are welcome.' });
    }
    messages.push({ role: 'user', content: 'And the port?' });
    const acks = countMessagesExact(
      messages.filter((m) => /thanks|welcome/.test(m.content)).slice(0, 8),
      'o200k_base',
    );
    const result = compressMessages(messages, {
      model: 'gpt-4o',
      maxTokens: total(messages) - acks + 3,
      keepRecent: 1,
    });
    expect(result.stages).toEqual(['drop']);
    expect(result.dropped).toBe(12);
    expect(result.messages.filter((m) => /thanks|welcome/.test(m.content))).toHaveLength(0);
  });

  it('replaces a repeated tool output by a reference when that is enough', () => {
    const messages = conversation(4);
    const log = 'a long log line that repeats itself word for word every time\n'.repeat(20);
    const repeated = messages.map((m) => (m.role === 'tool' ? { ...m, content: log } : m));
    const result = compressMessages(repeated, {
      model: 'gpt-4o',
      maxTokens: total(repeated) - 100,
      keepRecent: 1,
    });
    expect(result.stages).toEqual(['lossless']);
    expect(result.messages.filter((m) => m.content === log)).toHaveLength(1);
    expect(result.messages[3]?.content).toBe('[Same output as the later result of call call_3]');
  });

  it('with summaryMaxShare 0 removes the oldest messages instead of summarizing', () => {
    const messages = conversation(10);
    const result = compressMessages(messages, {
      model: 'gpt-4o',
      maxTokens: Math.floor(total(messages) / 2),
      summaryMaxShare: 0,
    });
    expect(result.stages).toContain('truncate');
    expect(result.messages.some(isSummaryBlock)).toBe(false);
    expect(result.summarized).toBe(0);
    const kept = result.messages.slice(1);
    expect(kept).toEqual(messages.slice(messages.length - kept.length));
  });

  it('estimates models without a public tokenizer with o200k_base × margin and says so', () => {
    const messages = conversation(10);
    const maxTokens = 900;
    const result = compressMessages(messages, {
      model: 'claude-sonnet-4-5',
      maxTokens,
      margin: 1.5,
    });
    expect(result.exact).toBe(false);
    expect(result.tokensBefore).toBe(Math.ceil(total(messages) * 1.5));
    expect(result.tokensAfter).toBe(Math.ceil(total(result.messages) * 1.5));
    expect(result.tokensAfter).toBeLessThanOrEqual(maxTokens);
  });

  it('re-summarizes an earlier summary block, carrying its facts forward without nesting', () => {
    const messages = conversation(16);
    const first = compressMessages(messages, {
      model: 'gpt-4o',
      maxTokens: Math.floor(total(messages) / 2),
    });
    const firstBlock = first.messages[1] as ChatMessage;
    const keysIn = (text: string) => text.match(/K-\d+/g) ?? [];
    expect(keysIn(firstBlock.content).length).toBeGreaterThan(5);
    const second = compressMessages(first.messages, {
      model: 'gpt-4o',
      maxTokens: Math.floor(first.tokensAfter / 2),
    });
    const blocks = second.messages.filter((m) => m.content.includes(SUMMARY_MARKER));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.content.split(SUMMARY_MARKER)).toHaveLength(2);
    expect(second.messages[1]).toBe(blocks[0]);
    // Keys that only the first block still held are carried into the second, none invented.
    const onlyInFirstBlock = keysIn(firstBlock.content).filter(
      (k) => !first.messages.slice(2).some((m) => m.content.includes(k)),
    );
    const carried = keysIn(blocks[0]?.content ?? '');
    expect(carried.filter((k) => onlyInFirstBlock.includes(k)).length).toBeGreaterThanOrEqual(3);
    for (const k of carried)
      expect(keysIn(first.messages.map((m) => m.content).join('\n'))).toContain(k);
  });

  it('refuses with BUDGET_EXCEEDED when the messages that must stay exceed the budget', () => {
    const messages = conversation(3);
    const error = thrown(() => compressMessages(messages, { model: 'gpt-4o', maxTokens: 20 }));
    expect(error.code).toBe('BUDGET_EXCEEDED');
    const mustStay = [messages[0], ...messages.slice(-4 * 3)] as ChatMessage[];
    expect(error.details).toEqual({
      limit: 'maxTokens',
      maxTokens: 20,
      protectedTokens: total(mustStay),
    });
    expect(error.message).toContain(`need ${total(mustStay)} tokens`);
  });

  it('does not modify its input', () => {
    const messages = conversation(8);
    const snapshot = JSON.stringify(messages);
    const frozen = Object.freeze(messages.map((m) => Object.freeze({ ...m })));
    const result = compressMessages(frozen, {
      model: 'gpt-4o',
      maxTokens: Math.floor(total(messages) / 2),
    });
    expect(result.stages).toContain('summary');
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  it.each<[string, unknown, unknown, string]>([
    [
      'messages not an array',
      'hi',
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages` to be an array of chat messages, got `"hi"` (string)',
    ],
    [
      'an unknown role',
      [{ role: 'bot', content: '' }],
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages[0].role`',
    ],
    [
      'missing content',
      [{ role: 'user' }],
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages[0].content` to be a string, got `undefined` (undefined)',
    ],
    [
      'a tool message without tool_call_id',
      [{ role: 'tool', content: '' }],
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages[0].tool_call_id`',
    ],
    [
      'tool_calls on a user message',
      [{ role: 'user', content: '', tool_calls: [] }],
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages[0].tool_calls`',
    ],
    [
      'a malformed tool call',
      [
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'f' } }],
        },
      ],
      { model: 'gpt-4o', maxTokens: 10 },
      'Expected `messages[0].tool_calls[0].function.arguments`',
    ],
    ['options not an object', [], null, 'Expected `options` to be an object, got `null` (null)'],
    ['an empty model', [], { model: '', maxTokens: 10 }, 'Expected `model`'],
    [
      'a negative maxTokens',
      [],
      { model: 'gpt-4o', maxTokens: -1 },
      'Expected `maxTokens` to be a positive safe integer, got `-1` (number)',
    ],
    [
      'a zero maxTokens',
      [],
      { model: 'gpt-4o', maxTokens: 0 },
      'Expected `maxTokens` to be a positive safe integer, got `0` (number)',
    ],
    [
      'a fractional maxTokens',
      [],
      { model: 'gpt-4o', maxTokens: 1.5 },
      'Expected `maxTokens` to be a positive safe integer',
    ],
    [
      'a string maxTokens',
      [],
      { model: 'gpt-4o', maxTokens: '10' },
      'Expected `maxTokens` to be a positive safe integer, got `"10"` (string)',
    ],
    [
      'an unsafe maxTokens',
      [],
      { model: 'gpt-4o', maxTokens: 2 ** 53 },
      'Expected `maxTokens` to be a positive safe integer',
    ],
    [
      'a negative keepRecent',
      [],
      { model: 'gpt-4o', maxTokens: 10, keepRecent: -1 },
      'Expected `keepRecent`',
    ],
    [
      'a pinned index out of range',
      [{ role: 'user', content: '' }],
      { model: 'gpt-4o', maxTokens: 10, pinned: [1] },
      'Expected `pinned[0]` to be an integer index from 0 to 0, got `1` (number)',
    ],
    [
      'a fractional pinned index',
      [{ role: 'user', content: '' }],
      { model: 'gpt-4o', maxTokens: 10, pinned: [0.5] },
      'Expected `pinned[0]`',
    ],
    [
      'a margin below 1',
      [],
      { model: 'gpt-4o', maxTokens: 10, margin: 0.5 },
      'Expected `margin` to be a finite number from 1 to 10',
    ],
    [
      'a summaryMaxShare above 1',
      [],
      { model: 'gpt-4o', maxTokens: 10, summaryMaxShare: 2 },
      'Expected `summaryMaxShare` to be a finite number from 0 to 1',
    ],
  ])('rejects %s with INVALID_ARGUMENT', (_name, messages, options, message) => {
    const error = thrown(() =>
      compressMessages(messages as ChatMessage[], options as CompressOptions),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message.startsWith(message)).toBe(true);
  });
});
