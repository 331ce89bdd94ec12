import type { LedgerSpan } from '../budget/ledger.js';
import type { LimitSpec, PeriodKind } from '../budget/limit-spec.js';
import { validateLimitSpec } from '../budget/limit-registry.js';
import { validateTimeZone } from '../budget/period.js';
import type { Clock } from '../clock.js';
import type { Pricing } from '../pricing/pricing.js';
import type { PriceTableInput } from '../pricing/price-table.js';
import { expectObject, expectOneOf, expectPositiveInt, invalid } from '../validate.js';

/**
 * What a report does with a record whose model has no price: `'skip'` leaves it out of the
 * totals and lists it under unknown models (with its calls and tokens); `'error'` stops the report
 * with `UNKNOWN_MODEL`; `{ fallback }` charges the fallback model's price and lists it too.
 */
export type ReportUnknownModel = 'error' | 'skip' | { readonly fallback: string };

/** Options of a usage report. Every field is optional. */
export interface UsageReportOptions {
  /** Prices to use; built from `prices` and `unknownModel` when absent. */
  readonly pricing?: Pricing;
  /** User prices (USD per million tokens) that win over the genai-prices defaults. */
  readonly prices?: PriceTableInput;
  /** @default 'skip' */
  readonly unknownModel?: ReportUnknownModel;
  /** IANA zone of calendar periods. @default 'UTC' */
  readonly timeZone?: string;
  /** Period of the spend tables: the one containing the last record, or the lifetime. @default 'lifetime' */
  readonly period?: LedgerSpan;
  /** Period of the spend-over-time series. @default 'day' */
  readonly seriesPeriod?: PeriodKind;
  /** Latest periods kept in the series. @default 1_000 */
  readonly maxSeriesPeriods?: number;
  /** Limits to forecast against (scopes org, agent, task, user, session, model and call). @default [] */
  readonly limits?: readonly LimitSpec[];
  /** Distinct keys kept per dimension; later ones are booked as `(other)`. @default 10_000 */
  readonly maxKeys?: number;
  /** Rows in the top-spender lists and the text tables. @default 10 */
  readonly top?: number;
  /** "Now" before the first timed record, for pricing. @default systemClock */
  readonly clock?: Clock;
}

/** {@link UsageReportOptions} with defaults applied. */
export interface ResolvedUsageReportOptions {
  readonly pricing: Pricing | undefined;
  readonly prices: PriceTableInput | undefined;
  readonly unknownModel: ReportUnknownModel;
  readonly timeZone: string;
  readonly period: LedgerSpan;
  readonly seriesPeriod: PeriodKind;
  readonly maxSeriesPeriods: number;
  readonly limits: readonly LimitSpec[];
  readonly maxKeys: number;
  readonly top: number;
  readonly clock: Clock | undefined;
}

const SPANS: readonly LedgerSpan[] = ['hour', 'day', 'week', 'month', 'lifetime'];
const KINDS: readonly PeriodKind[] = ['hour', 'day', 'week', 'month'];

/**
 * Parses `'error' | 'skip' | 'fallback:<model>'` (the CLI's `--unknown-model`).
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function parseUnknownModel(value: string, name = 'unknownModel'): ReportUnknownModel {
  if (value === 'error' || value === 'skip') return value;
  if (value.startsWith('fallback:') && value.length > 9) return { fallback: value.slice(9) };
  return invalid(name, "'error', 'skip' or 'fallback:<model>'", value);
}

/** Checks and defaults report options. @throws KernelError `INVALID_ARGUMENT` naming the option */
export function resolveUsageReportOptions(
  options: UsageReportOptions = {},
): ResolvedUsageReportOptions {
  expectObject('options', options);
  const unknownModel = options.unknownModel ?? 'skip';
  if (
    unknownModel !== 'error' &&
    unknownModel !== 'skip' &&
    !(
      typeof unknownModel === 'object' &&
      unknownModel !== null &&
      typeof unknownModel.fallback === 'string' &&
      unknownModel.fallback.length > 0
    )
  ) {
    invalid('unknownModel', "'error', 'skip' or { fallback: '<model>' }", unknownModel);
  }
  const limits = options.limits ?? [];
  if (!Array.isArray(limits)) invalid('limits', 'an array of limit specs', limits);
  return {
    pricing: options.pricing,
    prices: options.prices,
    unknownModel,
    timeZone: options.timeZone === undefined ? 'UTC' : validateTimeZone(options.timeZone),
    period: expectOneOf('period', options.period ?? 'lifetime', SPANS),
    seriesPeriod: expectOneOf('seriesPeriod', options.seriesPeriod ?? 'day', KINDS),
    maxSeriesPeriods: expectPositiveInt('maxSeriesPeriods', options.maxSeriesPeriods ?? 1_000),
    limits: limits.map((spec: unknown, i) => validateLimitSpec(spec, `limits[${i}]`)),
    maxKeys: expectPositiveInt('maxKeys', options.maxKeys ?? 10_000),
    top: expectPositiveInt('top', options.top ?? 10),
    clock: options.clock,
  };
}
