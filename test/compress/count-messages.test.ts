import { encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { describe, expect, it } from 'vitest';
import {
  countMessageExact,
  countMessagesExact,
  createMessageCounter,
  REPLY_PRIMING_TOKENS,
} from '../../src/compress/count-messages.js';
import { countText } from '../../src/tokens/bpe-count.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';

const chat: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the capital of France? Answer in one word.' },
  { role: 'assistant', content: 'Paris.' },
];

describe('countMessagesExact', () => {
  it('agrees with gpt-tokenizer encodeChat for gpt-4o messages without names', () => {
    expect(countMessagesExact(chat, 'o200k_base')).toBe(encodeChat(chat).length);
  });

  it('adds 3 per message, the role, the content and 3 for reply priming', () => {
    const expected =
      REPLY_PRIMING_TOKENS +
      chat.reduce(
        (sum, m) =>
          sum + 3 + countText(m.role, 'cl100k_base') + countText(m.content, 'cl100k_base'),
        0,
      );
    expect(countMessagesExact(chat, 'cl100k_base')).toBe(expected);
  });

  it('adds the name plus one token for a named message', () => {
    const plain: ChatMessage = { role: 'user', content: 'hi' };
    const named: ChatMessage = { ...plain, name: 'alice' };
    expect(countMessageExact(named, 'o200k_base') - countMessageExact(plain, 'o200k_base')).toBe(
      countText('alice', 'o200k_base') + 1,
    );
  });

  it('counts tool call ids, function names and arguments, and the tool_call_id of a result', () => {
    const call: ChatMessage = {
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read', arguments: '{"p":"/a"}' } },
      ],
    };
    const base = countMessageExact({ role: 'assistant', content: '' }, 'o200k_base');
    expect(countMessageExact(call, 'o200k_base') - base).toBe(
      countText('call_1', 'o200k_base') +
        countText('read', 'o200k_base') +
        countText('{"p":"/a"}', 'o200k_base'),
    );
    const result: ChatMessage = { role: 'tool', tool_call_id: 'call_1', content: 'ok' };
    expect(countMessageExact(result, 'o200k_base')).toBe(
      3 +
        countText('tool', 'o200k_base') +
        countText('ok', 'o200k_base') +
        countText('call_1', 'o200k_base'),
    );
  });

  it('counts an empty conversation as the reply priming only', () => {
    expect(countMessagesExact([], 'o200k_base')).toBe(REPLY_PRIMING_TOKENS);
  });
});

describe('createMessageCounter', () => {
  it('is exact for OpenAI models and reports raw counts unchanged', () => {
    const counter = createMessageCounter('gpt-4', 1.25);
    expect(counter.exact).toBe(true);
    expect(counter.encoding).toBe('cl100k_base');
    expect(counter.report(100)).toBe(100);
    expect(counter.rawBudget(100)).toBe(100);
  });

  it('estimates other models with o200k_base times the margin, rounded up', () => {
    const counter = createMessageCounter('claude-sonnet-4-5', 1.25);
    expect(counter.exact).toBe(false);
    expect(counter.encoding).toBe('o200k_base');
    expect(counter.report(101)).toBe(127);
  });

  it('gives the largest raw budget whose estimate stays within the budget', () => {
    for (const margin of [1, 1.1, 1.25, 1.3333, 2, 7.77]) {
      const counter = createMessageCounter('gemini-2.5-pro', margin);
      for (const budget of [1, 2, 3, 10, 99, 1000, 123_457]) {
        const raw = counter.rawBudget(budget);
        expect(counter.report(raw)).toBeLessThanOrEqual(budget);
        expect(counter.report(raw + 1)).toBeGreaterThan(budget);
      }
    }
  });
});
