/** What a limit applies to. */
export type LimitScope = 'agent' | 'task' | 'user' | 'session' | 'model' | 'org' | 'call';

/** Calendar periods a limit or aggregate can be counted over. */
export type PeriodKind = 'hour' | 'day' | 'week' | 'month';

/** A limit's period: calendar periods, the whole life of the kernel, or each call alone. */
export type LimitPeriod = PeriodKind | 'lifetime' | 'call';

/**
 * A spend limit beyond the agent's window. At least one of `tokens` and `usd` is set.
 * `id` names one agent/task/user/session/model, or `'*'` (the default) for each of them
 * separately; `org` and `call` take no id.
 */
export interface LimitSpec {
  readonly scope: LimitScope;
  readonly id?: string;
  /** @default 'lifetime' ('call' for the `call` scope) */
  readonly period?: LimitPeriod;
  /** Token limit (input + output). */
  readonly tokens?: number;
  /** Money limit in USD. */
  readonly usd?: number;
  /** Utilization fractions in (0, 1) at which SIGWARN fires. @default the kernel's warnThresholds */
  readonly thresholds?: readonly number[];
  /** Hard limits refuse reservations and stop agents; soft ones only warn. @default true */
  readonly hard?: boolean;
  /** A name for reports and signal events. @default derived from scope, id and period */
  readonly name?: string;
}
