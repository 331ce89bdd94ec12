import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../clock.js';
import {
  expectId,
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectPositiveInt,
  invalid,
} from '../../validate.js';
import type { FailMode, LeaseSizing } from '../shared-store.js';
import type { RedisClientLike } from './redis-connection.js';

/** Options of {@link createRedisStore}. Give `url` or `client`. */
export interface RedisStoreOptions {
  /** Server URL, e.g. `redis://127.0.0.1:6379`. The store connects and closes it. */
  readonly url?: string;
  /** A node-redis client (`createClient()` of `redis` v5+); the store does not close it. */
  readonly client?: RedisClientLike;
  /** Prefix of every key and channel: processes with the same namespace share one pool. @default 'token-kernel' */
  readonly namespace?: string;
  /** This process's id in Redis. @default host:pid:random */
  readonly processId?: string;
  /** A lease lives this long without a heartbeat; a crashed process's leases come back after it, ms. @default 30_000 */
  readonly leaseTtlMs?: number;
  /** Lease sizing: the process's burn over `horizonMs`, clamped to [min, max] and to `maxShare` of the limit. */
  readonly lease?: {
    /** @default 1_000 */
    readonly minTokens?: number;
    /** @default 1_000_000 */
    readonly maxTokens?: number;
    /** @default 0.001 */
    readonly minUsd?: number;
    /** @default 10 */
    readonly maxUsd?: number;
    /** @default 0.1 */
    readonly maxShare?: number;
    /** @default 2_000 */
    readonly horizonMs?: number;
  };
  /**
   * While Redis is unreachable: `closed` refuses what the leases in hand cannot cover
   * (`STORE_UNAVAILABLE`); `open` allows one more lease's worth locally, with a warning. One mode
   * for all, or per budget (limit name, `pool`, `*` for the rest). @default 'closed'
   */
  readonly failMode?: FailMode | Readonly<Record<string, FailMode>>;
  /** Records are sent at most this long after they are booked, ms. @default 5 */
  readonly flushIntervalMs?: number;
  /** How long `close()` waits for unsent records, ms. @default 5_000 */
  readonly closeTimeoutMs?: number;
  /** How long `kernel.ready` waits for Redis before failing with `STORE_UNAVAILABLE`, ms. @default 10_000 */
  readonly connectTimeoutMs?: number;
  /** Timers of the store. @default the system clock */
  readonly clock?: Clock;
}

/** {@link RedisStoreOptions} with defaults applied. */
export interface ResolvedRedisStoreOptions {
  readonly target: string | RedisClientLike;
  readonly namespace: string;
  readonly processId: string;
  readonly leaseTtlMs: number;
  readonly sizing: LeaseSizing;
  readonly failMode: (name: string) => FailMode;
  readonly flushIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
}

const KNOWN = new Set([
  'url',
  'client',
  'namespace',
  'processId',
  'leaseTtlMs',
  'lease',
  'failMode',
  'flushIntervalMs',
  'closeTimeoutMs',
  'connectTimeoutMs',
  'clock',
]);
const MODES: readonly FailMode[] = ['closed', 'open'];

/** Validates the options. @throws KernelError `INVALID_ARGUMENT` */
export function resolveRedisStoreOptions(value: unknown): ResolvedRedisStoreOptions {
  const o = expectObject('options', value);
  for (const key of Object.keys(o))
    if (!KNOWN.has(key)) invalid(`options.${key}`, `one of ${[...KNOWN].join(', ')}`, key);
  const url = o['url'];
  const client = o['client'];
  if ((url === undefined) === (client === undefined))
    invalid('options.url or options.client', 'exactly one of them', { url, client });
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url)))
    invalid('options.url', 'a redis:// or rediss:// URL', url);
  if (
    client !== undefined &&
    (typeof client !== 'object' ||
      client === null ||
      typeof (client as RedisClientLike).sendCommand !== 'function')
  )
    invalid('options.client', 'a node-redis client', client);
  const lease = o['lease'] === undefined ? {} : expectObject('options.lease', o['lease']);
  const maxShare =
    lease['maxShare'] === undefined
      ? 0.1
      : expectNumberIn('options.lease.maxShare', lease['maxShare'], 0, 1);
  const usd = (name: string, fallback: number): number => {
    const v = lease[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      invalid(`options.lease.${name}`, 'a positive number of US dollars', v);
    return v;
  };
  const int = (
    source: Record<string, unknown>,
    name: string,
    fallback: number,
    prefix = 'options',
  ): number =>
    source[name] === undefined ? fallback : expectPositiveInt(`${prefix}.${name}`, source[name]);
  const sizing: LeaseSizing = {
    minTokens: int(lease, 'minTokens', 1_000, 'options.lease'),
    maxTokens: int(lease, 'maxTokens', 1_000_000, 'options.lease'),
    minNano: Math.round(usd('minUsd', 0.001) * 1e9),
    maxNano: Math.round(usd('maxUsd', 10) * 1e9),
    maxShare: maxShare === 0 ? invalid('options.lease.maxShare', 'a share in (0, 1]', 0) : maxShare,
    horizonMs: int(lease, 'horizonMs', 2_000, 'options.lease'),
  };
  if (sizing.minTokens > sizing.maxTokens)
    invalid('options.lease.minTokens', `at most maxTokens (${sizing.maxTokens})`, sizing.minTokens);
  if (sizing.minNano > sizing.maxNano)
    invalid(
      'options.lease.minUsd',
      `at most maxUsd (${sizing.maxNano / 1e9})`,
      sizing.minNano / 1e9,
    );
  return {
    target: (url as string | undefined) ?? (client as RedisClientLike),
    namespace:
      o['namespace'] === undefined ? 'token-kernel' : expectId('options.namespace', o['namespace']),
    processId:
      o['processId'] === undefined
        ? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
        : expectId('options.processId', o['processId']),
    leaseTtlMs: int(o, 'leaseTtlMs', 30_000),
    sizing,
    failMode: failModeOf(o['failMode']),
    flushIntervalMs: int(o, 'flushIntervalMs', 5),
    closeTimeoutMs: int(o, 'closeTimeoutMs', 5_000),
    connectTimeoutMs: int(o, 'connectTimeoutMs', 10_000),
    clock: (o['clock'] as Clock | undefined) ?? systemClock,
  };
}

function failModeOf(value: unknown): (name: string) => FailMode {
  if (value === undefined) return () => 'closed';
  if (typeof value === 'string') {
    const mode = expectOneOf('options.failMode', value, MODES);
    return () => mode;
  }
  const map = expectObject('options.failMode', value);
  const modes = new Map<string, FailMode>();
  for (const [name, mode] of Object.entries(map))
    modes.set(name, expectOneOf(`options.failMode.${name}`, mode, MODES));
  const fallback = modes.get('*') ?? 'closed';
  return (name) => modes.get(name) ?? fallback;
}
