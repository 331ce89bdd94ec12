import { systemClock, type Clock } from '../clock.js';
import { expectNumberIn, expectObject, invalid, isTokenCount } from '../validate.js';
import type { AlertEvent, AlertSink } from './alert-event.js';

/** Options of {@link webhookSink}. */
export interface WebhookSinkOptions {
  /** An `http:` or `https:` URL that alerts are POSTed to as JSON. */
  readonly url: string | URL;
  /** How long one attempt may take, headers and body included, ms. @default 5_000 */
  readonly timeoutMs?: number;
  /** Attempts after the first one, on a network error, a timeout, 408, 429 or 5xx. @default 3 */
  readonly retries?: number;
  /** Wait before the first retry, ms; doubled before each further one. @default 500 */
  readonly backoffMs?: number;
  /** The longest wait between attempts, ms. @default 30_000 */
  readonly maxBackoffMs?: number;
  /** Extra request headers (`content-type: application/json` is always sent). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Alerts waiting at most; a newer one beyond it is dropped and counted. @default 1_000 */
  readonly maxQueue?: number;
  /** Turns an alert into the JSON body (a chat tool's payload, …). @default the alert itself */
  readonly format?: (alert: AlertEvent) => unknown;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Times the timeouts and the waits between attempts. @default the system clock */
  readonly clock?: Clock;
  /** Told about every alert given up on (after its retries) or dropped (queue full). */
  readonly onError?: (error: Error, alert: AlertEvent) => void;
}

/** Delivery counters of a {@link WebhookSink}. */
export interface WebhookStats {
  /** Alerts waiting or being delivered. */
  readonly pending: number;
  readonly delivered: number;
  /** Alerts given up on after their retries, or refused with a non-retryable status. */
  readonly failed: number;
  /** Alerts dropped because the queue was full. */
  readonly dropped: number;
  /** HTTP requests made. */
  readonly attempts: number;
  /** Attempts that were retries. */
  readonly retries: number;
  /** Attempts that timed out. */
  readonly timeouts: number;
  /** The last failure, in words. */
  readonly lastError?: string;
}

/** An alert sink that POSTs to a webhook in the background. */
export interface WebhookSink extends AlertSink {
  /** Queues the alert and returns at once; delivery happens in the background, in order. */
  deliver(alert: AlertEvent): void;
  /** Resolves when every queued alert was delivered or given up on. */
  drain(): Promise<void>;
  stats(): WebhookStats;
}

/**
 * An alert sink that POSTs each alert as JSON to `url`, one at a time and in order, with a
 * timeout per attempt and bounded retries with exponential backoff. It never blocks the kernel:
 * `deliver` only queues (bounded; overflow is dropped and counted), and the HTTP work runs on
 * the event loop.
 * @throws KernelError `INVALID_ARGUMENT` for a bad option
 * @example
 * const hook = webhookSink({ url: 'https://hooks.example.com/budget', retries: 5 });
 * createRuleEngine(kernel, rules, { sinks: [hook] });
 */
export function webhookSink(options: WebhookSinkOptions): WebhookSink {
  return new WebhookDelivery(options);
}

class WebhookDelivery implements WebhookSink {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #headers: Record<string, string>;
  readonly #maxQueue: number;
  readonly #format: (alert: AlertEvent) => unknown;
  readonly #fetch: typeof globalThis.fetch;
  readonly #clock: Clock;
  readonly #onError: ((error: Error, alert: AlertEvent) => void) | undefined;
  readonly #queue: AlertEvent[] = [];
  readonly #idle: Array<() => void> = [];
  #running = false;
  #delivered = 0;
  #failed = 0;
  #dropped = 0;
  #attempts = 0;
  #retried = 0;
  #timeouts = 0;
  #lastError: string | undefined;

  constructor(options: WebhookSinkOptions) {
    expectObject('options', options);
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      invalid('url', 'an http: or https: URL', options.url);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      invalid('url', 'an http: or https: URL', options.url);
    this.#url = url.href;
    this.#timeoutMs = expectNumberIn('timeoutMs', options.timeoutMs ?? 5_000, 1, 600_000);
    this.#retries = count('retries', options.retries ?? 3, 100);
    this.#backoffMs = expectNumberIn('backoffMs', options.backoffMs ?? 500, 0, 3_600_000);
    this.#maxBackoffMs = expectNumberIn(
      'maxBackoffMs',
      options.maxBackoffMs ?? 30_000,
      0,
      3_600_000,
    );
    this.#maxQueue = count('maxQueue', options.maxQueue ?? 1_000, 10_000_000);
    if (this.#maxQueue === 0) invalid('maxQueue', 'a positive integer', 0);
    const headers = options.headers ?? {};
    expectObject('headers', headers);
    for (const [name, value] of Object.entries(headers))
      if (typeof value !== 'string') invalid(`headers.${name}`, 'a string', value);
    this.#headers = { ...headers, 'content-type': 'application/json' };
    this.#format = fn('format', options.format) ?? ((alert) => alert);
    const f = fn('fetch', options.fetch) ?? globalThis.fetch;
    if (typeof f !== 'function') invalid('fetch', 'a fetch function (none is global here)', f);
    this.#fetch = f;
    this.#clock = options.clock ?? systemClock;
    this.#onError = fn('onError', options.onError);
  }

  deliver(alert: AlertEvent): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.#dropped++;
      this.#fail(new Error(`webhook queue full (${this.#maxQueue}); alert dropped`), alert);
      return;
    }
    this.#queue.push(alert);
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  drain(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): WebhookStats {
    return {
      pending: this.#queue.length,
      delivered: this.#delivered,
      failed: this.#failed,
      dropped: this.#dropped,
      attempts: this.#attempts,
      retries: this.#retried,
      timeouts: this.#timeouts,
      ...(this.#lastError !== undefined && { lastError: this.#lastError }),
    };
  }

  async #run(): Promise<void> {
    // Starts after the caller's synchronous work: delivery never runs inside a kernel call.
    await Promise.resolve();
    for (let alert = this.#queue[0]; alert !== undefined; alert = this.#queue[0]) {
      try {
        await this.#send(alert);
      } catch (error) {
        this.#failed++;
        this.#fail(error instanceof Error ? error : new Error(String(error)), alert);
      }
      this.#queue.shift();
    }
    this.#running = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Delivers one alert with retries; throws the last error when it gives up. */
  async #send(alert: AlertEvent): Promise<void> {
    const body = JSON.stringify(this.#format(alert));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        this.#retried++;
        const wait = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (attempt - 1));
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, wait));
      }
      const outcome = await this.#attempt(body);
      if (outcome === undefined) {
        this.#delivered++;
        return;
      }
      this.#lastError = outcome.error.message;
      if (!outcome.retry || attempt >= this.#retries) throw outcome.error;
    }
  }

  /** One POST under the timeout: undefined when delivered, else the error and whether to retry. */
  async #attempt(body: string): Promise<{ error: Error; retry: boolean } | undefined> {
    this.#attempts++;
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: controller.signal,
      });
      // Read the body so the connection can be reused; a body cut off after a 2xx still counts.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return undefined;
      const s = response.status;
      return {
        error: new Error(`webhook answered HTTP ${s}`),
        retry: s >= 500 || s === 408 || s === 429,
      };
    } catch (error) {
      if (timedOut) {
        this.#timeouts++;
        return { error: new Error(`webhook timed out after ${this.#timeoutMs} ms`), retry: true };
      }
      const message = error instanceof Error ? error.message : String(error);
      return {
        error: new Error(`webhook request failed: ${message}`, { cause: error }),
        retry: true,
      };
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  #fail(error: Error, alert: AlertEvent): void {
    this.#lastError = error.message;
    if (this.#onError === undefined) return;
    try {
      this.#onError(error, alert);
    } catch {
      // A failing error callback must not stop the delivery loop.
    }
  }
}

function count(name: string, value: unknown, max: number): number {
  if (!isTokenCount(value) || value > max) invalid(name, `an integer from 0 to ${max}`, value);
  return value;
}

function fn<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(name, 'a function', value);
  return value;
}
