import type { ChatMessage } from '../tokens/chat-message.js';
import { isSummaryBlock } from './summary-block.js';

/** The structure of a conversation the compressor works with. */
export interface ConversationLayout {
  /** Leading `system`/`developer` messages (not summary blocks): the system prompt. */
  readonly systemPromptLength: number;
  /** Index of each turn's `user` message, in order. */
  readonly turnStarts: readonly number[];
  /** Index of the last `user` message, or -1. */
  readonly lastUser: number;
  /**
   * Groups of messages kept or removed together, each sorted, ordered by first index: an
   * assistant message with `tool_calls` and the `tool` messages answering them, or one message.
   */
  readonly atoms: readonly (readonly number[])[];
  /** Atom index of each message. */
  readonly atomOf: readonly number[];
  /** Messages that must stay byte-identical, closed over atoms. */
  readonly isProtected: readonly boolean[];
}

function find(parent: number[], i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root] ?? root;
  while (parent[i] !== root) {
    const next = parent[i] ?? root;
    parent[i] = root;
    i = next;
  }
  return root;
}

/**
 * Works out the system prompt, the turns (a `user` message and everything after it up to the next
 * `user` message), the tool-call atoms (an assistant's `tool_calls[].id` paired with each later
 * `tool` message's `tool_call_id`; an id declared twice pairs with its latest declaration; a
 * `tool` message with no declaration is an atom of its own) and the protected messages: the
 * system prompt, the last user message, the last `keepRecent` turns, the pinned indices, and
 * every member of an atom with a protected member.
 */
export function layoutConversation(
  messages: readonly ChatMessage[],
  keepRecent: number,
  pinned: ReadonlySet<number>,
): ConversationLayout {
  const n = messages.length;
  let systemPromptLength = 0;
  while (systemPromptLength < n) {
    const m = messages[systemPromptLength] as ChatMessage;
    if ((m.role !== 'system' && m.role !== 'developer') || isSummaryBlock(m)) break;
    systemPromptLength++;
  }

  const turnStarts: number[] = [];
  const parent = Array.from({ length: n }, (_, i) => i);
  const declaredBy = new Map<string, number>();
  messages.forEach((m, i) => {
    if (m.role === 'user') turnStarts.push(i);
    for (const call of m.tool_calls ?? []) declaredBy.set(call.id, i);
    if (m.role === 'tool' && m.tool_call_id !== undefined) {
      const caller = declaredBy.get(m.tool_call_id);
      if (caller !== undefined) parent[find(parent, i)] = find(parent, caller);
    }
  });

  const atomOfRoot = new Map<number, number>();
  const atoms: number[][] = [];
  const atomOf: number[] = [];
  for (let i = 0; i < n; i++) {
    const root = find(parent, i);
    let atom = atomOfRoot.get(root);
    if (atom === undefined) {
      atom = atoms.length;
      atomOfRoot.set(root, atom);
      atoms.push([]);
    }
    atoms[atom]?.push(i);
    atomOf.push(atom);
  }

  const lastUser = turnStarts.at(-1) ?? -1;
  const seeds = new Array<boolean>(n).fill(false);
  for (let i = 0; i < systemPromptLength; i++) seeds[i] = true;
  if (lastUser >= 0) seeds[lastUser] = true;
  if (keepRecent > 0 && turnStarts.length > 0) {
    const from = turnStarts[Math.max(0, turnStarts.length - keepRecent)] ?? n;
    for (let i = from; i < n; i++) seeds[i] = true;
  }
  for (const i of pinned) seeds[i] = true;
  const atomProtected = atoms.map((members) => members.some((i) => seeds[i]));
  const isProtected = atomOf.map((atom) => atomProtected[atom] ?? false);

  return { systemPromptLength, turnStarts, lastUser, atoms, atomOf, isProtected };
}
