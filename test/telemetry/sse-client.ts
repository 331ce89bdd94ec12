import { request, type IncomingMessage } from 'node:http';
import type { DashboardSnapshot } from '../../src/telemetry/dashboard-snapshot.js';

/** One parsed item of an event stream. */
export type StreamItem =
  | { readonly kind: 'snapshot'; readonly snapshot: DashboardSnapshot }
  | { readonly kind: 'comment'; readonly text: string };

/** A minimal server-sent-events reader for tests: items in arrival order, awaited one by one. */
export class SseClient {
  readonly response: IncomingMessage;
  readonly #items: StreamItem[] = [];
  readonly #waiters: Array<(item: StreamItem | undefined) => void> = [];
  #buffer = '';
  #ended = false;
  readonly #destroy: () => void;

  private constructor(response: IncomingMessage, destroy: () => void) {
    this.response = response;
    this.#destroy = destroy;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.#feed(chunk));
    response.on('end', () => this.#end());
    response.on('error', () => this.#end());
    response.on('close', () => this.#end());
  }

  /** Opens `url` and resolves once the response headers arrive. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } });
      req.on('response', (res) => resolve(new SseClient(res, () => req.destroy())));
      req.on('error', reject);
      req.end();
    });
  }

  /** The next item, or undefined when the stream ended first. */
  next(): Promise<StreamItem | undefined> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next snapshot, skipping comments. */
  async nextSnapshot(): Promise<DashboardSnapshot> {
    for (;;) {
      const item = await this.next();
      if (item === undefined) throw new Error('stream ended before a snapshot');
      if (item.kind === 'snapshot') return item.snapshot;
    }
  }

  /** Resolves when the server ends the stream. */
  async ended(): Promise<void> {
    while ((await this.next()) !== undefined);
  }

  /** Drops the connection from the client side. */
  close(): void {
    this.#destroy();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    for (let cut = this.#buffer.indexOf('\n\n'); cut >= 0; cut = this.#buffer.indexOf('\n\n')) {
      const block = this.#buffer.slice(0, cut);
      this.#buffer = this.#buffer.slice(cut + 2);
      this.#parse(block);
    }
  }

  #parse(block: string): void {
    let event = 'message';
    let data: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.#push({ kind: 'comment', text: line.slice(1).trim() });
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (data !== undefined && event === 'snapshot')
      this.#push({ kind: 'snapshot', snapshot: JSON.parse(data) as DashboardSnapshot });
  }

  #push(item: StreamItem): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(item);
    else this.#items.push(item);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }
}
