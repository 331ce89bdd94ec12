import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressMessages } from '../../src/compress/compress-messages.js';
import type { CompressOptions, CompressResult } from '../../src/compress/compress-options.js';
import { countMessagesExact } from '../../src/compress/count-messages.js';
import { SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import { isKernelError } from '../../src/errors.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { encodingForModel } from '../../src/tokens/model-encoding.js';
import { conversationCase, fraction, type ConversationCase } from './conversation-arbitrary.js';
import { protectedIndices, systemPromptLength, toolPairs } from './protected-oracle.js';

const RUNS = { numRuns: 150, seed: 20260105 };

function count(messages: readonly ChatMessage[], c: ConversationCase): number {
  const encoding = encodingForModel(c.model);
  if (encoding !== undefined) return countMessagesExact(messages, encoding);
  return Math.ceil(countMessagesExact(messages, 'o200k_base') * c.margin);
}

/** Options for a case: a budget between the protected size and the whole, or below protected. */
function optionsFor(c: ConversationCase): { options: CompressOptions; protectedTokens: number } {
  const keep = protectedIndices(c.messages, c.keepRecent, c.pinned);
  const protectedTokens = count(
    c.messages.filter((_, i) => keep.has(i)),
    c,
  );
  const total = count(c.messages, c);
  const maxTokens =
    c.belowProtected !== undefined
      ? Math.max(1, Math.floor(protectedTokens * c.belowProtected))
      : Math.max(1, protectedTokens + Math.floor(c.budgetAt * (total - protectedTokens)));
  const options: CompressOptions = {
    model: c.model,
    maxTokens,
    keepRecent: c.keepRecent,
    pinned: c.pinned,
    margin: c.margin,
    summaryMaxShare: c.summaryMaxShare,
  };
  return { options, protectedTokens };
}

function run(c: ConversationCase): {
  result?: CompressResult;
  error?: unknown;
  options: CompressOptions;
  protectedTokens: number;
} {
  const { options, protectedTokens } = optionsFor(c);
  try {
    return { result: compressMessages(c.messages, options), options, protectedTokens };
  } catch (error) {
    return { error, options, protectedTokens };
  }
}

const json = (m: ChatMessage) => JSON.stringify(m);
const isNewSummary = (m: ChatMessage, input: readonly ChatMessage[]) =>
  m.role === 'system' &&
  m.content.startsWith(SUMMARY_MARKER) &&
  !input.some((x) => json(x) === json(m));

describe('compressMessages properties', () => {
  it('meets the budget by exact count, or refuses only when the protected messages alone exceed it', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const { result, error, options, protectedTokens } = run(c);
        if (error !== undefined) {
          expect(isKernelError(error, 'BUDGET_EXCEEDED')).toBe(true);
          expect(protectedTokens).toBeGreaterThan(options.maxTokens);
          return;
        }
        const r = result as CompressResult;
        expect(protectedTokens).toBeLessThanOrEqual(options.maxTokens);
        expect(r.tokensAfter).toBe(count(r.messages, c));
        expect(r.tokensAfter).toBeLessThanOrEqual(options.maxTokens);
        expect(r.tokensBefore).toBe(count(c.messages, c));
        expect(r.exact).toBe(encodingForModel(c.model) !== undefined);
      }),
      RUNS,
    );
  });

  it('returns the system prompt, last user message, last keepRecent turns and pinned messages byte-identical and in order', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const { result } = run(c);
        if (result === undefined) return;
        const keep = [...protectedIndices(c.messages, c.keepRecent, c.pinned)].sort(
          (a, b) => a - b,
        );
        const out = result.messages.map(json);
        let at = 0;
        for (const i of keep) {
          const want = json(c.messages[i] as ChatMessage);
          while (at < out.length && out[at] !== want) at++;
          expect(at, `protected message ${i} missing or out of order`).toBeLessThan(out.length);
          at++;
        }
        const prompt = c.messages.slice(0, systemPromptLength(c.messages)).map(json);
        expect(out.slice(0, prompt.length)).toEqual(prompt);
      }),
      RUNS,
    );
  });

  it('keeps or removes each tool call together with its results, in order', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const { result } = run(c);
        if (result === undefined) return;
        const out = result.messages;
        const declaredAt = new Map<string, number>();
        const answeredAt = new Map<string, number>();
        out.forEach((m, i) => {
          for (const call of m.tool_calls ?? []) declaredAt.set(call.id, i);
          if (m.role === 'tool' && m.tool_call_id !== undefined) answeredAt.set(m.tool_call_id, i);
        });
        for (const [, t] of toolPairs(c.messages)) {
          const id = c.messages[t]?.tool_call_id as string;
          expect(declaredAt.has(id), `pair ${id}`).toBe(answeredAt.has(id));
          if (declaredAt.has(id))
            expect(declaredAt.get(id) as number).toBeLessThan(answeredAt.get(id) as number);
        }
      }),
      RUNS,
    );
  });

  it('invents no message: the output is the input in order, plus at most one new summary block', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const { result } = run(c);
        if (result === undefined) return;
        const summaries = result.messages.filter((m) => isNewSummary(m, c.messages));
        expect(summaries.length).toBeLessThanOrEqual(1);
        let at = 0;
        for (const m of result.messages) {
          if (isNewSummary(m, c.messages)) continue;
          // Only a tool output's content may change (lossless pass); everything else is verbatim.
          const same = (x: ChatMessage) =>
            m.role === 'tool'
              ? x.role === 'tool' && x.tool_call_id === m.tool_call_id
              : json(x) === json(m);
          while (at < c.messages.length && !same(c.messages[at] as ChatMessage)) at++;
          expect(at).toBeLessThan(c.messages.length);
          at++;
        }
        expect(result.messages.length).toBe(
          c.messages.length - result.dropped - result.summarized + summaries.length,
        );
        expect(summaries.length === 1).toBe(result.stages.includes('summary'));
      }),
      RUNS,
    );
  });

  it('returns a conversation already under budget unchanged, and its own output unchanged', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const { result, options } = run(c);
        if (result === undefined) return;
        if (result.tokensBefore <= options.maxTokens) {
          expect(result.messages).toEqual(c.messages);
          expect(result.stages).toEqual([]);
        }
        const { pinned: _pinned, ...again } = options;
        const second = compressMessages(result.messages, again);
        expect(second.messages).toEqual(result.messages);
        expect(second.stages).toEqual([]);
        expect(second.tokensAfter).toBe(result.tokensAfter);
      }),
      RUNS,
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(conversationCase, (c) => {
        const a = run(c);
        const b = run(c);
        expect(b.result).toEqual(a.result);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('re-summarizes an earlier summary instead of nesting blocks', () => {
    fc.assert(
      fc.property(conversationCase, fraction(0.3, 0.9), (c, shrink) => {
        const unpinned = { ...c, pinned: [] };
        const first = run(unpinned);
        if (first.result === undefined) return;
        const { pinned: _p, ...options } = first.options;
        let second: CompressResult;
        try {
          second = compressMessages(first.result.messages, {
            ...options,
            maxTokens: Math.max(1, Math.floor(first.result.tokensAfter * shrink)),
          });
        } catch (error) {
          expect(isKernelError(error, 'BUDGET_EXCEEDED')).toBe(true);
          return;
        }
        const blocks = second.messages.filter((m) => m.content.includes(SUMMARY_MARKER));
        expect(blocks.length).toBeLessThanOrEqual(1);
        for (const m of blocks) expect(m.content.indexOf(SUMMARY_MARKER, 1)).toBe(-1);
      }),
      { ...RUNS, numRuns: 80 },
    );
  });
});
