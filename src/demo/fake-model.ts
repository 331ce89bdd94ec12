import { countText } from '../tokens/bpe-count.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { Usage } from '../usage.js';
import { logNormal, seededRandom, type Random } from './seeded-random.js';

/** What the fake model is asked. */
export interface FakeModelRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly maxOutputTokens?: number;
}

/** What it answers: text, usage in the inclusive shape, and why it stopped. */
export interface FakeModelResponse {
  readonly output: string;
  readonly usage: Usage;
  readonly finishReason: 'stop' | 'length';
}

const WORDS = (
  'the agent reviewed quarterly revenue figures and found that churn in the enterprise segment rose ' +
  'while expansion revenue offset most of it; next it will compare the forecast against the plan, ' +
  'check the assumptions behind pricing, and draft three options with costs, risks and owners for review'
).split(' ');

/**
 * A deterministic offline chat model for demos and tests: input tokens are counted exactly
 * (o200k) with OpenAI's chat overhead, output length is log-normal around `medianOutput`, and a
 * system prompt it has seen before is billed as a provider cache read.
 */
export class FakeModel {
  readonly #random: Random;
  readonly #medianOutput: number;
  readonly #seenPrefixes = new Set<string>();

  constructor(options: { seed: number; medianOutput?: number }) {
    this.#random = seededRandom(options.seed);
    this.#medianOutput = options.medianOutput ?? 180;
  }

  /** Answers a request (synchronously computed; callers may add latency). */
  invoke(request: FakeModelRequest): FakeModelResponse {
    let input = 3;
    for (const m of request.messages)
      input += 3 + countText(m.content, 'o200k_base') + (m.name === undefined ? 0 : 1);
    const system = request.messages[0]?.role === 'system' ? request.messages[0].content : '';
    const prefixKey = `${request.model}\u0000${system}`;
    const cacheRead =
      system !== '' && this.#seenPrefixes.has(prefixKey) ? countText(system, 'o200k_base') : 0;
    this.#seenPrefixes.add(prefixKey);
    const wanted = Math.max(8, Math.round(logNormal(this.#random, this.#medianOutput, 0.5)));
    const cap = request.maxOutputTokens ?? Infinity;
    // o200k pre-tokenizes at a space before a word, so a text's count is the sum of its words'
    // (each with its leading space): the output can grow one word at a time.
    const words: string[] = [];
    let tokens = 0;
    let i = Math.floor(this.#random.next() * WORDS.length);
    for (;;) {
      const word = WORDS[i++ % WORDS.length] as string;
      const cost = countText(words.length === 0 ? word : ` ${word}`, 'o200k_base');
      if (tokens + cost > Math.min(wanted, cap)) break;
      words.push(word);
      tokens += cost;
    }
    return {
      output: words.join(' '),
      usage: {
        inputTokens: input,
        outputTokens: tokens,
        ...(cacheRead > 0 && { cacheReadTokens: cacheRead }),
      },
      finishReason: wanted > cap ? 'length' : 'stop',
    };
  }
}
