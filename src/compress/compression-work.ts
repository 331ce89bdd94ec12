import type { ChatMessage } from '../tokens/chat-message.js';
import type { CompressResult, CompressStage } from './compress-options.js';
import type { ConversationLayout } from './conversation-layout.js';
import { REPLY_PRIMING_TOKENS, type MessageCounter } from './count-messages.js';
import { SUMMARY_MARKER, summaryBlock } from './summary-block.js';
import { truncateToTokens } from './truncate-tokens.js';

/** A summary body smaller than this many tokens is not worth a block. */
export const MIN_SUMMARY_TOKENS = 8;

/** Why a message left the conversation. */
export type Removal = 'dropped' | 'summarized';

/**
 * The conversation while it is being compressed: the current version of each input message (or
 * its removal), its raw token count, and the summary block. Keeps the raw total up to date so
 * that every budget check is exact without recounting.
 */
export class CompressionWork {
  readonly #original: readonly ChatMessage[];
  readonly #current: (ChatMessage | null)[];
  readonly #tokens: number[];
  readonly #removed: (Removal | undefined)[];
  readonly #layout: ConversationLayout;
  readonly #counter: MessageCounter;
  readonly #tokensBefore: number;
  #total: number;
  #summary: { body: string; tokens: number } | undefined;

  constructor(
    messages: readonly ChatMessage[],
    tokens: readonly number[],
    layout: ConversationLayout,
    counter: MessageCounter,
    tokensBefore: number,
  ) {
    this.#original = messages;
    this.#current = [...messages];
    this.#tokens = [...tokens];
    this.#removed = new Array<Removal | undefined>(messages.length);
    this.#layout = layout;
    this.#counter = counter;
    this.#tokensBefore = tokensBefore;
    this.#total = tokens.reduce((sum, t) => sum + t, REPLY_PRIMING_TOKENS);
  }

  get layout(): ConversationLayout {
    return this.#layout;
  }

  get counter(): MessageCounter {
    return this.#counter;
  }

  /** The input message at `i`, as given. */
  original(i: number): ChatMessage | undefined {
    return this.#original[i];
  }

  /** The current version of message `i`, or null once removed (or for an index out of range). */
  current(i: number): ChatMessage | null {
    return this.#current[i] ?? null;
  }

  /** Raw tokens of the conversation as it stands, summary block included. */
  total(): number {
    return this.#total;
  }

  replace(i: number, message: ChatMessage): void {
    const tokens = this.#counter.message(message);
    this.#total += tokens - (this.#tokens[i] ?? 0);
    this.#tokens[i] = tokens;
    this.#current[i] = message;
  }

  remove(i: number, why: Removal): void {
    if (this.#current[i] === null) return;
    this.#total -= this.#tokens[i] ?? 0;
    this.#current[i] = null;
    this.#removed[i] = why;
  }

  removeAtom(atom: number, why: Removal): void {
    for (const i of this.#layout.atoms[atom] ?? []) this.remove(i, why);
  }

  atomTokens(atom: number): number {
    let sum = 0;
    for (const i of this.#layout.atoms[atom] ?? [])
      if (this.#current[i] !== null) sum += this.#tokens[i] ?? 0;
    return sum;
  }

  isAtomProtected(atom: number): boolean {
    const first = this.#layout.atoms[atom]?.[0];
    return first !== undefined && this.#layout.isProtected[first] === true;
  }

  /** Raw tokens of an empty summary block: message overhead, role and marker line. */
  blockOverhead(): number {
    return this.#counter.message(summaryBlock(''));
  }

  /** An LLM's summary made fit: any marker it echoed removed, then cut at `maxTokens` tokens. */
  cutSummary(summary: string, maxTokens: number): string {
    let text = summary.trim();
    while (text.startsWith(SUMMARY_MARKER)) text = text.slice(SUMMARY_MARKER.length).trim();
    return truncateToTokens(text, maxTokens, this.#counter.encoding, 'head').trim();
  }

  setSummary(body: string): void {
    if (this.#summary !== undefined) this.#total -= this.#summary.tokens;
    const tokens = this.#counter.message(summaryBlock(body));
    this.#summary = { body, tokens };
    this.#total += tokens;
  }

  /**
   * The exact-token fallback: while over `budget`, cut the summary body at the exact token count
   * left (dropping the block once under {@link MIN_SUMMARY_TOKENS}, its messages then count as
   * dropped), then remove the oldest unprotected atoms. Ends because the protected messages
   * alone fit. Returns whether anything changed.
   */
  fit(budget: number): boolean {
    let changed = false;
    while (this.#total > budget) {
      changed = true;
      const summary = this.#summary;
      if (summary !== undefined) {
        const bodyTokens = this.#counter.text(summary.body);
        const allowed = Math.min(bodyTokens - 1, bodyTokens - (this.#total - budget));
        if (allowed >= MIN_SUMMARY_TOKENS) {
          this.setSummary(truncateToTokens(summary.body, allowed, this.#counter.encoding, 'head'));
        } else {
          this.#total -= summary.tokens;
          this.#summary = undefined;
          this.#removed.forEach((why, i) => {
            if (why === 'summarized') this.#removed[i] = 'dropped';
          });
        }
        continue;
      }
      const oldest = this.#layout.atoms.findIndex(
        (_, a) => this.atomTokens(a) > 0 && !this.isAtomProtected(a),
      );
      if (oldest < 0) break; // unreachable: the protected messages fit (checked before)
      this.removeAtom(oldest, 'dropped');
    }
    return changed;
  }

  /** The finished result: system prompt, summary block, then the remaining messages in order. */
  result(stages: CompressStage[]): CompressResult {
    const messages: ChatMessage[] = [];
    const head = this.#layout.systemPromptLength;
    for (let i = 0; i < head; i++) {
      const m = this.#current[i];
      if (m !== null && m !== undefined) messages.push(m);
    }
    if (this.#summary !== undefined) messages.push(summaryBlock(this.#summary.body));
    for (let i = head; i < this.#current.length; i++) {
      const m = this.#current[i];
      if (m !== null && m !== undefined) messages.push(m);
    }
    let dropped = 0;
    let summarized = 0;
    for (const why of this.#removed) {
      if (why === 'dropped') dropped++;
      else if (why === 'summarized') summarized++;
    }
    return {
      messages,
      tokensBefore: this.#tokensBefore,
      tokensAfter: this.#counter.report(this.#total),
      dropped,
      summarized,
      exact: this.#counter.exact,
      stages,
    };
  }
}
