import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

let kernels: Kernel[] = [];
afterEach(async () => {
  await Promise.all(kernels.map((k) => k.close()));
  kernels = [];
});

function conversation(turns: number): ChatMessage[] {
  const out: ChatMessage[] = [
    { role: 'system', content: 'You are the writer. Keep every figure exact.' },
  ];
  for (let i = 0; i < turns; i++) {
    out.push({
      role: 'user',
      content: `Draft section ${i}: revenue in region ${i} was ${1_000 + i * 37} thousand dollars, see /srv/reports/r${i}.csv for details.`,
    });
    out.push({
      role: 'assistant',
      content: `Section ${i} drafted. Revenue for region ${i} stands at ${1_000 + i * 37} thousand dollars; the source file is /srv/reports/r${i}.csv and the owner is Dr. Lee.`,
    });
  }
  return out;
}

describe('kernel.compress', () => {
  it('fits the budget by exact count and charges an LLM summarizer to the agent', async () => {
    const { kernel } = makeKernel({ prices: { 'gpt-4o': { input: 2.5, output: 10 } } });
    kernels.push(kernel);
    kernel.spawn({ id: 'w', maxTokens: 50_000, model: 'gpt-4o' });
    const messages = conversation(30);
    const result = await kernel.compress(messages, {
      model: 'gpt-4o',
      maxTokens: 600,
      agentId: 'w',
      summarizer: async ({ messages: older }) => ({
        summary: `Older sections (${older.length} messages) covered regions 0-20.`,
        usage: { inputTokens: 900, outputTokens: 40 },
      }),
    });
    expect(result.tokensAfter).toBeLessThanOrEqual(600);
    expect((await kernel.tokens.count(result.messages, 'gpt-4o')).tokens).toBe(result.tokensAfter);
    expect(result.messages[0]).toEqual(messages[0]);
    expect(result.messages.at(-1)).toEqual(messages.at(-1));
    expect(kernel.records()).toEqual([
      expect.objectContaining({ agentId: 'w', usage: { inputTokens: 900, outputTokens: 40 } }),
    ]);
  });
});

describe('compactOnWarn', () => {
  it('compacts the context high-water → low-water when the agent is warned, and at once on request', async () => {
    const { kernel } = makeKernel({
      prices: { 'gpt-4o': { input: 2.5, output: 10 } },
      warnThresholds: [0.5],
    });
    kernels.push(kernel);
    const agent = kernel.spawn({ id: 'w', maxTokens: 10_000, model: 'gpt-4o' });
    let context = conversation(12);
    const size = (await kernel.tokens.count(context, 'gpt-4o')).tokens;
    const results: number[] = [];
    let done: () => void = () => undefined;
    let compacted = new Promise<void>((r) => (done = r));
    const stop = kernel.compactOnWarn('w', {
      contextTokens: Math.ceil(size / 0.9),
      read: () => context,
      write: (messages, result) => {
        context = messages;
        results.push(result.tokensAfter);
        done();
      },
    });
    agent.record({ inputTokens: 6_000, outputTokens: 0 });
    await compacted;
    expect(results[0]).toBeLessThanOrEqual(Math.floor(Math.ceil(size / 0.9) * 0.5));
    await stop.settled();
    compacted = new Promise<void>((r) => (done = r));
    context = conversation(12);
    kernel.requestCompaction('w', 'rule: compress');
    await compacted;
    expect(results).toHaveLength(2);
    stop();
    kernel.requestCompaction('w');
    await stop.settled();
    expect(results).toHaveLength(2);
  });

  it('leaves a context below the high-water mark alone on SIGWARN', async () => {
    const { kernel, errors } = makeKernel({
      prices: { 'gpt-4o': { input: 2.5, output: 10 } },
      warnThresholds: [0.5],
    });
    kernels.push(kernel);
    const agent = kernel.spawn({ id: 'w', maxTokens: 10_000, model: 'gpt-4o' });
    let writes = 0;
    let reads = 0;
    const stop = kernel.compactOnWarn('w', {
      contextTokens: 100_000,
      read: () => (reads++, conversation(3)),
      write: () => void writes++,
    });
    agent.record({ inputTokens: 6_000, outputTokens: 0 });
    await stop.settled();
    expect(reads).toBe(1);
    expect(writes).toBe(0);
    expect(errors).toEqual([]);
  });
});
