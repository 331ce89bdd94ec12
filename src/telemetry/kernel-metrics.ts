import { Counter, Registry, type Metric } from 'prom-client';
import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';
import { KernelError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { expectObject, expectOneOf, invalid } from '../validate.js';
import { CallTotals, type CallTotalsRow } from './call-totals.js';
import type { PrivateKeyLabels } from './limit-labels.js';
import { statusGauges } from './status-gauges.js';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Where the metrics are registered. @default a new registry of their own (never the global one) */
  readonly registry?: Registry;
  /** Prefix of every metric name. @default 'token_kernel_' */
  readonly prefix?: string;
  /** How user- and session-scoped limits are labelled (see {@link PrivateKeyLabels}). @default 'omit' */
  readonly privateKeys?: PrivateKeyLabels;
}

/** The kernel's Prometheus metrics. */
export interface KernelMetrics {
  /** The registry holding the metrics. */
  readonly registry: Registry;
  /** The exposition format's content type, for an HTTP `Content-Type` header. */
  readonly contentType: string;
  /** The metrics in the Prometheus text format. */
  text(): Promise<string>;
  /** Unsubscribes from the kernel and removes the metrics from the registry. Idempotent. */
  close(): void;
}

const PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/**
 * Prometheus metrics of a kernel through prom-client (names shown with the default prefix):
 * - `token_kernel_tokens_total{agent,model,type}`: tokens consumed by provider calls; `type` is
 *   `input`, `output`, `cache_read`, `cache_creation` or `reasoning`, in the inclusive convention
 *   (`cache_*` are part of `input`, `reasoning` of `output`: don't sum across types). Cache hits
 *   consumed nothing and are counted by the `cache_*` metrics instead.
 * - `token_kernel_calls_total{agent,model,cached}`, `token_kernel_cost_usd_total{agent,model}`
 * - `token_kernel_cache_hits_total{agent,model}`, `token_kernel_cache_saved_usd_total{agent,model}`
 *   (what the hits would have cost at list price)
 * - `token_kernel_signals_total{agent,signal,scope}`
 * - `token_kernel_budget_utilization_ratio`: used ÷ total, read at scrape time; one series per
 *   agent window (`{scope="window",agent,unit="tokens"}`) and per limit
 *   (`{scope,limit,key,period,unit}`, user and session keys omitted or hashed: `privateKeys`).
 * - `token_kernel_pool_tokens{state}` (`available`, `allocated`, `spent`, `overshoot`) and
 *   `token_kernel_agents{state}`.
 *
 * No metric carries a user or session id. Agent ids and model names are labels: keep agent ids
 * bounded (reuse ids rather than minting one per request).
 * @throws KernelError `INVALID_ARGUMENT` for a bad option or a registry that already holds one
 * of these names
 * @example
 * const metrics = createMetrics(kernel);
 * res.setHeader('Content-Type', metrics.contentType).end(await metrics.text());
 */
export function createMetrics(kernel: Kernel, options: MetricsOptions = {}): KernelMetrics {
  if (kernel === null || typeof kernel !== 'object' || typeof kernel.on !== 'function')
    invalid('kernel', 'a Kernel', kernel);
  expectObject('options', options);
  const prefix = options.prefix ?? 'token_kernel_';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix))
    invalid('prefix', 'a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)', prefix);
  if (options.registry !== undefined && !isRegistry(options.registry))
    invalid('registry', 'a prom-client Registry', options.registry);
  const mode = expectOneOf('privateKeys', options.privateKeys ?? 'omit', ['omit', 'hash']);
  const registry = options.registry ?? new Registry();

  const totals = new CallTotals();
  const signals = new Map<string, { labels: SignalLabels; count: number }>();
  const metrics: Metric[] = [
    ...callCounters(prefix, totals),
    signalCounter(prefix, signals),
    ...statusGauges(prefix, kernel, mode),
  ];
  register(registry, metrics);

  const onRecord = ({ record }: { record: UsageRecord }): void => totals.add(record);
  const onSignal = (e: SignalEvent): void => {
    const id = `${e.agentId}\u0000${e.signal}\u0000${e.limit.scope}`;
    const entry = signals.get(id);
    if (entry !== undefined) entry.count++;
    else
      signals.set(id, {
        labels: { agent: e.agentId, signal: e.signal, scope: e.limit.scope },
        count: 1,
      });
  };
  const unsubscribe = [kernel.on('record', onRecord), kernel.on('signal', onSignal)];

  let closed = false;
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close(): void {
      if (closed) return;
      closed = true;
      for (const off of unsubscribe) off();
      for (const m of metrics) registry.removeSingleMetric(nameOf(m));
    },
  };
}

type SignalLabels = { agent: string; signal: string; scope: string };

/** A counter whose values are copied from `read` at scrape time (the totals live elsewhere). */
function scraped<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => void,
): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [],
    collect(): void {
      this.reset();
      read((labels, value) => this.inc(labels, value));
    },
  });
}

function callCounters(p: string, totals: CallTotals): Metric[] {
  const each = (fn: (row: Readonly<CallTotalsRow>) => void): void => {
    for (const row of totals.rows()) fn(row);
  };
  const types = [
    ['input', 'input'],
    ['output', 'output'],
    ['cache_read', 'cacheRead'],
    ['cache_creation', 'cacheWrite'],
    ['reasoning', 'reasoning'],
  ] as const;
  return [
    scraped(
      `${p}tokens_total`,
      'Tokens consumed by provider calls, inclusive: cache_read and cache_creation are part of input, reasoning of output.',
      ['agent', 'model', 'type'],
      (set) =>
        each((r) => {
          if (r.calls === 0) return;
          for (const [type, field] of types)
            if (r[field] > 0 || type === 'input' || type === 'output')
              set({ agent: r.agent, model: r.model, type }, r[field]);
        }),
    ),
    scraped(
      `${p}calls_total`,
      'Settled calls, cache hits included (cached="true").',
      ['agent', 'model', 'cached'],
      (set) =>
        each((r) => {
          if (r.calls > 0) set({ agent: r.agent, model: r.model, cached: 'false' }, r.calls);
          if (r.hits > 0) set({ agent: r.agent, model: r.model, cached: 'true' }, r.hits);
        }),
    ),
    scraped(
      `${p}cost_usd_total`,
      'Spend in US dollars (summed exactly in nano-USD).',
      ['agent', 'model'],
      (set) =>
        each((r) => {
          if (r.calls > 0) set({ agent: r.agent, model: r.model }, r.costNano / 1e9);
        }),
    ),
    scraped(
      `${p}cache_hits_total`,
      'Calls served from the response cache.',
      ['agent', 'model'],
      (set) =>
        each((r) => {
          if (r.hits > 0) set({ agent: r.agent, model: r.model }, r.hits);
        }),
    ),
    scraped(
      `${p}cache_saved_usd_total`,
      'US dollars the response cache saved, at list price.',
      ['agent', 'model'],
      (set) =>
        each((r) => {
          if (r.hits > 0) set({ agent: r.agent, model: r.model }, r.savedNano / 1e9);
        }),
    ),
  ];
}

function signalCounter(
  p: string,
  signals: ReadonlyMap<string, { labels: SignalLabels; count: number }>,
): Metric {
  return scraped(
    `${p}signals_total`,
    'Signals delivered to agents.',
    ['agent', 'signal', 'scope'],
    (set) => {
      for (const { labels, count } of signals.values()) set(labels, count);
    },
  );
}

/** Duck-typed, so a registry from another copy of prom-client is accepted too. */
function isRegistry(value: unknown): value is Registry {
  const r = value as Partial<Registry> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.registerMetric === 'function' &&
    typeof r.getSingleMetric === 'function' &&
    typeof r.removeSingleMetric === 'function' &&
    typeof r.metrics === 'function'
  );
}

function nameOf(metric: Metric): string {
  return (metric as unknown as { name: string }).name;
}

/** Registers all or nothing, so a name clash leaves the registry as it was. */
function register(registry: Registry, metrics: readonly Metric[]): void {
  const clash = metrics.find((m) => registry.getSingleMetric(nameOf(m)) !== undefined);
  if (clash !== undefined) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`registry\` to have no metric named \`${nameOf(clash)}\`, got one already registered (use another \`prefix\`)`,
      { details: { argument: 'registry', metric: nameOf(clash) } },
    );
  }
  for (const m of metrics) registry.registerMetric(m);
}
