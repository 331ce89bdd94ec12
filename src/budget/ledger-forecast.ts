import { invalid, isTokenCount } from '../validate.js';
import type { PeriodKind } from './limit-spec.js';
import { MINUTE_MS, type BurnSums } from './ledger-burn.js';
import type { UsageRow } from './ledger-row.js';
import type { PeriodBounds } from './period.js';

/** Spend rate over a recent window. */
export interface BurnRate {
  readonly tokensPerMinute: number;
  readonly usdPerHour: number;
  readonly callsPerMinute: number;
  /** The span actually measured, ms: whole UTC minutes up to now, clipped to the ledger's start. */
  readonly windowMs: number;
}

/** A projection of the current period's total; money in nano-USD, tokens input + output. */
export interface Forecast {
  readonly period: PeriodKind;
  /** Period start, ms since the epoch. */
  readonly start: number;
  /** Period end (exclusive), ms since the epoch. */
  readonly end: number;
  /** Spent in the period so far, nano-USD. */
  readonly spentNano: number;
  /** Tokens (input + output) used in the period so far. */
  readonly tokens: number;
  /** Projected total at the period's end, nano-USD. */
  readonly projectedNano: number;
  /** Projected tokens at the period's end. */
  readonly projectedTokens: number;
  /** The USD limit given, in nano-USD. */
  readonly limitNano?: number;
  /** The token limit given. */
  readonly limitTokens?: number;
  /** projected/limit: the larger of the token and USD ratios when both limits are given. */
  readonly projectedUtilization?: number;
}

/** A limit to project against: tokens (positive integer) and/or USD (positive). */
export interface ForecastLimit {
  readonly tokens?: number | undefined;
  readonly usd?: number | undefined;
}

/** Rates from the sums of a window spanning `spanMs` (zero rates for an empty span). */
export function burnRateFrom(sums: BurnSums, spanMs: number): BurnRate {
  if (spanMs <= 0) return { tokensPerMinute: 0, usdPerHour: 0, callsPerMinute: 0, windowMs: 0 };
  return {
    tokensPerMinute: (sums.tokens / spanMs) * MINUTE_MS,
    usdPerHour: (sums.costNano / 1e9 / spanMs) * 3_600_000,
    callsPerMinute: (sums.calls / spanMs) * MINUTE_MS,
    windowMs: spanMs,
  };
}

/** @throws KernelError `INVALID_ARGUMENT` for a limit that is not a {@link ForecastLimit}. */
export function checkForecastLimit(limit: unknown): ForecastLimit | undefined {
  if (limit === undefined) return undefined;
  if (limit === null || typeof limit !== 'object' || Array.isArray(limit))
    invalid('limit', 'an object with `tokens` and/or `usd`', limit);
  const { tokens, usd } = limit as Record<string, unknown>;
  if (tokens !== undefined && !(isTokenCount(tokens) && tokens > 0))
    invalid('limit.tokens', 'a positive safe integer', tokens);
  if (usd !== undefined && !(typeof usd === 'number' && Number.isFinite(usd) && usd > 0))
    invalid('limit.usd', 'a positive finite number', usd);
  return limit as ForecastLimit;
}

/**
 * Spent so far plus the recent rate (`sums` over `spanMs`) times the time left until the
 * period's end, rounded to integers.
 */
export function projectPeriod(
  kind: PeriodKind,
  period: PeriodBounds,
  now: number,
  spent: UsageRow,
  sums: BurnSums,
  spanMs: number,
  limit: ForecastLimit | undefined,
): Forecast {
  const share = spanMs > 0 ? Math.max(0, period.end - now) / spanMs : 0;
  const tokens = spent.inputTokens + spent.outputTokens;
  const projectedNano = spent.costNano + Math.round(sums.costNano * share);
  const projectedTokens = tokens + Math.round(sums.tokens * share);
  let forecast: Forecast = {
    period: kind,
    start: period.start,
    end: period.end,
    spentNano: spent.costNano,
    tokens,
    projectedNano,
    projectedTokens,
  };
  let utilization: number | undefined;
  if (limit?.usd !== undefined) {
    const limitNano = Math.round(limit.usd * 1e9);
    forecast = { ...forecast, limitNano };
    utilization = projectedNano / limitNano;
  }
  if (limit?.tokens !== undefined) {
    forecast = { ...forecast, limitTokens: limit.tokens };
    utilization = Math.max(utilization ?? 0, projectedTokens / limit.tokens);
  }
  return utilization === undefined ? forecast : { ...forecast, projectedUtilization: utilization };
}
