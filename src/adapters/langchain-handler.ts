import type { NewTokenIndices } from '@langchain/core/callbacks/base';
import type { CallbackHandlerMethods } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { GovernedAgent } from '../agents/governed-agent.js';
import type { Reservation } from '../agents/reservation.js';
import { classifyFailure } from '../calls/call-failure.js';
import { fromLangChain } from '../pricing/adapters/from-langchain.js';
import { countText } from '../tokens/bpe-count.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import type { Usage } from '../usage.js';
import { expectId, expectObject, expectPositiveInt, invalid } from '../validate.js';
import { estimateInput, type InputCounter } from './input-estimate.js';
import {
  isAbortError,
  langChainMessages,
  langChainResult,
  langChainRunInfo,
} from './langchain-shapes.js';
import { tryUsage } from './try-usage.js';

/** Options of {@link TokenKernelCallbackHandler}. */
export interface TokenKernelCallbackHandlerOptions {
  /** Model id to count and price with. @default the run's `ls_model_name` / `invocation_params.model`, else the agent's model */
  readonly model?: string;
  /** Output tokens reserved for a model that declares no output limit. @default 1024 */
  readonly defaultMaxOutputTokens?: number;
  /**
   * A callback cannot lower the model's output limit. `false`: a run whose declared limit does
   * not fit the budget is refused before the model runs (spend stays under every hard limit);
   * `true`: reserve what fits and let the run proceed (its actual usage is booked, possibly past
   * a limit, which then stops the agent). @default false
   */
  readonly overcommit?: boolean;
  /**
   * Input counter; pass `kernel.tokens` to share (and feed, for models without a public
   * tokenizer) its calibrated margins. @default OpenAI's chat rule (×1.25 for other models)
   */
  readonly tokens?: InputCounter & Partial<Pick<TokenCounter, 'calibrate'>>;
}

interface Run {
  readonly reservation: Reservation;
  readonly model: string;
  readonly input: number;
  readonly exact: boolean;
  seen: number;
  /** Stops listening to the run's abort signal. */
  readonly detach: () => void;
  /** True when the run's abort signal fired. */
  readonly aborted: () => boolean;
}

/**
 * A LangChain.js callback handler that governs chat-model (and LLM) runs through one agent:
 * `handleChatModelStart` reserves the counted input + the declared output limit before the model
 * runs (a refusal — `BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE` — propagates and stops the call);
 * `handleLLMEnd` commits the usage of the generations' `message.usage_metadata` (cache reads and
 * writes, reasoning; `llmOutput.tokenUsage` is ignored, unreliable when streaming), or input +
 * the output text when the model reports none; `handleLLMError` cancels when the error shows the
 * model never ran (a 4xx), else books the input plus the tokens streamed so far
 * (`handleLLMNewToken`; integrations report a chunk's token after yielding it, so the chunk read
 * just before an abort may be missed). An abort through the run's `signal` settles the same way
 * as soon as it fires (`.stream()` rejects aborted runs without calling `handleLLMError`).
 * Reservations are keyed by run id, so concurrent and batched runs are kept apart.
 *
 * It is awaited (`awaitHandlers`) and raises (`raiseError`) so the reservation happens before the
 * call and a refusal stops it. It implements LangChain's handler interface structurally (with a
 * `name`, LangChain uses it as is), so `@langchain/core` stays an optional peer. A run abandoned
 * without `handleLLMEnd`/`handleLLMError` (a consumer breaking out of `.stream()`) is released
 * when its reservation's TTL expires.
 * @example
 * const handler = new TokenKernelCallbackHandler(agent, { tokens: kernel.tokens });
 * await chat.invoke('Summarize Q3', { callbacks: [handler] });
 */
export class TokenKernelCallbackHandler implements CallbackHandlerMethods {
  readonly name = 'token_kernel';
  /** LangChain awaits the handler, so reservations precede the model call. */
  readonly awaitHandlers = true;
  /** A refusal thrown at run start stops the run. */
  readonly raiseError = true;
  readonly ignoreLLM = false;
  readonly ignoreChain = true;
  readonly ignoreAgent = true;
  readonly ignoreRetriever = true;
  readonly ignoreCustomEvent = true;
  readonly #agent: GovernedAgent;
  readonly #options: TokenKernelCallbackHandlerOptions;
  readonly #defaultMax: number;
  readonly #runs = new Map<string, Run>();

  /** @throws KernelError `INVALID_ARGUMENT` on a bad option */
  constructor(agent: GovernedAgent, options: TokenKernelCallbackHandlerOptions = {}) {
    const o = expectObject('options', options);
    if (o['model'] !== undefined) expectId('options.model', o['model']);
    this.#defaultMax =
      o['defaultMaxOutputTokens'] === undefined
        ? 1_024
        : expectPositiveInt('options.defaultMaxOutputTokens', o['defaultMaxOutputTokens']);
    if (o['overcommit'] !== undefined && typeof o['overcommit'] !== 'boolean')
      invalid('options.overcommit', 'a boolean', o['overcommit']);
    if (options.tokens !== undefined && typeof options.tokens.countSync !== 'function')
      invalid('options.tokens', 'a token counter with `countSync` (kernel.tokens)', options.tokens);
    this.#agent = agent;
    this.#options = options;
  }

  /** Runs reserved and not yet settled. */
  get openRuns(): number {
    return this.#runs.size;
  }

  handleChatModelStart(
    _llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.#start(runId, langChainMessages(messages), extraParams, metadata);
  }

  handleLLMStart(
    _llm: Serialized,
    prompts: string[],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    const messages = prompts.map((content): ChatMessage => ({ role: 'user', content }));
    this.#start(runId, messages, extraParams, metadata);
  }

  handleLLMNewToken(token: string, _idx: NewTokenIndices, runId: string): void {
    const run = this.#runs.get(runId);
    if (run !== undefined && typeof token === 'string' && token.length > 0)
      run.seen += countText(token, 'o200k_base');
  }

  handleLLMEnd(output: LLMResult, runId: string): void {
    const run = this.#take(runId);
    if (run === undefined) return;
    const result = langChainResult(output);
    const reported = tryUsage(fromLangChain, result.usage);
    const usage: Usage = reported ?? {
      inputTokens: run.input,
      outputTokens: Math.max(run.seen, countText(result.text, 'o200k_base')),
    };
    run.reservation.commit(usage);
    if (reported !== undefined && !run.exact)
      this.#options.tokens?.calibrate?.(run.model, run.input, reported.inputTokens);
  }

  handleLLMError(error: unknown, runId: string): void {
    const run = this.#take(runId);
    if (run === undefined) return;
    const kind = classifyFailure(error, {
      aborted: isAbortError(error) || run.aborted(),
      outputSeen: run.seen > 0,
    });
    if (kind === 'never-ran') run.reservation.cancel();
    else
      run.reservation.commit({
        inputTokens: run.input,
        outputTokens: kind === 'cut-short' ? run.seen : 0,
      });
  }

  #start(runId: string, messages: ChatMessage[], extraParams: unknown, metadata: unknown): void {
    const signal = (extraParams as { options?: { signal?: unknown } } | undefined)?.options?.signal;
    // Aborted before the model was called: its request can never reach the provider.
    if (signal instanceof AbortSignal && signal.aborted) return;
    const info = langChainRunInfo(extraParams, metadata);
    const model = this.#options.model ?? info.model ?? this.#agent.model;
    if (model === undefined)
      invalid('model', 'a model id (from the run, `options.model` or the agent)', model);
    const input = estimateInput(messages, model, this.#options.tokens);
    let output = info.maxOutputTokens ?? this.#defaultMax;
    if (this.#options.overcommit === true) {
      const room = this.#agent.headroom({ model, inputTokens: input.tokens }).maxOutputTokens;
      // At least one token: a budget that cannot pay for one is refused by `reserve`.
      output = Math.max(1, Math.min(output, room));
    }
    const reservation = this.#agent.reserve({
      model,
      inputTokens: input.tokens,
      maxOutputTokens: output,
    });
    this.#take(runId)?.reservation.cancel();
    // LangChain's `.stream()` rejects an aborted run without calling handleLLMError: settle on
    // the run's own signal (the call options LangChain passes to the handler) instead.
    const onAbort = (): void =>
      this.handleLLMError(signal instanceof AbortSignal ? signal.reason : undefined, runId);
    if (signal instanceof AbortSignal) signal.addEventListener('abort', onAbort, { once: true });
    const detach = (): void => {
      if (signal instanceof AbortSignal) signal.removeEventListener('abort', onAbort);
    };
    this.#runs.set(runId, {
      reservation,
      model,
      input: input.tokens,
      exact: input.exact,
      seen: 0,
      detach,
      aborted: () => signal instanceof AbortSignal && signal.aborted,
    });
  }

  #take(runId: string): Run | undefined {
    const run = this.#runs.get(runId);
    if (run === undefined) return undefined;
    this.#runs.delete(runId);
    run.detach();
    return run;
  }
}
