import { KernelError } from '../errors.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { CompressOptions, CompressResult, CompressStage } from './compress-options.js';
import { resolveCompressOptions, validateChatMessages } from './compress-options.js';
import { layoutConversation } from './conversation-layout.js';
import { createMessageCounter, REPLY_PRIMING_TOKENS } from './count-messages.js';
import { summarizeExtractive } from './extractive-summary.js';
import { losslessPass } from './lossless-pass.js';
import { isLowSignal } from './low-signal.js';
import { CompressionWork, MIN_SUMMARY_TOKENS } from './compression-work.js';
import { summarySources } from './summary-sources.js';

/** Smallest allowance, in tokens, for a tool output before it is cut in the middle. */
const MIN_HUGE_TOKENS = 256;
/** A single unprotected tool output may use at most this share of the budget uncut. */
const HUGE_SHARE = 1 / 8;

/** What an LLM summarizer is asked to summarize, and in how many tokens. */
export interface SummaryRequest {
  /** The older messages being replaced (an earlier summary block among them). */
  readonly messages: ChatMessage[];
  /** Tokens available for the summary text (reported units). */
  readonly maxTokens: number;
}

/** A compression either finished, or waiting for a summary of `request`. */
export type CompressionPlan =
  | { readonly kind: 'done'; readonly result: CompressResult }
  | {
      readonly kind: 'summarize';
      readonly request: SummaryRequest;
      /**
       * Completes the compression with `summary` (an LLM's text, cut to fit), or with the
       * extractive summary when omitted. Call it once.
       */
      finish(summary?: string): CompressResult;
    };

/**
 * Runs the compression pipeline up to the point where a summary is needed: validation, the
 * under-budget shortcut, the lossless pass, dropping low-signal messages, and choosing which
 * older atoms to summarize and the summary's token allowance. Pure and deterministic.
 * @throws KernelError `INVALID_ARGUMENT` for bad input, `BUDGET_EXCEEDED` when the protected
 * messages alone exceed `maxTokens`
 */
export function planCompression(
  messages: readonly ChatMessage[],
  options: CompressOptions,
): CompressionPlan {
  validateChatMessages(messages);
  const o = resolveCompressOptions(messages, options);
  const counter = createMessageCounter(o.model, o.margin);
  const budget = counter.rawBudget(o.maxTokens);
  const tokens = messages.map((m) => counter.message(m));
  const rawBefore = tokens.reduce((sum, t) => sum + t, REPLY_PRIMING_TOKENS);
  const tokensBefore = counter.report(rawBefore);
  if (tokensBefore <= o.maxTokens) {
    const result: CompressResult = {
      messages: [...messages],
      tokensBefore,
      tokensAfter: tokensBefore,
      dropped: 0,
      summarized: 0,
      exact: counter.exact,
      stages: [],
    };
    return { kind: 'done', result };
  }

  const layout = layoutConversation(messages, o.keepRecent, o.pinned);
  const protectedRaw = tokens.reduce(
    (sum, t, i) => (layout.isProtected[i] === true ? sum + t : sum),
    REPLY_PRIMING_TOKENS,
  );
  if (protectedRaw > budget) {
    const needed = counter.report(protectedRaw);
    throw new KernelError(
      'BUDGET_EXCEEDED',
      `Cannot compress to \`maxTokens\` ${o.maxTokens}: the messages that must stay (system prompt, last user message, last ${o.keepRecent} turns, pinned) need ${needed} tokens`,
      { details: { limit: 'maxTokens', maxTokens: o.maxTokens, protectedTokens: needed } },
    );
  }

  const work = new CompressionWork(messages, tokens, layout, counter, tokensBefore);
  const stages: CompressStage[] = [];
  const huge = Math.max(MIN_HUGE_TOKENS, Math.floor(budget * HUGE_SHARE));
  const lossless = losslessPass(messages, layout.isProtected, tokens, huge, counter);
  for (const i of lossless.changed) work.replace(i, lossless.messages[i] as ChatMessage);
  if (lossless.changed.length > 0) stages.push('lossless');
  if (work.total() <= budget) return { kind: 'done', result: work.result(stages) };

  let droppedAny = false;
  for (const atom of layout.atoms) {
    const only = atom.length === 1 ? (atom[0] as number) : -1;
    const message = work.current(only);
    if (message !== null && !layout.isProtected[only] && isLowSignal(message)) {
      work.remove(only, 'dropped');
      droppedAny = true;
    }
  }
  if (droppedAny) stages.push('drop');
  if (work.total() <= budget) return { kind: 'done', result: work.result(stages) };

  // The oldest atoms are summarized: as few as leave room for the verbatim rest plus a summary
  // of the summarized part (capped by summaryMaxShare).
  const candidates = layout.atoms
    .map((_, a) => a)
    .filter((a) => work.atomTokens(a) > 0 && !work.isAtomProtected(a));
  const base = work.total() - candidates.reduce((sum, a) => sum + work.atomTokens(a), 0);
  const cap = Math.floor(o.summaryMaxShare * budget);
  const overhead = work.blockOverhead();
  let verbatim = work.total() - base;
  let estimate = 0;
  let k = 0;
  while (k < candidates.length) {
    if (k > 0 && base + verbatim + Math.min(cap, overhead + estimate) <= budget) break;
    const tokensOfAtom = work.atomTokens(candidates[k] as number);
    verbatim -= tokensOfAtom;
    estimate += tokensOfAtom;
    k++;
  }
  const summarized = candidates.slice(0, k);
  const contentBudget = Math.min(cap, budget - base - verbatim) - overhead;
  if (contentBudget < MIN_SUMMARY_TOKENS) {
    // No room for a useful summary: remove only as many of the oldest atoms as the budget needs.
    work.fit(budget);
    stages.push('truncate');
    return { kind: 'done', result: work.result(stages) };
  }

  const { sources, request } = summarySources(work, summarized, lossless.omitted);
  const finish = (summary?: string): CompressResult => {
    let body: string;
    let cut = false;
    if (summary === undefined) {
      const extractive = summarizeExtractive(sources, contentBudget, counter.encoding);
      body = extractive.body;
      cut = extractive.truncated;
    } else {
      body = work.cutSummary(summary, contentBudget);
    }
    for (const a of summarized) work.removeAtom(a, body.length > 0 ? 'summarized' : 'dropped');
    const finalStages = [...stages];
    if (body.length > 0) {
      work.setSummary(body);
      finalStages.push('summary');
    }
    if (cut || body.length === 0) finalStages.push('truncate');
    if (work.fit(budget) && !finalStages.includes('truncate')) finalStages.push('truncate');
    return work.result(finalStages);
  };
  const reported = counter.exact ? contentBudget : Math.floor(contentBudget * o.margin);
  return { kind: 'summarize', request: { messages: request, maxTokens: reported }, finish };
}
