import type { UsageRecord } from '../budget/usage-record.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { Usage } from '../usage.js';

/** A governed call's request: the model, the messages, and any other model parameters. */
export interface CallRequest {
  /** Defaults to the agent's `model`. */
  readonly model?: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  /** Output cap; without it the kernel reserves a learned estimate (p95 of this task and model). */
  readonly maxOutputTokens?: number;
  readonly [param: string]: unknown;
}

/** The request as sent to `invoke`: model resolved (maybe downgraded), output capped to the budget. */
export interface ResolvedCallRequest extends CallRequest {
  readonly model: string;
  readonly maxOutputTokens: number;
}

/** What `invoke` gets besides the request. */
export interface InvokeContext {
  /** Aborted by the caller's signal, or by SIGSTOP with `abortOnStop`. Pass it to the SDK. */
  readonly signal: AbortSignal;
  /** Reports streamed output text as it arrives, so a call cut short settles with what was seen. */
  output(text: string): void;
  /** Reports streamed output tokens directly (instead of text). */
  outputTokens(tokens: number): void;
}

/** What `invoke` resolves. Without `usage`, the kernel settles with its own count (marked estimated). */
export interface InvokeResult<T> {
  readonly output: T;
  readonly usage?: Usage;
  /** `stop`, `length`, `content-filter`, `error`, … (a cut-off or filtered answer is not cached). */
  readonly finishReason?: string;
}

/** Calls the model. */
export type Invoke<T> = (
  request: ResolvedCallRequest,
  context: InvokeContext,
) => Promise<InvokeResult<T>>;

/** Options of `agent.call`. */
export interface CallOptions {
  /** Aborts the call; it settles as cut short (input + output seen), never as $0. */
  readonly signal?: AbortSignal;
  /** Abort the call in flight when the agent receives SIGSTOP. @default false */
  readonly abortOnStop?: boolean;
  /** `true`: by the cacheability rules; `false`: bypass; `'force'`: cache even a call the rules exclude. @default true */
  readonly cache?: boolean | 'force';
  /** Tenant scope of the cache key: calls share answers only within a scope. @default the agent's userId, else 'shared' */
  readonly cacheScope?: string;
  /** Model map for this call, replacing the kernel's `downgrade` (false: never downgrade). */
  readonly downgrade?: Readonly<Record<string, string>> | false;
}

/** What `agent.call` resolves. */
export interface CallResult<T> {
  readonly output: T;
  readonly usage: Usage;
  /** Served by the response cache (or by another agent's identical call in flight): cost 0. */
  readonly cached: boolean;
  readonly costNano: number;
  /** The model actually called (after any downgrade). */
  readonly model: string;
  readonly record: UsageRecord;
  readonly finishReason?: string;
  /** True when `invoke` reported no usage and the kernel settled with its own count. */
  readonly estimated: boolean;
}

/** A response kept in the cache. */
export interface CachedResponse {
  readonly output: unknown;
  readonly usage: Usage;
  readonly finishReason: string | undefined;
  readonly model: string;
  readonly costNano: number;
}
