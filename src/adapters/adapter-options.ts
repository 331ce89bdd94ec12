import type { CallOptions, CallResult } from '../calls/call-types.js';
import { expectId, expectObject, invalid } from '../validate.js';

/** What an adapter reports after each governed call, once it is settled. */
export type GovernedCallOutcome =
  | {
      readonly ok: true;
      /** The settled call: usage booked, cost (nano-USD), model, record, `estimated`. */
      readonly result: CallResult<unknown>;
      readonly stream: boolean;
    }
  | {
      readonly ok: false;
      /** Why the call failed: the SDK's error, an abort, or a kernel refusal. */
      readonly error: unknown;
      readonly stream: boolean;
    };

/** Options shared by every SDK adapter (AI SDK middleware, OpenAI and Anthropic wrappers). */
export interface GovernOptions {
  /** Abort a call in flight (and its stream) when the agent receives SIGSTOP. @default false */
  readonly abortOnStop?: boolean;
  /**
   * Response cache for non-streaming calls (streams are never cached): `true` by the cacheability
   * rules, `false` to bypass, `'force'` to cache even what the rules exclude. Only used when the
   * kernel has a cache. @default true
   */
  readonly cache?: boolean | 'force';
  /** Tenant scope of cache keys. @default the agent's userId, else 'shared' */
  readonly cacheScope?: string;
  /** Model map replacing the kernel's `downgrade` for these calls (false: never downgrade). */
  readonly downgrade?: Readonly<Record<string, string>> | false;
  /**
   * Called once per governed call after it is settled (booked or cancelled), streams included:
   * the place to read a streamed call's cost. It runs synchronously inside the adapter: for a
   * non-streaming call an exception it throws rejects the call (after the usage was booked); for
   * a stream it becomes an unhandled rejection. It must not throw.
   */
  readonly onSettle?: (outcome: GovernedCallOutcome) => void;
}

/**
 * Checks the shared adapter options.
 * @throws KernelError `INVALID_ARGUMENT` naming the option
 */
export function validateGovernOptions(options: unknown, name = 'options'): GovernOptions {
  const o = expectObject(name, options);
  if (o['abortOnStop'] !== undefined && typeof o['abortOnStop'] !== 'boolean')
    invalid(`${name}.abortOnStop`, 'a boolean', o['abortOnStop']);
  const cache = o['cache'];
  if (cache !== undefined && cache !== true && cache !== false && cache !== 'force')
    invalid(`${name}.cache`, "true, false or 'force'", cache);
  if (o['cacheScope'] !== undefined) expectId(`${name}.cacheScope`, o['cacheScope']);
  const downgrade = o['downgrade'];
  if (downgrade !== undefined && downgrade !== false) {
    for (const [from, to] of Object.entries(expectObject(`${name}.downgrade`, downgrade)))
      expectId(`${name}.downgrade.${from}`, to);
  }
  if (o['onSettle'] !== undefined && typeof o['onSettle'] !== 'function')
    invalid(`${name}.onSettle`, 'a function', o['onSettle']);
  return o as GovernOptions;
}

/** The `agent.call` options of one adapter call. */
export function callOptionsOf(
  options: GovernOptions,
  signal: AbortSignal | null | undefined,
  overrides: Partial<CallOptions> = {},
): CallOptions {
  return {
    ...(signal !== null && signal !== undefined && { signal }),
    ...(options.abortOnStop !== undefined && { abortOnStop: options.abortOnStop }),
    ...(options.cache !== undefined && { cache: options.cache }),
    ...(options.cacheScope !== undefined && { cacheScope: options.cacheScope }),
    ...(options.downgrade !== undefined && { downgrade: options.downgrade }),
    ...overrides,
  };
}
