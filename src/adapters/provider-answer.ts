/**
 * A provider's response carried through `agent.call`. Its JSON form is the answer's text only, so
 * that the kernel's fallback output count (used when the provider reported no usage) and the
 * response cache's size estimate see the answer, not the response envelope (ids, timestamps,
 * headers). The adapters unwrap it before returning.
 */
export class ProviderAnswer<T> {
  readonly #response: T;
  readonly #text: string;

  constructor(response: T, text: string) {
    this.#response = response;
    this.#text = text;
  }

  /** The SDK's response object. */
  get response(): T {
    return this.#response;
  }

  /** The text the model produced (content, refusals, tool-call arguments). */
  get text(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.#text;
  }
}

/**
 * The response a governed call resolved, safe to hand to the caller: a cache hit is a deep copy,
 * so that a caller mutating it cannot change what later hits return.
 */
export function unwrapAnswer<T>(answer: ProviderAnswer<T>, cached: boolean): T {
  if (!cached) return answer.response;
  try {
    return structuredClone(answer.response);
  } catch {
    // Not cloneable (a class instance with functions): the shared object is the best we have.
    return answer.response;
  }
}
