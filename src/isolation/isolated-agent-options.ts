import type { SpawnOptions } from '../agents/spawn-options.js';
import type { Invoke } from '../calls/call-types.js';
import { systemClock, type Clock } from '../clock.js';
import { KernelError } from '../errors.js';
import {
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectPositiveInt,
  invalid,
} from '../validate.js';

/** Heap and stack limits of an isolated agent's worker thread (Node `resourceLimits`). */
export interface IsolatedResourceLimits {
  /** Old-generation heap, MB. @default 256 */
  readonly maxOldGenerationSizeMb?: number;
  /** Young-generation heap, MB. @default Node's default */
  readonly maxYoungGenerationSizeMb?: number;
  /** Thread stack, MB. @default Node's default (4) */
  readonly stackSizeMb?: number;
}

/** Options of `spawnIsolated`: the agent's spawn options plus how its worker runs. */
export interface IsolatedAgentOptions extends SpawnOptions {
  /**
   * While the agent is stopped (SIGSTOP, or waiting for a window): its `reserve`/`record`/`call`
   * wait until it may run again (`'wait'`), or `reserve`/`call` reject with
   * `AGENT_NOT_RUNNABLE` (`'reject'`). `commit` and `cancel` never wait. @default 'wait'
   */
  readonly onStop?: 'wait' | 'reject';
  /** The worker's heap limits; past them the worker dies with `ERR_WORKER_OUT_OF_MEMORY`. */
  readonly resourceLimits?: IsolatedResourceLimits;
  /** Input for the module's default export (its second argument); structured-cloned. */
  readonly data?: unknown;
  /**
   * Longest a kernel call of the agent may wait while it is stopped, ms; then it rejects with
   * `AGENT_NOT_RUNNABLE`. @default no limit
   */
  readonly callTimeoutMs?: number;
  /**
   * Longest `ttlMs` the agent may ask for, ms: an isolated agent cannot hold a reservation
   * longer than the kernel would by default. @default 600_000 (the kernel's default
   * `reservationTtlMs`; `kernel.spawnIsolated` passes the kernel's own value)
   */
  readonly maxTtlMs?: number;
  /**
   * Calls the model for the agent's governed `call`s, on the main thread (the agent's code never
   * holds provider credentials). Without it, or when the kernel has no governed `call`, the agent
   * has no `call` method.
   */
  readonly invoke?: Invoke<unknown>;
  /** Time source for `callTimeoutMs`. @default the system clock */
  readonly clock?: Clock;
}

/** Isolation options with every default applied (the spawn options are split off). */
export interface ResolvedIsolatedOptions {
  readonly spawn: SpawnOptions;
  readonly onStop: 'wait' | 'reject';
  readonly resourceLimits: IsolatedResourceLimits;
  readonly data: unknown;
  readonly callTimeoutMs: number | undefined;
  readonly maxTtlMs: number;
  readonly invoke: Invoke<unknown> | undefined;
  readonly clock: Clock;
}

/** The kernel's default `reservationTtlMs`. */
export const DEFAULT_MAX_TTL_MS = 600_000;
/** Default old-generation heap of an isolated agent, MB. */
export const DEFAULT_MAX_OLD_GENERATION_MB = 256;

const ISOLATION_KEYS = new Set([
  'onStop',
  'resourceLimits',
  'data',
  'callTimeoutMs',
  'maxTtlMs',
  'invoke',
  'clock',
]);
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'] as const;

/**
 * Validates the isolation options and splits off the spawn options (which `kernel.spawn`
 * validates). Checks that `data` is structured-cloneable before anything is spawned.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function resolveIsolatedOptions(value: unknown): ResolvedIsolatedOptions {
  const o = expectObject('options', value);
  const spawn: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!ISOLATION_KEYS.has(k)) spawn[k] = v;
  const limits =
    o['resourceLimits'] === undefined ? {} : expectObject('resourceLimits', o['resourceLimits']);
  for (const key of Object.keys(limits))
    if (!(LIMIT_KEYS as readonly string[]).includes(key))
      invalid(`resourceLimits.${key}`, `one of ${LIMIT_KEYS.join(', ')}`, key);
  const resourceLimits: Record<string, number> = {
    maxOldGenerationSizeMb: DEFAULT_MAX_OLD_GENERATION_MB,
  };
  for (const key of LIMIT_KEYS)
    if (limits[key] !== undefined)
      resourceLimits[key] = expectNumberIn(`resourceLimits.${key}`, limits[key], 1, 1_048_576);
  if (o['invoke'] !== undefined && typeof o['invoke'] !== 'function')
    invalid('invoke', 'a function', o['invoke']);
  const clock = o['clock'] === undefined ? systemClock : expectClock(o['clock']);
  if (o['data'] !== undefined) {
    try {
      structuredClone(o['data']);
    } catch (error) {
      throw new KernelError(
        'INVALID_ARGUMENT',
        `Expected \`data\` to be structured-cloneable: ${(error as Error).message}`,
        { cause: error, details: { argument: 'data' } },
      );
    }
  }
  return {
    spawn: spawn as unknown as SpawnOptions,
    onStop:
      o['onStop'] === undefined ? 'wait' : expectOneOf('onStop', o['onStop'], ['wait', 'reject']),
    resourceLimits,
    data: o['data'],
    callTimeoutMs:
      o['callTimeoutMs'] === undefined
        ? undefined
        : expectPositiveInt('callTimeoutMs', o['callTimeoutMs']),
    maxTtlMs:
      o['maxTtlMs'] === undefined
        ? DEFAULT_MAX_TTL_MS
        : expectPositiveInt('maxTtlMs', o['maxTtlMs']),
    invoke: o['invoke'] as Invoke<unknown> | undefined,
    clock,
  };
}

function expectClock(value: unknown): Clock {
  const c = expectObject('clock', value);
  if (
    typeof c['now'] !== 'function' ||
    typeof c['setTimeout'] !== 'function' ||
    typeof c['clearTimeout'] !== 'function'
  )
    invalid('clock', 'a Clock (now, setTimeout, clearTimeout)', value);
  return value as Clock;
}
