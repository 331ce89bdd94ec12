import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../clock.js';

/** Settings of a {@link SnapshotStream}. */
export interface SnapshotStreamOptions {
  readonly clock: Clock;
  /** Least time between two broadcasts, ms. */
  readonly updateIntervalMs: number;
  /** Time between keep-alive comments, ms. */
  readonly heartbeatMs: number;
  readonly maxClients: number;
  /** Serializes the current state (one line of JSON); called once per broadcast. */
  readonly snapshot: () => string;
  /** Told when `snapshot` throws inside a timer (the broadcast is skipped). */
  readonly onError: (error: unknown) => void;
}

interface Client {
  readonly res: ServerResponse;
  /** The socket's buffer is full: skip broadcasts until it drains. */
  blocked: boolean;
  /** A broadcast was skipped while blocked. */
  missed: boolean;
}

/**
 * Server-sent events carrying whole snapshots: one on connect, then one per change, throttled to
 * at most one per `updateIntervalMs` (changes in between are folded into the next), plus
 * heartbeat comments so proxies keep idle streams open. A slow client is skipped rather than
 * buffered without bound: snapshots supersede each other, so it gets the newest when it drains.
 */
export class SnapshotStream {
  readonly #o: SnapshotStreamOptions;
  readonly #clients = new Set<Client>();
  #lastBroadcast = -Infinity;
  #latest = '';
  #broadcastTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: SnapshotStreamOptions) {
    this.#o = options;
  }

  /** Streams open now. */
  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Starts a stream on `res`; false (nothing written) when `maxClients` are already open.
   * @throws what `snapshot` throws, before writing anything
   */
  accept(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#closed || this.#clients.size >= this.#o.maxClients) return false;
    // Built before anything is written, so a failing snapshot leaves the response untouched.
    const first = `retry: 2000\n${message(this.#o.snapshot())}`;
    const client: Client = { res, blocked: false, missed: false };
    this.#clients.add(client);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    const drop = (): void => this.#drop(client);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      client.blocked = false;
      if (client.missed) {
        client.missed = false;
        this.#send(client, this.#latest);
      }
    });
    this.#send(client, first);
    if (this.#heartbeatTimer === undefined) this.#armHeartbeat();
    return true;
  }

  /** Notes a change: a broadcast happens now or when the throttle allows. */
  changed(): void {
    if (this.#closed || this.#clients.size === 0 || this.#broadcastTimer !== undefined) return;
    const wait = Math.max(0, this.#lastBroadcast + this.#o.updateIntervalMs - this.#o.clock.now());
    // Always through a timer: a change arrives inside a kernel event handler, where reading the
    // kernel's status again must not happen.
    this.#broadcastTimer = this.#o.clock.setTimeout(() => {
      this.#broadcastTimer = undefined;
      this.#broadcast();
    }, wait);
  }

  /** Ends every stream and timer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    for (const client of [...this.#clients]) {
      this.#clients.delete(client);
      client.res.end();
    }
  }

  #broadcast(): void {
    if (this.#clients.size === 0) return;
    this.#lastBroadcast = this.#o.clock.now();
    try {
      this.#latest = message(this.#o.snapshot());
    } catch (error) {
      this.#o.onError(error);
      return;
    }
    for (const client of this.#clients) {
      if (client.blocked) client.missed = true;
      else this.#send(client, this.#latest);
    }
  }

  #armHeartbeat(): void {
    this.#heartbeatTimer = this.#o.clock.setTimeout(() => {
      this.#heartbeatTimer = undefined;
      if (this.#clients.size === 0) return;
      for (const client of this.#clients)
        if (!client.blocked) this.#send(client, ': heartbeat\n\n');
      this.#armHeartbeat();
    }, this.#o.heartbeatMs);
  }

  #send(client: Client, chunk: string): void {
    if (!client.res.writable) return;
    if (!client.res.write(chunk)) client.blocked = true;
  }

  #drop(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size === 0) this.#stopTimers();
  }

  #stopTimers(): void {
    if (this.#broadcastTimer !== undefined) this.#o.clock.clearTimeout(this.#broadcastTimer);
    if (this.#heartbeatTimer !== undefined) this.#o.clock.clearTimeout(this.#heartbeatTimer);
    this.#broadcastTimer = undefined;
    this.#heartbeatTimer = undefined;
  }
}

/** One SSE message; JSON.stringify never emits raw newlines, so one `data:` line suffices. */
function message(json: string): string {
  return `event: snapshot\ndata: ${json}\n\n`;
}
