import { invalid } from '../validate.js';
import type { StreamSettlement } from './stream-settlement.js';

/** The part of the OpenAI and Anthropic SDKs' `Stream` class the wrappers rely on. */
export interface SdkStream<Item> extends AsyncIterable<Item> {
  controller: AbortController;
}

/** The item type of an async iterable. */
type ItemOf<S> = S extends AsyncIterable<infer Item> ? Item : never;

type SdkStreamClass<Item> = new (
  iterator: () => AsyncIterator<Item>,
  controller: AbortController,
) => SdkStream<Item>;

/**
 * A new SDK `Stream` of the same class over `stream` (so `tee()`, `toReadableStream()` and
 * `controller` keep working) that shows every item to `observe` before yielding it and settles
 * the call: `end` when the source ends, `fail` when it throws, `cancel` when the consumer stops
 * early (`break`, which also aborts the HTTP request as the SDK does). The SDK class is taken from
 * the instance, so the wrappers never import the SDK.
 * @throws KernelError `INVALID_ARGUMENT` when `stream` is not an SDK stream
 */
export function observeSdkStream<S extends SdkStream<unknown>>(
  stream: S,
  settlement: StreamSettlement,
  observe: (item: ItemOf<S>) => void,
): S {
  if (
    stream === null ||
    typeof stream !== 'object' ||
    !(stream.controller instanceof AbortController) ||
    typeof stream[Symbol.asyncIterator] !== 'function'
  ) {
    invalid('stream', 'an SDK Stream (async iterable with a `controller`)', stream);
  }
  async function* iterate(): AsyncGenerator<ItemOf<S>> {
    let ended = false;
    try {
      for await (const item of stream as AsyncIterable<ItemOf<S>>) {
        observe(item);
        yield item;
      }
      ended = true;
      settlement.end();
    } catch (error) {
      ended = true;
      settlement.fail(error);
      throw error;
    } finally {
      if (!ended) settlement.cancel();
    }
  }
  const StreamClass = stream.constructor as SdkStreamClass<ItemOf<S>>;
  return new StreamClass(() => iterate(), stream.controller) as S;
}
