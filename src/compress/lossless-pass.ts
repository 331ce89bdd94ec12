import type { ChatMessage } from '../tokens/chat-message.js';
import type { MessageCounter } from './count-messages.js';
import { truncateToTokens } from './truncate-tokens.js';

/** Shortest tool output, in characters, worth replacing by a reference to its repeat. */
const DEDUPE_MIN_CHARS = 64;
/** Share of a cut output's allowance kept from its start; the rest comes from its end. */
const HEAD_SHARE = 2 / 3;

/** What the lossless pass did. */
export interface LosslessOutcome {
  /** The conversation with repeated and huge tool outputs shortened (same length and order). */
  readonly messages: ChatMessage[];
  /** Indices of the messages it rewrote. */
  readonly changed: readonly number[];
  /** Text cut out of the middle of huge outputs, by message index. */
  readonly omitted: ReadonlyMap<number, string>;
}

function withContent(message: ChatMessage, content: string): ChatMessage {
  return { ...message, content };
}

/** Snaps a head cut back to its last line break when that keeps at least half of it. */
function snapHead(head: string): string {
  const cut = head.lastIndexOf('\n');
  return cut >= head.length / 2 ? head.slice(0, cut + 1) : head;
}

function snapTail(tail: string): string {
  const cut = tail.indexOf('\n');
  return cut >= 0 && cut <= tail.length / 2 ? tail.slice(cut + 1) : tail;
}

/**
 * Shortens unprotected tool outputs without losing what they say: an output repeated later
 * verbatim becomes a one-line reference to the later call (the latest copy, most likely to be
 * kept, stays whole); an output over `hugeTokens` keeps its head and tail around an
 * "[… N tokens omitted …]" line, and the omitted middle is returned so that a summary can still
 * draw facts from it. Tool-call pairing is untouched: only `content` changes.
 * @param tokens raw tokens of each message, as `counter.message` counts them
 */
export function losslessPass(
  messages: readonly ChatMessage[],
  isProtected: readonly boolean[],
  tokens: readonly number[],
  hugeTokens: number,
  counter: MessageCounter,
): LosslessOutcome {
  const out = [...messages];
  const changed: number[] = [];
  const omitted = new Map<number, string>();

  const lastWithContent = new Map<string, number>();
  messages.forEach((m, i) => {
    if (m.role === 'tool' && m.content.length >= DEDUPE_MIN_CHARS)
      lastWithContent.set(m.content, i);
  });
  messages.forEach((m, i) => {
    if (m.role !== 'tool' || isProtected[i] === true) return;
    const last = lastWithContent.get(m.content);
    if (last === undefined || last === i) return;
    const laterId = messages[last]?.tool_call_id ?? '';
    const reference = `[Same output as the later result of call ${laterId}]`;
    if (counter.text(reference) < counter.text(m.content)) {
      out[i] = withContent(m, reference);
      changed.push(i);
    }
  });

  out.forEach((m, i) => {
    if (m.role !== 'tool' || isProtected[i] === true || (tokens[i] ?? 0) <= hugeTokens) return;
    const total = counter.text(m.content);
    if (total <= hugeTokens) return;
    const head = snapHead(
      truncateToTokens(m.content, Math.floor(hugeTokens * HEAD_SHARE), counter.encoding, 'head'),
    );
    const rest = m.content.slice(head.length);
    const tailBudget = Math.max(0, hugeTokens - counter.text(head) - 16);
    const tail = snapTail(truncateToTokens(rest, tailBudget, counter.encoding, 'tail'));
    const middle = rest.slice(0, rest.length - tail.length);
    if (middle.trim().length === 0) return;
    const marker = `[… ${counter.text(middle)} tokens omitted …]`;
    const content = `${head}${head.endsWith('\n') ? '' : '\n'}${marker}\n${tail}`;
    if (counter.text(content) >= total) return;
    out[i] = withContent(m, content);
    omitted.set(i, middle);
    if (!changed.includes(i)) changed.push(i);
  });

  return { messages: out, changed: changed.sort((a, b) => a - b), omitted };
}
