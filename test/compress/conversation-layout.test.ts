import { describe, expect, it } from 'vitest';
import { layoutConversation } from '../../src/compress/conversation-layout.js';
import { SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';

const call = (id: string) => ({
  id,
  type: 'function' as const,
  function: { name: 'f', arguments: '{}' },
});

const messages: ChatMessage[] = [
  { role: 'system', content: 'prompt' }, // 0
  { role: 'developer', content: 'rules' }, // 1
  { role: 'system', content: `${SUMMARY_MARKER}\nuser: old` }, // 2
  { role: 'user', content: 'u1' }, // 3
  { role: 'assistant', content: '', tool_calls: [call('a'), call('b')] }, // 4
  { role: 'tool', tool_call_id: 'a', content: 'ra' }, // 5
  { role: 'tool', tool_call_id: 'b', content: 'rb' }, // 6
  { role: 'user', content: 'u2' }, // 7
  { role: 'assistant', content: 'x' }, // 8
  { role: 'tool', tool_call_id: 'zzz', content: 'orphan' }, // 9
  { role: 'user', content: 'u3' }, // 10
  { role: 'assistant', content: 'y' }, // 11
];
const protectedOf = (keepRecent: number, pinned: number[] = []) =>
  layoutConversation(messages, keepRecent, new Set(pinned)).isProtected.flatMap((p, i) =>
    p ? [i] : [],
  );

describe('layoutConversation', () => {
  it('takes leading system and developer messages, not a summary block, as the system prompt', () => {
    expect(layoutConversation(messages, 0, new Set()).systemPromptLength).toBe(2);
  });

  it('starts a turn at each user message', () => {
    const layout = layoutConversation(messages, 3, new Set());
    expect(layout.turnStarts).toEqual([3, 7, 10]);
    expect(layout.lastUser).toBe(10);
  });

  it('groups an assistant tool call with all its results, and leaves an orphan result alone', () => {
    const layout = layoutConversation(messages, 0, new Set());
    expect(layout.atoms[layout.atomOf[4] as number]).toEqual([4, 5, 6]);
    expect(layout.atoms[layout.atomOf[9] as number]).toEqual([9]);
  });

  it('protects the system prompt and the last user message even with keepRecent 0', () => {
    expect(protectedOf(0)).toEqual([0, 1, 10]);
  });

  it('protects whole recent turns', () => {
    expect(protectedOf(1)).toEqual([0, 1, 10, 11]);
    expect(protectedOf(2)).toEqual([0, 1, 7, 8, 9, 10, 11]);
    expect(protectedOf(9)).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('protects a pinned message together with its tool-call partners', () => {
    expect(protectedOf(0, [5])).toEqual([0, 1, 4, 5, 6, 10]);
    expect(protectedOf(0, [2])).toEqual([0, 1, 2, 10]);
  });

  it('pairs a reused id with its latest declaration', () => {
    const reused: ChatMessage[] = [
      { role: 'assistant', content: '', tool_calls: [call('a')] },
      { role: 'tool', tool_call_id: 'a', content: '1' },
      { role: 'assistant', content: '', tool_calls: [call('a')] },
      { role: 'tool', tool_call_id: 'a', content: '2' },
    ];
    const layout = layoutConversation(reused, 0, new Set());
    expect(layout.atoms).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });
});
