import { createHash } from 'node:crypto';
import type { LimitStatus } from '../kernel/kernel-status.js';

/**
 * How metrics label the per-user and per-session limits (ids of people and their sessions must
 * never become label values: they are personal data and unbounded in number).
 * - `omit`: one series per limit definition, without the key; its value is the highest
 *   utilization among the keys (bounded cardinality; "is anyone close to the cap?").
 * - `hash`: one series per key, labelled `sha256:<first 12 hex digits>` of the key: stable
 *   across processes, not reversible by reading, but unbounded in number and guessable by
 *   hashing candidate ids.
 */
export type PrivateKeyLabels = 'omit' | 'hash';

/** Scopes whose keys identify people (or their sessions). */
const PRIVATE_SCOPES: ReadonlySet<string> = new Set(['user', 'session']);

/** Label values of one limit's utilization series. */
export interface LimitLabels {
  readonly scope: string;
  readonly limit: string;
  readonly key?: string;
  readonly period: string;
  readonly unit: string;
}

/** A stable, non-reversible label for a private key: `sha256:` + 12 hex digits. */
export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * The limit's definition name without its key and period: `user:alice:day` → `user`,
 * `pro:user:alice:day` → `pro:user`, `org:month` → `org`. Names the kernel derives end in
 * `:<key>:<period>` (`:<period>` for `org`); anything else is kept whole.
 */
export function limitBaseName(limit: LimitStatus): string {
  const suffix = limit.scope === 'org' ? `:${limit.period}` : `:${limit.id}:${limit.period}`;
  return limit.name.endsWith(suffix) && limit.name.length > suffix.length
    ? limit.name.slice(0, -suffix.length)
    : limit.name;
}

/**
 * The labels of one limit's series: the key is kept for agent, task and model scopes, and
 * omitted or hashed (per `mode`) for user and session scopes. A user-chosen `LimitSpec.name`
 * is used as is, so it must not contain a user id itself.
 */
export function limitLabels(limit: LimitStatus, mode: PrivateKeyLabels): LimitLabels {
  const key =
    limit.scope === 'org'
      ? undefined
      : !PRIVATE_SCOPES.has(limit.scope)
        ? limit.id
        : mode === 'hash'
          ? hashKey(limit.id)
          : undefined;
  return {
    scope: limit.scope,
    limit: limitBaseName(limit),
    ...(key !== undefined && { key }),
    period: limit.period,
    unit: limit.unit,
  };
}
