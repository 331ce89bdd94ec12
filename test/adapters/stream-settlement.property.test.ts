import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenKernelMiddleware } from '../../src/adapters/ai-sdk-middleware.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { Outcomes } from './support/outcomes.js';

const PROMPT = 'Tell me a story.';
const INPUT = countChatMessages([{ role: 'user', content: PROMPT }], 'o200k_base');

type Ending =
  | { readonly kind: 'finish'; readonly output: number; readonly cacheRead: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'error'; readonly after: number }
  | { readonly kind: 'cancel'; readonly after: number };

const piece = fc.constantFrom('Once', ' upon', ' a', ' time', ',', ' naïve', ' 🦊', '\n', ' ok');
const ending: fc.Arbitrary<Ending> = fc.oneof(
  fc.record({
    kind: fc.constant('finish' as const),
    output: fc.integer({ min: 0, max: 5_000 }),
    cacheRead: fc.integer({ min: 0, max: 1_000 }),
  }),
  fc.constant({ kind: 'close' as const }),
  fc.record({ kind: fc.constant('error' as const), after: fc.nat(12) }),
  fc.record({ kind: fc.constant('cancel' as const), after: fc.nat(12) }),
);

/** A model stream sending one part per pull, ending as `end` says. */
function modelStream(
  pieces: readonly string[],
  end: Ending,
): ReadableStream<LanguageModelV3StreamPart> {
  const queue: LanguageModelV3StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...pieces.map((delta): LanguageModelV3StreamPart => ({ type: 'text-delta', id: 't', delta })),
  ];
  if (end.kind === 'finish')
    queue.push(
      { type: 'text-end', id: 't' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: {
            total: 1_000,
            noCache: 1_000 - end.cacheRead,
            cacheRead: end.cacheRead,
            cacheWrite: 0,
          },
          outputTokens: { total: end.output, text: end.output, reasoning: 0 },
        },
      },
    );
  let sentText = 0;
  return new ReadableStream(
    {
      pull(controller) {
        const next = queue.shift();
        if (end.kind === 'error' && next?.type === 'text-delta' && sentText === end.after) {
          controller.error(new Error('connection reset'));
          return;
        }
        if (next === undefined) {
          if (end.kind === 'error') controller.error(new Error('connection reset'));
          else controller.close();
          return;
        }
        if (next.type === 'text-delta') sentText++;
        controller.enqueue(next);
      },
    },
    { highWaterMark: 0 },
  );
}

describe('governed stream settlement (property)', () => {
  it('settles every stream exactly once, with its usage or with input + the output delivered, never leaking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), ending, async (pieces, end) => {
        const { kernel } = makeKernel({ totalBudget: 1_000_000 });
        try {
          const outcomes = new Outcomes();
          const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
          const model = new MockLanguageModelV3({
            modelId: 'gpt-4o',
            doStream: async () => ({ stream: modelStream(pieces, end) }),
          });
          const wrapped = wrapLanguageModel({
            model,
            middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
          });
          const { stream } = await wrapped.doStream({
            prompt: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
          });
          const reader = stream.getReader();
          const delivered: string[] = [];
          for (;;) {
            if (end.kind === 'cancel' && delivered.length === end.after) {
              await reader.cancel('stop');
              break;
            }
            const next = await reader.read().catch(() => undefined);
            if (next === undefined || next.done) break;
            if (next.value.type === 'text-delta') delivered.push(next.value.delta);
          }
          await outcomes.next();
          await Promise.resolve();
          expect(outcomes.all).toHaveLength(1);
          expect(kernel.status().reservations).toBe(0);
          const records = kernel.records();
          expect(records).toHaveLength(1);
          const seen = delivered.reduce((n, p) => n + countText(p, 'o200k_base'), 0);
          if (end.kind === 'finish') {
            expect(records[0]?.usage).toMatchObject({
              inputTokens: 1_000,
              outputTokens: end.output,
              cacheReadTokens: end.cacheRead,
            });
          } else {
            expect(records[0]?.usage).toEqual({ inputTokens: INPUT, outputTokens: seen });
            expect(records[0]?.costNano).toBeGreaterThan(0);
          }
        } finally {
          await kernel.close();
        }
      }),
      { numRuns: 60, seed: 20_240_611 },
    );
  });
});
