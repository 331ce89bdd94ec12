import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { Clock, TimerHandle } from '../../clock.js';
import { KernelError } from '../../errors.js';

/** The part of a node-redis client (`redis` v5+) the store uses. */
export interface RedisClientLike {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): RedisClientLike;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  close(): Promise<unknown>;
  /** Drops the connection at once (no reconnecting). */
  destroy?(): void;
}

/** A Lua script, run by hash (EVALSHA) and loaded on the first NOSCRIPT (a restarted server). */
export class RedisScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/**
 * One connection for commands and one for pub/sub. Commands are refused at once while the server
 * is unreachable (never queued behind a reconnect), so the kernel can apply its fail mode.
 */
export class RedisConnection {
  readonly #client: RedisClientLike;
  readonly #owned: boolean;
  #subscriber: RedisClientLike | undefined;
  readonly #onAvailability: (available: boolean) => void;
  #wasReady = false;

  /**
   * @param target a URL (`redis://127.0.0.1:6379`) or a node-redis client (not closed by the store)
   * @param onAvailability called when the command connection becomes ready or is lost
   */
  constructor(target: string | RedisClientLike, onAvailability: (available: boolean) => void) {
    this.#onAvailability = onAvailability;
    if (typeof target === 'string') {
      this.#client = createClient({
        url: target,
        disableOfflineQueue: true,
        socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
      }) as unknown as RedisClientLike;
      this.#owned = true;
    } else {
      this.#client = target;
      this.#owned = false;
    }
    // Without an 'error' listener node-redis would throw connection errors at the process.
    this.#client.on('error', () => this.#changed());
    this.#client.on('ready', () => this.#changed());
    this.#client.on('end', () => this.#changed());
    this.#client.on('reconnecting', () => this.#changed());
  }

  get available(): boolean {
    return this.#client.isReady;
  }

  /**
   * Connects both connections, loads `scripts` and subscribes `channel`.
   * @throws KernelError `STORE_UNAVAILABLE` when Redis cannot be reached within `timeoutMs`
   */
  async open(
    channel: string,
    onMessage: (message: string) => void,
    scripts: readonly RedisScript[],
    timeoutMs: number,
    clock: Clock,
  ): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () =>
          reject(
            new KernelError(
              'STORE_UNAVAILABLE',
              `Could not reach Redis within ${timeoutMs} ms (connectTimeoutMs)`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.#open(channel, onMessage, scripts), timeout]);
    } catch (error) {
      // Stop the reconnect loop of what the store made; a caller's client stays the caller's.
      if (this.#owned) this.#client.destroy?.();
      this.#subscriber?.destroy?.();
      this.#subscriber = undefined;
      throw error;
    } finally {
      clock.clearTimeout(timer);
    }
    this.#changed();
  }

  async #open(
    channel: string,
    onMessage: (message: string) => void,
    scripts: readonly RedisScript[],
  ): Promise<void> {
    try {
      if (!this.#client.isOpen) await this.#client.connect();
      // Loaded up front, so a burst of pipelined calls does not all miss the script cache.
      await Promise.all(scripts.map((s) => this.#client.sendCommand(['SCRIPT', 'LOAD', s.source])));
      const sub = this.#client.duplicate();
      this.#subscriber = sub;
      sub.on('error', () => undefined);
      await sub.connect();
      await sub.subscribe(channel, onMessage);
    } catch (error) {
      throw new KernelError('STORE_UNAVAILABLE', `Could not connect to Redis: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** Runs a script. @throws KernelError `STORE_UNAVAILABLE` while unreachable or on a failed call */
  async run(
    script: RedisScript,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    if (!this.#client.isReady)
      throw new KernelError('STORE_UNAVAILABLE', 'Redis is unreachable (reconnecting)');
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#client.sendCommand(['EVALSHA', script.sha, ...tail]);
    } catch (error) {
      if (String(error).includes('NOSCRIPT')) {
        try {
          return await this.#client.sendCommand(['EVAL', script.source, ...tail]);
        } catch (again) {
          throw unavailable(again);
        }
      }
      throw unavailable(error);
    }
  }

  /** Closes what the store opened (the subscriber always; the client when it made it). */
  async close(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    await Promise.allSettled([
      sub?.isOpen === true ? sub.close() : undefined,
      this.#owned && this.#client.isOpen ? this.#client.close() : undefined,
    ]);
  }

  #changed(): void {
    const ready = this.#client.isReady;
    if (ready === this.#wasReady) return;
    this.#wasReady = ready;
    this.#onAvailability(ready);
  }
}

function unavailable(error: unknown): KernelError {
  if (error instanceof KernelError) return error;
  return new KernelError('STORE_UNAVAILABLE', `Redis call failed: ${String(error)}`, {
    cause: error,
  });
}
