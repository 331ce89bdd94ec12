import type { GovernedAgent } from '../agents/governed-agent.js';
import type {
  CallRequest,
  CallResult,
  InvokeContext,
  ResolvedCallRequest,
} from '../calls/call-types.js';
import type { Usage } from '../usage.js';
import { callOptionsOf, type GovernOptions } from './adapter-options.js';
import { ProviderAnswer, unwrapAnswer } from './provider-answer.js';

/** What an adapter's provider call returns to {@link governedCall}. */
export interface ProviderReply<R> {
  readonly response: R;
  /** The answer's text, counted when the provider reported no usage. */
  readonly text: string;
  readonly usage: Usage | undefined;
  readonly finishReason: string | undefined;
}

/** How to read one SDK's non-streaming response: its text, its usage, why it stopped. */
export interface ReplyShape {
  readonly text: (response: unknown) => string;
  readonly usage: (response: unknown) => Usage | undefined;
  readonly finish: (response: unknown) => string | undefined;
}

/** Reads a non-streaming SDK response into a {@link ProviderReply}. */
export function replyOf<R>(response: R, shape: ReplyShape): ProviderReply<R> {
  return {
    response,
    text: shape.text(response),
    usage: shape.usage(response),
    finishReason: shape.finish(response),
  };
}

/**
 * Runs one non-streaming provider call through `agent.call` (count → reserve with the output cap
 * → cache → call → commit) and returns the SDK's response, a deep copy on a cache hit. Reports
 * the outcome to `options.onSettle`.
 * @throws (rejects) what `agent.call` rejects: the SDK's error, or a KernelError
 *   (`BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE`, `UNKNOWN_MODEL`, `ABORTED`, `INVALID_ARGUMENT`)
 */
export async function governedCall<R>(
  agent: GovernedAgent,
  request: CallRequest,
  options: GovernOptions,
  signal: AbortSignal | null | undefined,
  call: (request: ResolvedCallRequest, context: InvokeContext) => Promise<ProviderReply<R>>,
): Promise<R> {
  let result: CallResult<ProviderAnswer<R>>;
  try {
    result = await agent.call(
      request,
      async (resolved, context) => {
        const reply = await call(resolved, context);
        return {
          output: new ProviderAnswer(reply.response, reply.text),
          ...(reply.usage !== undefined && { usage: reply.usage }),
          ...(reply.finishReason !== undefined && { finishReason: reply.finishReason }),
        };
      },
      callOptionsOf(options, signal),
    );
  } catch (error) {
    options.onSettle?.({ ok: false, error, stream: false });
    throw error;
  }
  options.onSettle?.({ ok: true, result, stream: false });
  return unwrapAnswer(result.output, result.cached);
}
