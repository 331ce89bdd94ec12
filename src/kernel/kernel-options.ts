import { validateLimitSpec, validateThresholds } from '../budget/limit-registry.js';
import type { LimitSpec } from '../budget/limit-spec.js';
import { validateTimeZone } from '../budget/period.js';
import { systemClock, type Clock } from '../clock.js';
import type { Pricing } from '../pricing/pricing.js';
import type { PriceTableInput } from '../pricing/price-table.js';
import type { OutputEstimatorOptions } from '../calls/output-estimator.js';
import type { TokenCounterOptions } from '../tokens/token-counter-options.js';
import type { LedgerStore } from '../store/ledger-store.js';
import {
  invalid,
  expectId,
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectPositiveInt,
} from '../validate.js';

/** Options of {@link createKernel}. */
export interface KernelOptions {
  /** Tokens in the pool: a spend budget (used tokens are consumed; only unused ones return). */
  readonly totalBudget: number;
  /** Window utilization fractions at which SIGWARN fires. @default [0.85] */
  readonly warnThresholds?: readonly number[];
  /** When the pool cannot cover a window: wait in `waiting`, or reject with `POOL_EXHAUSTED`. @default 'queue' */
  readonly onExhausted?: 'queue' | 'reject';
  /** Limits beyond each agent's window. @default [] */
  readonly limits?: readonly LimitSpec[];
  /** Named limit templates (scope user/agent/task/session) applied to users of the tier. @default {} */
  readonly tiers?: Readonly<Record<string, readonly LimitSpec[]>>;
  /** The tier of each user id. @default {} */
  readonly userTiers?: Readonly<Record<string, string>>;
  /** The tier of users not in `userTiers`. @default none */
  readonly defaultTier?: string;
  /** IANA time zone for calendar periods. @default 'UTC' */
  readonly timeZone?: string;
  /** How long an unsettled reservation holds its tokens, ms. @default 600_000 (10 minutes) */
  readonly reservationTtlMs?: number;
  /** Lookup (input) share of each window. @default 0.9 */
  readonly lookupRatio?: number;
  /** Make the lookup/reasoning split a hard limit. @default false */
  readonly enforceSplit?: boolean;
  /** Price overrides in USD per million tokens; they win over the defaults. */
  readonly prices?: PriceTableInput;
  /** What an unknown model costs: an error, a warning, or another model's price. @default 'error' */
  readonly onUnknownModel?: 'error' | 'warn' | { readonly fallback: string };
  /** A ready pricing (replaces `prices`/`onUnknownModel`). */
  readonly pricing?: Pricing;
  /** Recent usage records kept in memory. @default 10_000 */
  readonly recentRecords?: number;
  /** The time source. @default the system clock */
  readonly clock?: Clock;
  /** Token counting (`kernel.tokens`): backend, worker threads, memo size. Workers start on first use. */
  readonly tokens?: TokenCounterOptions;
  /** The response cache of governed calls, or `false` for none. @default { maxBytes: 64 MiB } */
  readonly cache?:
    { readonly maxBytes: number; readonly ttlMs?: number; readonly admission?: boolean } | false;
  /** Cheaper model per model, used by the calls of warned or downgraded agents. @default {} */
  readonly downgrade?: Readonly<Record<string, string>>;
  /** How output tokens are estimated for calls that set no `maxOutputTokens`. */
  readonly outputEstimate?: OutputEstimatorOptions;
  /** Where durable or shared state goes: a journal file (replayed on start, `await kernel.ready`) or Redis (a pool and limits shared by several processes). @default none: in memory */
  readonly store?: LedgerStore;
  /** Entries journaled between snapshots: then the store is compacted, so a restart replays little. @default 100_000 */
  readonly compactEvery?: number;
}

/** Kernel options with every default applied. */
export interface ResolvedKernelOptions {
  readonly totalBudget: number;
  readonly warnThresholds: readonly number[];
  readonly onExhausted: 'queue' | 'reject';
  readonly limits: readonly LimitSpec[];
  readonly tiers: Readonly<Record<string, readonly LimitSpec[]>>;
  readonly userTiers: Readonly<Record<string, string>>;
  readonly defaultTier: string | undefined;
  readonly timeZone: string;
  readonly reservationTtlMs: number;
  readonly lookupRatio: number;
  readonly enforceSplit: boolean;
  readonly prices: PriceTableInput | undefined;
  readonly onUnknownModel: 'error' | 'warn' | { readonly fallback: string };
  readonly pricing: Pricing | undefined;
  readonly recentRecords: number;
  readonly clock: Clock;
  readonly tokens: TokenCounterOptions;
  readonly cache:
    { readonly maxBytes: number; readonly ttlMs?: number; readonly admission?: boolean } | false;
  readonly downgrade: Readonly<Record<string, string>>;
  readonly outputEstimate: OutputEstimatorOptions;
  readonly store: LedgerStore | undefined;
  readonly compactEvery: number;
}

const KNOWN = new Set([
  'totalBudget',
  'warnThresholds',
  'onExhausted',
  'limits',
  'tiers',
  'userTiers',
  'defaultTier',
  'timeZone',
  'reservationTtlMs',
  'lookupRatio',
  'enforceSplit',
  'prices',
  'onUnknownModel',
  'pricing',
  'recentRecords',
  'clock',
  'tokens',
  'cache',
  'downgrade',
  'outputEstimate',
  'store',
  'compactEvery',
]);

/**
 * Validates kernel options once and applies defaults.
 * @throws KernelError `INVALID_ARGUMENT` naming the option
 */
export function resolveKernelOptions(value: unknown): ResolvedKernelOptions {
  const o = expectObject('options', value);
  for (const key of Object.keys(o))
    if (!KNOWN.has(key))
      invalid(`options.${key}`, `a known option (${[...KNOWN].join(', ')})`, key);
  const limits = o['limits'] === undefined ? [] : o['limits'];
  if (!Array.isArray(limits)) invalid('limits', 'an array of limit specs', limits);
  const tiers = o['tiers'] === undefined ? {} : expectObject('tiers', o['tiers']);
  for (const [name, specs] of Object.entries(tiers)) {
    if (!Array.isArray(specs)) invalid(`tiers.${name}`, 'an array of limit specs', specs);
    specs.forEach((s: unknown, i: number) => validateLimitSpec(s, `tiers.${name}[${i}]`));
  }
  const userTiers = o['userTiers'] === undefined ? {} : expectObject('userTiers', o['userTiers']);
  for (const [user, tier] of Object.entries(userTiers)) {
    if (typeof tier !== 'string' || !(tier in tiers))
      invalid(
        `userTiers.${user}`,
        `one of the tiers (${Object.keys(tiers).join(', ') || 'none defined'})`,
        tier,
      );
  }
  const defaultTier =
    o['defaultTier'] === undefined ? undefined : expectId('defaultTier', o['defaultTier']);
  if (defaultTier !== undefined && !(defaultTier in tiers))
    invalid('defaultTier', 'one of the tiers', defaultTier);
  const clock = (o['clock'] ?? systemClock) as Clock;
  if (
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    invalid('clock', 'a Clock with now, setTimeout and clearTimeout', clock);
  }
  const unknown = o['onUnknownModel'] ?? 'error';
  if (typeof unknown === 'string') expectOneOf('onUnknownModel', unknown, ['error', 'warn']);
  else expectId('onUnknownModel.fallback', expectObject('onUnknownModel', unknown)['fallback']);
  if (o['enforceSplit'] !== undefined && typeof o['enforceSplit'] !== 'boolean')
    invalid('enforceSplit', 'a boolean', o['enforceSplit']);
  const cache = o['cache'] === undefined ? { maxBytes: 64 * 1024 * 1024 } : o['cache'];
  if (cache !== false)
    expectPositiveInt('cache.maxBytes', expectObject('cache', cache)['maxBytes']);
  const downgrade = o['downgrade'] === undefined ? {} : expectObject('downgrade', o['downgrade']);
  for (const [from, to] of Object.entries(downgrade)) expectId(`downgrade.${from}`, to);
  return {
    totalBudget: expectPositiveInt('totalBudget', o['totalBudget']),
    warnThresholds:
      o['warnThresholds'] === undefined
        ? [0.85]
        : validateThresholds(o['warnThresholds'], 'warnThresholds'),
    onExhausted:
      o['onExhausted'] === undefined
        ? 'queue'
        : expectOneOf('onExhausted', o['onExhausted'], ['queue', 'reject']),
    limits: limits.map((s: unknown, i: number) => validateLimitSpec(s, `limits[${i}]`)),
    tiers: tiers as Record<string, readonly LimitSpec[]>,
    userTiers: userTiers as Record<string, string>,
    defaultTier,
    timeZone: o['timeZone'] === undefined ? 'UTC' : validateTimeZone(o['timeZone']),
    reservationTtlMs:
      o['reservationTtlMs'] === undefined
        ? 600_000
        : expectPositiveInt('reservationTtlMs', o['reservationTtlMs']),
    lookupRatio:
      o['lookupRatio'] === undefined ? 0.9 : expectNumberIn('lookupRatio', o['lookupRatio'], 0, 1),
    enforceSplit: (o['enforceSplit'] as boolean | undefined) ?? false,
    prices: o['prices'] as PriceTableInput | undefined,
    onUnknownModel: unknown as ResolvedKernelOptions['onUnknownModel'],
    pricing: o['pricing'] as Pricing | undefined,
    recentRecords:
      o['recentRecords'] === undefined
        ? 10_000
        : expectPositiveInt('recentRecords', o['recentRecords']),
    clock,
    tokens:
      o['tokens'] === undefined ? {} : (expectObject('tokens', o['tokens']) as TokenCounterOptions),
    cache: cache as ResolvedKernelOptions['cache'],
    downgrade: downgrade as Record<string, string>,
    outputEstimate:
      o['outputEstimate'] === undefined
        ? {}
        : (expectObject('outputEstimate', o['outputEstimate']) as OutputEstimatorOptions),
    store: resolveStore(o['store']),
    compactEvery:
      o['compactEvery'] === undefined
        ? 100_000
        : expectPositiveInt('compactEvery', o['compactEvery']),
  };
}

function resolveStore(value: unknown): LedgerStore | undefined {
  if (value === undefined) return undefined;
  const store = expectObject('store', value);
  for (const method of ['load', 'append', 'compact', 'close']) {
    if (typeof store[method] !== 'function')
      invalid('store', 'a LedgerStore (load, append, compact, close)', value);
  }
  return value as LedgerStore;
}
