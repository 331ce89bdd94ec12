import type { GovernedAgent } from '../agents/governed-agent.js';
import type { CallRequest } from '../calls/call-types.js';
import type { GovernOptions } from './adapter-options.js';
import { governedCall, replyOf, type ReplyShape } from './governed-call.js';
import { openGovernedStream } from './governed-stream.js';
import { observeSdkStream, type SdkStream } from './sdk-stream.js';
import type { StreamSettlement } from './stream-settlement.js';

/** The part of an SDK call's request options the wrappers touch. */
interface RequestOptionsLike {
  readonly signal?: AbortSignal | null | undefined;
}

/** One SDK `create` call to govern: what the OpenAI and Anthropic wrappers differ in. */
export interface SdkCall<O extends RequestOptionsLike, E> {
  readonly agent: GovernedAgent;
  readonly request: CallRequest;
  readonly options: GovernOptions;
  /** The caller's request options (its `signal` aborts the call). */
  readonly requestOptions: O | undefined;
  /** The SDK method, bound to its client. */
  readonly create: (body: Record<string, unknown>, options: O) => Promise<unknown>;
  /** The body sent for the model and output cap the kernel settled on. */
  readonly body: (
    model: string,
    maxOutputTokens: number,
    streaming: boolean,
  ) => Record<string, unknown>;
  readonly streaming: boolean;
  /** How to read a non-streamed reply. */
  readonly reply: ReplyShape;
  /** Follows a stream's events into its settlement. */
  readonly observe: (settlement: StreamSettlement) => (event: E) => void;
}

/**
 * Runs `call` through the agent: a non-streamed reply through `governedCall`, a stream through
 * `openGovernedStream`, re-wrapped so that every event is observed before the caller sees it.
 */
export function governSdkCall<O extends RequestOptionsLike, E>(
  call: SdkCall<O, E>,
): Promise<unknown> {
  const { agent, request, options, requestOptions, create, body } = call;
  const sdkOptions = (signal: AbortSignal): O => ({ ...requestOptions, signal }) as O;
  if (!call.streaming) {
    return governedCall(agent, request, options, requestOptions?.signal, async (req, ctx) =>
      replyOf(
        await create(body(req.model, req.maxOutputTokens, false), sdkOptions(ctx.signal)),
        call.reply,
      ),
    );
  }
  return openGovernedStream(
    agent,
    request,
    options,
    requestOptions?.signal,
    async (req, settlement, signal) => {
      const stream = (await create(
        body(req.model, req.maxOutputTokens, true),
        sdkOptions(signal),
      )) as SdkStream<E>;
      return observeSdkStream(stream, settlement, call.observe(settlement));
    },
  );
}
