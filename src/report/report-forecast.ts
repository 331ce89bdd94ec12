import type { Dimension, Forecast, Ledger, UsageRow } from '../budget/ledger.js';
import type { LimitPeriod, LimitScope, LimitSpec, PeriodKind } from '../budget/limit-spec.js';
import { periodBounds } from '../budget/period.js';
import { NO_KEY } from '../budget/usage-record.js';
import { OTHER_KEY } from './key-cap.js';

/** One limit checked against the records: use so far in its current period, and the projection. */
export interface LimitForecastRow {
  /** The spec's `name`, else `<scope>:<key>:<period>` (`org:<period>`), as the kernel names it. */
  readonly name: string;
  readonly scope: LimitScope;
  /** The agent, task, user, session or model; undefined for `org`. */
  readonly key: string | undefined;
  readonly period: LimitPeriod;
  readonly unit: 'tokens' | 'usd';
  /** The limit, in tokens or USD. */
  readonly limit: number;
  /** Used in the period containing the last record, in the unit. */
  readonly used: number;
  /** Projected total at the period's end, in the unit; undefined for `lifetime`. */
  readonly projected: number | undefined;
  readonly utilization: number;
  readonly projectedUtilization: number | undefined;
  /** When the period ends, ms since the epoch; undefined for `lifetime`. */
  readonly resetsAt: number | undefined;
  /** `exceeded`: used ≥ limit; `at-risk`: projected ≥ limit; else `ok`. */
  readonly status: 'ok' | 'at-risk' | 'exceeded';
  readonly hard: boolean;
}

const DIMENSION_OF: Partial<Record<LimitScope, Dimension>> = {
  agent: 'agent',
  task: 'task',
  user: 'user',
  session: 'session',
  model: 'model',
};

interface Rated {
  readonly key: string | undefined;
  readonly used: UsageRow;
  /** Recent rate: tokens and nano-USD per ms. */
  readonly tokensPerMs: number;
  readonly nanoPerMs: number;
}

function tokensOf(row: UsageRow): number {
  return row.inputTokens + row.outputTokens;
}

function rows(
  spec: LimitSpec,
  item: Rated,
  period: LimitPeriod,
  end: number | undefined,
  now: number,
): LimitForecastRow[] {
  const base = spec.name ?? spec.scope;
  const name = spec.scope === 'org' ? `${base}:${period}` : `${base}:${item.key ?? ''}:${period}`;
  const left = end === undefined ? undefined : Math.max(0, end - now);
  const out: LimitForecastRow[] = [];
  const push = (unit: 'tokens' | 'usd', limit: number, used: number, perMs: number): void => {
    const projected = left === undefined ? undefined : used + perMs * left;
    out.push({
      name,
      scope: spec.scope,
      key: item.key,
      period,
      unit,
      limit,
      used,
      projected,
      utilization: used / limit,
      projectedUtilization: projected === undefined ? undefined : projected / limit,
      resetsAt: end,
      status:
        used >= limit
          ? 'exceeded'
          : projected !== undefined && projected >= limit
            ? 'at-risk'
            : 'ok',
      hard: spec.hard ?? true,
    });
  };
  if (spec.tokens !== undefined) push('tokens', spec.tokens, tokensOf(item.used), item.tokensPerMs);
  if (spec.usd !== undefined) push('usd', spec.usd, item.used.costNano / 1e9, item.nanoPerMs / 1e9);
  return out;
}

/**
 * Checks `limits` (every scope but `call`) at `now` (the last record's time), against the ledger
 * holding each limit's dimension (`ledgerFor('agent')` for `org`): use in the current
 * period and a projection to its end. `org` limits project with the ledger's forecast (the last
 * hour's burn rate, as `kernel.forecast`); per-key limits with the key's spend in the current and
 * previous calendar hour over the time they span (from the first record at the earliest). A `'*'`
 * id checks every key with records in the period (not `(none)` nor `(other)`), keeping the `top`
 * most utilized. Lifetime limits have no projection.
 */
export function forecastLimits(
  ledgerFor: (dimension: Dimension) => Ledger,
  limits: readonly LimitSpec[],
  now: number,
  firstTime: number,
  timeZone: string,
  top: number,
): LimitForecastRow[] {
  const out: LimitForecastRow[] = [];
  const hour = periodBounds('hour', now, timeZone);
  const previousHour = periodBounds('hour', hour.start - 1, timeZone);
  const rateSpan = Math.max(1, now - Math.max(previousHour.start, firstTime));
  for (const spec of limits) {
    if (spec.scope === 'call') continue;
    const period = spec.period ?? 'lifetime';
    const kind = period === 'lifetime' ? undefined : (period as PeriodKind);
    const end = kind === undefined ? undefined : periodBounds(kind, now, timeZone).end;
    const span = kind ?? 'lifetime';
    if (spec.scope === 'org') {
      const ledger = ledgerFor('agent');
      const f: Forecast | undefined = kind === undefined ? undefined : ledger.forecast(kind);
      const used = ledger.total(span, now);
      const left = end === undefined ? 1 : Math.max(1, end - now);
      const item: Rated = {
        key: undefined,
        used,
        tokensPerMs: f === undefined ? 0 : (f.projectedTokens - f.tokens) / left,
        nanoPerMs: f === undefined ? 0 : (f.projectedNano - f.spentNano) / left,
      };
      out.push(...rows(spec, item, period, end, now));
      continue;
    }
    const by = DIMENSION_OF[spec.scope]!;
    const ledger = ledgerFor(by);
    const recent = new Map<string, { tokens: number; nano: number }>();
    for (const at of [now, previousHour.start]) {
      for (const r of ledger.usage({ by, period: 'hour', at })) {
        const sum = recent.get(r.key) ?? { tokens: 0, nano: 0 };
        sum.tokens += tokensOf(r);
        sum.nano += r.costNano;
        recent.set(r.key, sum);
      }
    }
    const rated = (key: string, used: UsageRow): Rated => {
      const sum = recent.get(key);
      return {
        key,
        used,
        tokensPerMs: sum === undefined || kind === undefined ? 0 : sum.tokens / rateSpan,
        nanoPerMs: sum === undefined || kind === undefined ? 0 : sum.nano / rateSpan,
      };
    };
    if (spec.id !== undefined && spec.id !== '*') {
      out.push(
        ...rows(spec, rated(spec.id, ledger.usageOf(by, spec.id, span, now)), period, end, now),
      );
      continue;
    }
    const each = ledger
      .usage({ by, period: span, at: now })
      .filter((r) => r.key !== NO_KEY && r.key !== OTHER_KEY)
      .flatMap((r) => rows(spec, rated(r.key, r), period, end, now))
      .sort(
        (a, b) =>
          (b.projectedUtilization ?? b.utilization) - (a.projectedUtilization ?? a.utilization),
      );
    out.push(...each.slice(0, top));
  }
  return out;
}
