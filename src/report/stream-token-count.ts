import { StringDecoder } from 'node:string_decoder';
import { invalid, expectId, expectPositiveInt } from '../validate.js';
import { nextSafeCut } from '../tokens/bpe-count.js';
import type { EncodingName } from '../tokens/bpe-count.js';
import { encodingForModel } from '../tokens/model-encoding.js';
import { createTokenCounter, type TokenCounter } from '../tokens/token-counter.js';

/** The token count of a streamed input. */
export interface StreamTokenCount {
  readonly model: string;
  /** Tokens: exact for OpenAI encodings, else an estimate (o200k × the model's margin). */
  readonly tokens: number;
  readonly exact: boolean;
  readonly encoding: EncodingName | 'estimate';
  /** Bytes and UTF-16 code units read. */
  readonly bytes: number;
  readonly characters: number;
}

/** Options of {@link countTokensInStream} and {@link countChatInStream}. */
export interface StreamTokenCountOptions {
  /** The counter to use (left open); one is created and closed when absent. */
  readonly counter?: TokenCounter;
  /** Characters per counted segment. @default 1_048_576 */
  readonly segmentChars?: number;
  /** Segments counted at once (in the counter's worker threads). @default 4 */
  readonly maxInFlight?: number;
  /** Largest chat file accepted by {@link countChatInStream}, in characters. @default 67_108_864 */
  readonly maxChatChars?: number;
}

async function withCounter<T>(
  options: StreamTokenCountOptions,
  run: (counter: TokenCounter) => Promise<T>,
): Promise<T> {
  const counter = options.counter ?? createTokenCounter();
  try {
    return await run(counter);
  } finally {
    if (options.counter === undefined) await counter.close();
  }
}

/**
 * Counts the tokens of a text stream (a file or stdin) for `model` in bounded memory: the text is
 * cut into segments of about `segmentChars` at safe cuts (a space or tab after a non-space, where
 * the BPE pre-tokenizer never joins pieces), so the sum of the segments' counts equals the count
 * of the whole text. Text without any space or tab for long stretches is buffered until one
 * comes. For models without a public tokenizer the count is an estimate (`exact: false`), rounded
 * up per segment.
 * @throws KernelError `INVALID_ARGUMENT` (bad model or option), `WORKER_FAILED` — as rejections
 */
export async function countTokensInStream(
  source: AsyncIterable<Uint8Array | string>,
  model: string,
  options: StreamTokenCountOptions = {},
): Promise<StreamTokenCount> {
  expectId('model', model);
  const segment = expectPositiveInt('segmentChars', options.segmentChars ?? 1_048_576);
  const maxInFlight = expectPositiveInt('maxInFlight', options.maxInFlight ?? 4);
  return withCounter(options, async (counter) => {
    const known = encodingForModel(model);
    let exact = known !== undefined;
    let encoding: EncodingName | 'estimate' = known ?? 'estimate';
    let tokens = 0;
    let bytes = 0;
    let characters = 0;
    const inFlight: Promise<void>[] = [];
    const submit = async (text: string): Promise<void> => {
      characters += text.length;
      const pending = counter.count(text, model).then((count) => {
        tokens += count.tokens;
        exact = count.exact;
        encoding = count.encoding;
      });
      // Handled here so that a failure while the source is read is not an unhandled rejection;
      // it is still thrown where the promise is awaited.
      pending.catch(() => undefined);
      inFlight.push(pending);
      if (inFlight.length >= maxInFlight) await inFlight.shift();
    };
    const decoder = new StringDecoder('utf8');
    let buffer = '';
    /** Where the search for the next safe cut resumes (positions before it have none). */
    let scanned = 0;
    const drain = async (): Promise<void> => {
      while (buffer.length > segment) {
        const cut = nextSafeCut(buffer, Math.max(segment, scanned));
        if (cut >= buffer.length) {
          scanned = buffer.length;
          return;
        }
        await submit(buffer.slice(0, cut));
        buffer = buffer.slice(cut);
        scanned = 0;
      }
    };
    // Every count settles before the counter may close; the first failure is what is thrown.
    let failure: { error: unknown } | undefined;
    try {
      for await (const chunk of source) {
        if (typeof chunk === 'string') {
          bytes += Buffer.byteLength(chunk);
          buffer += chunk;
        } else {
          bytes += chunk.byteLength;
          buffer += decoder.write(chunk);
        }
        await drain();
      }
      buffer += decoder.end();
      if (buffer.length > 0) await submit(buffer);
    } catch (error) {
      failure = { error };
    }
    const rejected = (await Promise.allSettled(inFlight)).find((s) => s.status === 'rejected');
    if (failure !== undefined) throw failure.error;
    if (rejected !== undefined) throw (rejected as PromiseRejectedResult).reason;
    return { model, tokens, exact, encoding, bytes, characters };
  });
}

/**
 * Counts a chat request read from a stream: a JSON array of chat messages, or an object with a
 * `messages` array (an OpenAI request body), including the per-message overhead.
 * @throws KernelError `INVALID_ARGUMENT` (bad JSON, bad messages, input larger than
 *   `maxChatChars`), `WORKER_FAILED` — as rejections
 */
export async function countChatInStream(
  source: AsyncIterable<Uint8Array | string>,
  model: string,
  options: StreamTokenCountOptions = {},
): Promise<StreamTokenCount> {
  expectId('model', model);
  const max = expectPositiveInt('maxChatChars', options.maxChatChars ?? 64 * 1024 * 1024);
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let characters = 0;
  let bytes = 0;
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    characters += text.length;
    if (characters > max)
      invalid('chat input', `at most ${max} characters`, `${characters}+ characters`);
    parts.push(text);
  }
  parts.push(decoder.end());
  let value: unknown;
  try {
    value = JSON.parse(parts.join(''));
  } catch (error) {
    return invalid('chat input', `JSON (${(error as Error).message})`, parts.join('').slice(0, 60));
  }
  const messages =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)['messages']
      : value;
  if (!Array.isArray(messages))
    invalid('chat input', 'an array of chat messages or an object with `messages`', value);
  return withCounter(options, async (counter) => {
    const count = await counter.count(messages, model);
    return { model, ...count, bytes, characters };
  });
}
