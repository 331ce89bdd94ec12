import type { BurnRate, Dimension, Forecast, LedgerSpan, UsageRow } from '../budget/ledger.js';
import type { PeriodKind } from '../budget/limit-spec.js';
import { NO_KEY } from '../budget/usage-record.js';
import { OTHER_KEY } from './key-cap.js';
import { findOpportunities, type Opportunity } from './report-opportunities.js';
import { forecastLimits, type LimitForecastRow } from './report-forecast.js';
import type { SeriesRow } from './spend-series.js';
import type {
  AggregatorStats,
  CallLimitRow,
  UnknownModelRow,
  UsageAggregator,
} from './usage-aggregator.js';
import type { UsageFormat } from './usage-shape.js';

/** A {@link UsageRow} with its cost in USD and its share of the period's total cost (0 to 1). */
export interface ReportRow extends UsageRow {
  readonly usd: number;
  readonly share: number;
}

/** A malformed line: its number and why it was rejected. */
export interface MalformedLine {
  readonly line: number;
  readonly message: string;
}

/** What was read, and what could not be used. */
export interface ReportInput {
  /** Lines and bytes read. */
  readonly lines: number;
  readonly bytes: number;
  readonly blankLines: number;
  /** Lines that were not usable records (bad JSON, unknown shape, bad field, too long). */
  readonly malformedLines: number;
  /** The first malformed lines (at most the runner's `maxMalformed`). */
  readonly malformed: readonly MalformedLine[];
  /** Spans that were not model calls with usage. */
  readonly ignoredSpans: number;
  /** Records booked, and left out for an unknown model. */
  readonly records: number;
  readonly unpriced: number;
  readonly timed: number;
  readonly untimed: number;
  readonly outOfOrder: number;
  readonly maxLagMs: number;
  readonly firstTime: number | undefined;
  readonly lastTime: number | undefined;
  readonly formats: Readonly<Partial<Record<UsageFormat, number>>>;
  /** Records booked as `(other)` per dimension, beyond `maxKeys` distinct keys. */
  readonly folded: Readonly<Record<Dimension, number>>;
}

/** Average spend over the records' time span. */
export interface AverageRate {
  readonly spanMs: number;
  readonly tokensPerMinute: number;
  readonly usdPerHour: number;
  readonly callsPerMinute: number;
}

/** A usage report: JSON-able, money in nano-USD with USD beside it. */
export interface UsageReport {
  /**
   * Period of the spend tables: the one containing the last record, or the lifetime (always the
   * lifetime when no record has a time).
   */
  readonly period: LedgerSpan;
  readonly timeZone: string;
  /** "Now": the last record's time, ms; undefined without timed records. */
  readonly now: number | undefined;
  readonly input: ReportInput;
  readonly total: ReportRow;
  readonly byAgent: readonly ReportRow[];
  readonly byUser: readonly ReportRow[];
  readonly byModel: readonly ReportRow[];
  readonly byTask: readonly ReportRow[];
  readonly bySession: readonly ReportRow[];
  /** The most expensive agents, users and models (at most `top` each; not `(none)`, `(other)`). */
  readonly top: {
    readonly agents: readonly ReportRow[];
    readonly users: readonly ReportRow[];
    readonly models: readonly ReportRow[];
  };
  /** Spend per calendar period, oldest first. */
  readonly series: {
    readonly period: PeriodKind;
    readonly rows: readonly SeriesRow[];
    readonly dropped: number;
  };
  /** The last hour's rate before the last record (undefined without timed records). */
  readonly burnRate: BurnRate | undefined;
  readonly averageRate: AverageRate | undefined;
  /** The current day and month projected at the burn rate (no limit). */
  readonly projections: readonly Forecast[];
  readonly limits: readonly LimitForecastRow[];
  readonly callLimits: readonly CallLimitRow[];
  readonly unknownModels: readonly UnknownModelRow[];
  readonly opportunities: readonly Opportunity[];
}

/** Reader-side counters that {@link buildUsageReport} merges with the aggregator's. */
export interface ReadCounters {
  readonly lines: number;
  readonly bytes: number;
  readonly blankLines: number;
  readonly malformedLines: number;
  readonly malformed: readonly MalformedLine[];
  readonly ignoredSpans: number;
}

const EMPTY_ROW: UsageRow = {
  key: 'total',
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costNano: 0,
  cachedCalls: 0,
  savedNano: 0,
};

/** A real key, not the bucket of records without one or of keys beyond `maxKeys`. */
function named(row: UsageRow): boolean {
  return row.key !== NO_KEY && row.key !== OTHER_KEY;
}

function withUsd(row: UsageRow, total: number): ReportRow {
  return { ...row, usd: row.costNano / 1e9, share: total > 0 ? row.costNano / total : 0 };
}

function inputOf(stats: AggregatorStats, read: ReadCounters): ReportInput {
  return {
    ...read,
    records: stats.records,
    unpriced: stats.unpriced,
    timed: stats.timed,
    untimed: stats.untimed,
    outOfOrder: stats.outOfOrder,
    maxLagMs: stats.maxLagMs,
    firstTime: stats.firstTime,
    lastTime: stats.lastTime,
    formats: stats.formats,
    folded: stats.folded,
  };
}

/**
 * Builds the report from what `aggregator` booked: spend by agent, user, model, task and session
 * over the configured period, top spenders, the series, burn and average rates, day and month
 * projections, limit forecasts, per-call limit counts, unknown models and opportunities. O(cells)
 * per query; the time-based parts are left empty when no record had a time.
 */
export function buildUsageReport(aggregator: UsageAggregator, read: ReadCounters): UsageReport {
  const o = aggregator.options;
  const stats = aggregator.stats();
  const ledger = aggregator.ledgerFor('agent');
  const timed = stats.lastTime !== undefined && stats.firstTime !== undefined;
  const now = timed ? aggregator.clock.now() : undefined;
  // Without record times there is no "current" period to speak of: report the lifetime.
  const period = timed ? o.period : 'lifetime';
  const totalRow = ledger?.total(period, now) ?? EMPTY_ROW;
  const t = totalRow.costNano;
  const by = (dimension: Dimension): ReportRow[] =>
    (aggregator.ledgerFor(dimension)?.usage({ by: dimension, period, at: now }) ?? []).map((r) =>
      withUsd(r, t),
    );
  const byAgent = by('agent');
  const byUser = by('user');
  const byModel = by('model');
  const limits =
    ledger !== undefined && now !== undefined
      ? forecastLimits(
          (d) => aggregator.ledgerFor(d)!,
          o.limits,
          now,
          stats.firstTime ?? now,
          o.timeZone,
          o.top,
        )
      : [];
  const callLimits = aggregator.callLimits();
  const unknownModels = aggregator.unknownModels();
  let averageRate: AverageRate | undefined;
  if (timed && ledger !== undefined) {
    const life = ledger.total('lifetime');
    const spanMs = Math.max(1, stats.lastTime! - stats.firstTime!);
    averageRate = {
      spanMs,
      tokensPerMinute: ((life.inputTokens + life.outputTokens) / spanMs) * 60_000,
      usdPerHour: (life.costNano / 1e9 / spanMs) * 3_600_000,
      callsPerMinute: (life.calls / spanMs) * 60_000,
    };
  }
  return {
    period,
    timeZone: o.timeZone,
    now,
    input: inputOf(stats, read),
    total: withUsd(totalRow, t),
    byAgent,
    byUser,
    byModel,
    byTask: by('task'),
    bySession: by('session'),
    top: {
      agents: byAgent.filter(named).slice(0, o.top),
      users: byUser.filter(named).slice(0, o.top),
      models: byModel.filter(named).slice(0, o.top),
    },
    series: {
      period: aggregator.series.kind,
      rows: timed ? aggregator.series.rows() : [],
      dropped: aggregator.series.dropped,
    },
    burnRate: timed ? ledger?.burnRate() : undefined,
    averageRate,
    projections:
      timed && ledger !== undefined ? [ledger.forecast('day'), ledger.forecast('month')] : [],
    limits,
    callLimits,
    unknownModels,
    opportunities: findOpportunities(aggregator.pricing, {
      total: totalRow,
      byAgent,
      byUser,
      byModel,
      limits,
      callLimits,
      unknownModels,
    }),
  };
}
