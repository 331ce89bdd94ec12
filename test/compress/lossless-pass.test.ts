import { describe, expect, it } from 'vitest';
import { createMessageCounter } from '../../src/compress/count-messages.js';
import { losslessPass } from '../../src/compress/lossless-pass.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';

const counter = createMessageCounter('gpt-4o', 1);
const call = (id: string) => ({
  id,
  type: 'function' as const,
  function: { name: 'read', arguments: '{}' },
});
const output = 'line one of a long enough tool output\nline two of the same output, still going\n';
const huge = Array.from({ length: 300 }, (_, i) => `row ${i}: value=${i * 7} status=ok`).join('\n');

function conversation(...outputs: string[]): ChatMessage[] {
  return outputs.flatMap((content, i) => [
    { role: 'assistant', content: '', tool_calls: [call(`c${i}`)] },
    { role: 'tool', tool_call_id: `c${i}`, content },
  ]);
}
const run = (
  messages: ChatMessage[],
  isProtected = messages.map(() => false),
  hugeTokens = 10_000,
) =>
  losslessPass(
    messages,
    isProtected,
    messages.map((m) => counter.message(m)),
    hugeTokens,
    counter,
  );

describe('losslessPass', () => {
  it('replaces an earlier copy of a repeated tool output by a reference to the latest copy', () => {
    const messages = conversation(output, 'other', output);
    const result = run(messages);
    expect(result.changed).toEqual([1]);
    expect(result.messages[1]).toEqual({
      role: 'tool',
      tool_call_id: 'c0',
      content: '[Same output as the later result of call c2]',
    });
    expect(result.messages[5]).toBe(messages[5]);
  });

  it('leaves protected copies and short outputs alone', () => {
    const messages = conversation(output, output);
    expect(run(messages, [false, true, false, false]).changed).toEqual([]);
    expect(run(conversation('ok', 'ok')).changed).toEqual([]);
  });

  it('cuts a huge output to its head and tail around an omitted-tokens line and returns the middle', () => {
    const messages = conversation(huge);
    const result = run(messages, undefined, 300);
    const content = (result.messages[1] as ChatMessage).content;
    expect(counter.text(content)).toBeLessThanOrEqual(300);
    expect(content.startsWith('row 0: value=0 status=ok\n')).toBe(true);
    expect(content.endsWith('row 299: value=2093 status=ok')).toBe(true);
    const middle = result.omitted.get(1) as string;
    expect(content).toMatch(new RegExp(`\\[… ${counter.text(middle)} tokens omitted …\\]`));
    expect(content.replace(/\[… \d+ tokens omitted …\]\n/, middle)).toBe(huge);
  });

  it('keeps tool-call pairing: only content changes', () => {
    const messages = conversation(huge, output, output);
    const result = run(messages, undefined, 300);
    result.messages.forEach((m, i) => {
      const { content: _a, ...rest } = m;
      const { content: _b, ...before } = messages[i] as ChatMessage;
      expect(rest).toEqual(before);
    });
  });
});
