import { isKernelError, type KernelErrorCode } from '../errors.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { CompressOptions, CompressResult } from './compress-options.js';
import { planCompression, type SummaryRequest } from './compression-plan.js';

/**
 * A task for the summarize worker: `compress` runs the whole pipeline; `plan` stops where a
 * summary is needed and returns what to summarize (for an LLM summarizer on the main thread);
 * `finish` replays the same deterministic plan and completes it with that summary.
 */
export type SummarizeTask =
  | {
      readonly kind: 'compress' | 'plan';
      readonly messages: readonly ChatMessage[];
      readonly options: CompressOptions;
    }
  | {
      readonly kind: 'finish';
      readonly messages: readonly ChatMessage[];
      readonly options: CompressOptions;
      readonly summary: string;
    };

/** A {@link KernelError} as it crosses the thread boundary (structured clone drops its class). */
export interface SerializedKernelError {
  readonly code: KernelErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The worker's answer: a result, a summary request, or an expected error. */
export type SummarizeReply =
  | { readonly ok: true; readonly result: CompressResult }
  | { readonly ok: true; readonly request: SummaryRequest }
  | { readonly ok: false; readonly error: SerializedKernelError };

/**
 * Runs one {@link SummarizeTask}. Expected errors (`INVALID_ARGUMENT`, `BUDGET_EXCEEDED`) come
 * back as values so their code survives the thread boundary; anything else is thrown and counts
 * as a worker failure.
 */
export function runSummarizeTask(task: SummarizeTask): SummarizeReply {
  try {
    const plan = planCompression(task.messages, task.options);
    if (plan.kind === 'done') return { ok: true, result: plan.result };
    if (task.kind === 'plan') return { ok: true, request: plan.request };
    return { ok: true, result: plan.finish(task.kind === 'finish' ? task.summary : undefined) };
  } catch (error) {
    if (!isKernelError(error)) throw error;
    return {
      ok: false,
      error: { code: error.code, message: error.message, details: { ...error.details } },
    };
  }
}
