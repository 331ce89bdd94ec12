import { fromAISDK } from '../pricing/adapters/from-ai-sdk.js';
import { aiSdkFinish } from './ai-sdk-shapes.js';
import type { StreamSettlement } from './stream-settlement.js';
import { tryUsage } from './try-usage.js';

/** The fields of an AI SDK stream part the middleware reads. */
export interface StreamPartLike {
  readonly type: string;
}

type Part = Readonly<Record<string, unknown>>;

/**
 * The model's part stream, passed through unchanged while it feeds the settlement: text,
 * reasoning and tool-input deltas are counted as output (a tool call that arrives whole, without
 * deltas, counts its input); the `finish` part settles with its usage (an estimate when the usage
 * cannot be mapped); the stream closing without `finish` or erroring settles with the input and
 * the output seen; a consumer `cancel` settles the same way and cancels the model's stream.
 * Pull-based (`highWaterMark` 0): nothing is read ahead of the consumer.
 */
export function observePartStream<P extends StreamPartLike>(
  source: ReadableStream<P>,
  settlement: StreamSettlement,
): ReadableStream<P> {
  const reader = source.getReader();
  const streamedToolInputs = new Set<unknown>();
  const observe = (part: Part): void => {
    switch (part['type']) {
      case 'text-delta':
      case 'reasoning-delta':
        settlement.text(part['delta']);
        break;
      case 'tool-input-start':
        streamedToolInputs.add(part['id']);
        settlement.text(part['toolName']);
        break;
      case 'tool-input-delta':
        settlement.text(part['delta']);
        break;
      case 'tool-call':
        if (!streamedToolInputs.has(part['toolCallId'])) {
          settlement.text(part['toolName']);
          settlement.text(part['input']);
        }
        break;
      case 'finish':
        settlement.finish(tryUsage(fromAISDK, part['usage']), aiSdkFinish(part['finishReason']));
        break;
    }
  };
  return new ReadableStream<P>(
    {
      async pull(controller) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error) {
          settlement.fail(error);
          controller.error(error);
          return;
        }
        if (next.done) {
          settlement.end();
          controller.close();
          return;
        }
        observe(next.value as unknown as Part);
        controller.enqueue(next.value);
      },
      async cancel(reason) {
        settlement.cancel(reason);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
