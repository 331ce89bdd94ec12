import { SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';

/**
 * An independent statement of the compression contract, for the tests: which input messages
 * must come back byte-identical, and which tool ids pair.
 */
export function protectedIndices(
  messages: readonly ChatMessage[],
  keepRecent: number,
  pinned: readonly number[],
): Set<number> {
  const keep = new Set<number>(pinned);
  for (let i = 0; i < systemPromptLength(messages); i++) keep.add(i);
  const users = messages.flatMap((m, i) => (m.role === 'user' ? [i] : []));
  if (users.length > 0) keep.add(users[users.length - 1] as number);
  if (keepRecent > 0 && users.length > 0) {
    const from = users[Math.max(0, users.length - keepRecent)] as number;
    for (let i = from; i < messages.length; i++) keep.add(i);
  }
  // Close over tool pairs until nothing changes.
  const pairs = toolPairs(messages);
  for (let changed = true; changed;) {
    changed = false;
    for (const [a, t] of pairs) {
      if (keep.has(a) !== keep.has(t)) {
        keep.add(a);
        keep.add(t);
        changed = true;
      }
    }
  }
  return keep;
}

/** How many leading system/developer messages (not summary blocks) form the system prompt. */
export function systemPromptLength(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    if ((m.role !== 'system' && m.role !== 'developer') || m.content.startsWith(SUMMARY_MARKER))
      break;
    n++;
  }
  return n;
}

/** [assistant index, tool index] for each tool result answering an earlier call. */
export function toolPairs(messages: readonly ChatMessage[]): [number, number][] {
  const pairs: [number, number][] = [];
  messages.forEach((m, i) => {
    if (m.role !== 'tool') return;
    for (let a = i - 1; a >= 0; a--) {
      if (messages[a]?.tool_calls?.some((c) => c.id === m.tool_call_id)) {
        pairs.push([a, i]);
        return;
      }
    }
  });
  return pairs;
}
