import type { GovernedAgent } from '../agents/governed-agent.js';
import { fromAISDK } from '../pricing/adapters/from-ai-sdk.js';
import { expectId, invalid } from '../validate.js';
import { validateGovernOptions, type GovernOptions } from './adapter-options.js';
import { aiSdkFinish, aiSdkMessages } from './ai-sdk-shapes.js';
import { observePartStream, type StreamPartLike } from './ai-sdk-stream.js';
import { callRequestOf, tokenCount } from './call-request.js';
import { contentText } from './content-text.js';
import { governedCall } from './governed-call.js';
import { openGovernedStream } from './governed-stream.js';
import { estimateInput, type InputCounter } from './input-estimate.js';
import { tryUsage } from './try-usage.js';

/** The call options the middleware reads (a structural subset of `LanguageModelV3CallOptions`/`V4`). */
export interface AISDKCallOptionsLike {
  readonly prompt: readonly unknown[];
  readonly maxOutputTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly tools?: readonly unknown[] | undefined;
  readonly abortSignal?: AbortSignal | undefined;
}

/** The model fields the middleware reads (`LanguageModelV3`/`V4`). */
export interface AISDKModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/** A generate result (`LanguageModelV3GenerateResult`/`V4`). */
export interface AISDKGenerateResultLike {
  readonly content: readonly unknown[];
  readonly usage: unknown;
  readonly finishReason: unknown;
}

/** A stream result (`LanguageModelV3StreamResult`/`V4`). */
export interface AISDKStreamResultLike {
  readonly stream: ReadableStream<StreamPartLike>;
}

/**
 * The middleware {@link tokenKernelMiddleware} returns: structurally a `LanguageModelV3Middleware`
 * (ai@6) or, with `specificationVersion: 'v4'`, a `LanguageModelV4Middleware` (ai@7). Its methods
 * are generic over the SDK's own types, so it is assignable to either without importing them.
 */
export interface TokenKernelMiddleware<V extends 'v3' | 'v4' = 'v3'> {
  readonly specificationVersion: V;
  transformParams<P extends AISDKCallOptionsLike>(options: {
    type: 'generate' | 'stream';
    params: P;
    model: AISDKModelLike;
  }): PromiseLike<P>;
  wrapGenerate<P extends AISDKCallOptionsLike, R extends AISDKGenerateResultLike>(options: {
    doGenerate: () => PromiseLike<R>;
    params: P;
    model: AISDKModelLike & { doGenerate(params: P): PromiseLike<R> };
  }): PromiseLike<R>;
  wrapStream<P extends AISDKCallOptionsLike, R extends AISDKStreamResultLike>(options: {
    doStream: () => PromiseLike<R>;
    params: P;
    model: AISDKModelLike & { doStream(params: P): PromiseLike<R> };
  }): PromiseLike<R>;
}

/** Options of {@link tokenKernelMiddleware}. */
export interface TokenKernelMiddlewareOptions extends Omit<GovernOptions, 'downgrade'> {
  /** Model id to count and price with (an Azure deployment's real model, say). @default the model's `modelId` */
  readonly model?: string;
  /**
   * Synchronous counter for the `transformParams` cap; pass `kernel.tokens` to share its
   * calibrated margins. @default OpenAI's chat rule (exact for OpenAI models, ×1.25 otherwise)
   */
  readonly tokens?: InputCounter;
  /** `'v3'` for ai@6 (`LanguageModelV3Middleware`), `'v4'` for ai@7. @default 'v3' */
  readonly specificationVersion?: 'v3' | 'v4';
}

/**
 * Vercel AI SDK middleware that governs every call of a wrapped model through `agent`:
 *
 * - `transformParams` lowers `maxOutputTokens` to what every budget of the agent can still pay
 *   (a request without one is left alone: the governed call sets the cap);
 * - `wrapGenerate` runs `doGenerate` through `agent.call`: input counted, input + output
 *   reserved, the response cache consulted, the model called with the final cap and the call's
 *   abort signal, and its usage committed (`fromAISDK`: cache reads and writes, reasoning);
 * - `wrapStream` reserves the same way, passes every part through, counts text, reasoning and
 *   tool-input deltas, and settles on the `finish` part's usage; a stream that closes early,
 *   errors, is aborted (`abortSignal`) or cancelled by its consumer settles with the input and
 *   the output seen — never $0 — and an error before the stream opens is classified (a 4xx
 *   `APICallError` cancels, anything else books the input). No reservation leaks.
 *
 * The model is called as `model.doGenerate`/`doStream` with the governed parameters (not the
 * `doGenerate`/`doStream` thunks, which would send the uncapped ones). Kernel downgrades do not
 * apply (the wrapped model is fixed); streams are never cached. The AI SDK is never imported.
 *
 * ai@7 (`LanguageModelV4`) needs Node ≥ 22 and is not tested here (Node 20); its middleware has
 * the same shape and usage type, so `tokenKernelMiddleware(agent, { specificationVersion: 'v4' })`
 * is passed to ai@7's `wrapLanguageModel` the same way.
 * @throws KernelError `INVALID_ARGUMENT` on a bad option; calls of the wrapped model reject with
 *   the provider's error or a KernelError (`BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE`,
 *   `UNKNOWN_MODEL`, `ABORTED`)
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: tokenKernelMiddleware(agent) });
 * const { text } = await generateText({ model, prompt: 'Summarize Q3.', maxOutputTokens: 800 });
 */
export function tokenKernelMiddleware(
  agent: GovernedAgent,
  options?: TokenKernelMiddlewareOptions & { readonly specificationVersion?: 'v3' },
): TokenKernelMiddleware<'v3'>;
/** The ai@7 middleware (`LanguageModelV4Middleware`), same behaviour. */
export function tokenKernelMiddleware(
  agent: GovernedAgent,
  options: TokenKernelMiddlewareOptions & { readonly specificationVersion: 'v4' },
): TokenKernelMiddleware<'v4'>;
export function tokenKernelMiddleware(
  agent: GovernedAgent,
  options: TokenKernelMiddlewareOptions = {},
): TokenKernelMiddleware<'v3' | 'v4'> {
  validateGovernOptions(options);
  if (options.model !== undefined) expectId('options.model', options.model);
  if (options.tokens !== undefined && typeof options.tokens.countSync !== 'function')
    invalid('options.tokens', 'a token counter with `countSync` (kernel.tokens)', options.tokens);
  const version = options.specificationVersion ?? 'v3';
  if (version !== 'v3' && version !== 'v4')
    invalid('options.specificationVersion', "'v3' or 'v4'", version);
  const governOptions = { ...options, downgrade: false } as const;
  const modelIdOf = (model: AISDKModelLike): string => options.model ?? model.modelId;
  const requestOf = (params: AISDKCallOptionsLike, model: AISDKModelLike) =>
    callRequestOf(
      { ...(params as unknown as Record<string, unknown>), provider: model.provider },
      {
        model: modelIdOf(model),
        messages: aiSdkMessages(params.prompt, params.tools),
        maxOutputTokens: tokenCount(params.maxOutputTokens),
      },
    );

  return {
    specificationVersion: version,

    async transformParams({ params, model }) {
      const declared = tokenCount(params.maxOutputTokens);
      if (declared === undefined) return params;
      const modelId = modelIdOf(model);
      const input = estimateInput(
        aiSdkMessages(params.prompt, params.tools),
        modelId,
        options.tokens,
      );
      const room = agent.headroom({ model: modelId, inputTokens: input.tokens }).maxOutputTokens;
      // Below one token the governed call refuses with BUDGET_EXCEEDED, naming the limit.
      return declared <= room || room < 1 ? params : { ...params, maxOutputTokens: room };
    },

    wrapGenerate({ params, model }) {
      return governedCall(
        agent,
        requestOf(params, model),
        governOptions,
        params.abortSignal,
        async (req, ctx) => {
          const result = await model.doGenerate({
            ...params,
            maxOutputTokens: req.maxOutputTokens,
            abortSignal: ctx.signal,
          });
          return {
            response: result,
            text: contentText(result.content),
            usage: tryUsage(fromAISDK, result.usage),
            finishReason: aiSdkFinish(result.finishReason),
          };
        },
      );
    },

    wrapStream({ params, model }) {
      return openGovernedStream(
        agent,
        requestOf(params, model),
        governOptions,
        params.abortSignal,
        async (req, settlement, signal) => {
          const result = await model.doStream({
            ...params,
            maxOutputTokens: req.maxOutputTokens,
            abortSignal: signal,
          });
          return { ...result, stream: observePartStream(result.stream, settlement) };
        },
      );
    },
  };
}
