import { Ledger, type Attribution, type Dimension } from '../budget/ledger.js';
import { isKernelError } from '../errors.js';
import { createPricing, type Pricing } from '../pricing/pricing.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import { HistoricalClock } from './historical-clock.js';
import { NO_KEY } from '../budget/usage-record.js';
import { KeyCap } from './key-cap.js';
import type { NormalizedRecord } from './record-fields.js';
import {
  resolveUsageReportOptions,
  type ResolvedUsageReportOptions,
  type UsageReportOptions,
} from './report-options.js';
import { SpendSeries } from './spend-series.js';
import type { UsageFormat } from './usage-shape.js';

/** Calls, tokens and how a model without a price was handled. */
export interface UnknownModelRow {
  readonly model: string;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** `fallback:<model>` when charged at a fallback's price; undefined when left out of the totals. */
  readonly pricedAs: string | undefined;
}

/** Calls over a per-call (`scope: 'call'`) limit. */
export interface CallLimitRow {
  readonly name: string;
  readonly tokens: number | undefined;
  readonly usd: number | undefined;
  /** Calls above the limit. */
  readonly over: number;
  /** The largest call seen: tokens (input + output) and nano-USD. */
  readonly maxTokens: number;
  readonly maxNano: number;
}

/** Counters of an {@link UsageAggregator}, for reports and tests of its memory bounds. */
export interface AggregatorStats {
  /** Records booked into the ledger. */
  readonly records: number;
  /** Records left out: unknown models under `unknownModel: 'skip'`. */
  readonly unpriced: number;
  /** Records with a time, and without one (booked at the previous record's time). */
  readonly timed: number;
  readonly untimed: number;
  /** Records older than one before them, booked in the latest one's periods, and the largest lag. */
  readonly outOfOrder: number;
  readonly maxLagMs: number;
  /** Earliest and latest record times, ms (undefined without timed records). */
  readonly firstTime: number | undefined;
  readonly lastTime: number | undefined;
  /** Records per detected input format. */
  readonly formats: Readonly<Partial<Record<UsageFormat, number>>>;
  /** Distinct keys kept per dimension, and records folded into `(other)`. */
  readonly keys: Readonly<Record<Dimension, number>>;
  readonly folded: Readonly<Record<Dimension, number>>;
  /** Periods the series keeps. */
  readonly seriesPeriods: number;
}

/** The dimensions with a ledger of their own (the model is a dimension of each). */
type Booked = 'agent' | 'task' | 'user' | 'session';
const BOOKED: readonly Booked[] = ['agent', 'task', 'user', 'session'];
const ID_FIELD = {
  agent: 'agentId',
  task: 'taskId',
  user: 'userId',
  session: 'sessionId',
} as const satisfies Record<Booked, keyof NormalizedRecord>;
/** The agent of the task, user and session ledgers, which do not split by agent. */
const ALL = '*';

interface MutableUnknown {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  pricedAs: string | undefined;
}

interface CallCounter {
  readonly name: string;
  readonly tokens: number | undefined;
  readonly usd: number | undefined;
  readonly nano: number;
  over: number;
  maxTokens: number;
  maxNano: number;
}

/**
 * Books normalized usage records into ledgers in memory bounded by the distinct keys, never by
 * the number of records. Four {@link Ledger}s each book every record: by agent (and model), by
 * task, by user and by session, so memory is O(agents × models + tasks + users + sessions) counter
 * rows (a single ledger would keep a row per agent × task × user × session × model combination,
 * which grows with the records when sessions are many). Each dimension keeps at most `maxKeys`
 * distinct keys (later ones are booked as `(other)`); the ledgers keep no records
 * (`recentCapacity: 0`); the series keeps at most `maxSeriesPeriods` periods.
 *
 * "Now" is the latest record time (a {@link HistoricalClock}): a report describes the moment the
 * log ends. Records should arrive roughly in time order; one older than a record before it is
 * booked in the latest one's periods (as the ledger does) and counted as out of order. A record
 * without a time is booked at the previous record's time (the epoch before any). Records are
 * priced at the prices in force at the latest record time seen, unless they state their cost.
 * @throws KernelError `INVALID_ARGUMENT` or `INVALID_CONFIG` from the constructor for bad options
 *   or prices
 */
export class UsageAggregator {
  readonly options: ResolvedUsageReportOptions;
  readonly clock: HistoricalClock;
  readonly pricing: Pricing;
  readonly series: SpendSeries;
  #ledgers: Record<Booked, Ledger> | undefined;
  /** Per booked dimension, the attribution handles by key (`maxKeys` + `(other)` at most). */
  #handles: Record<Booked, KeyCap<Attribution>> | undefined;
  /** Per booked dimension, the handle of records without that id. */
  #none: Record<Booked, Attribution> | undefined;
  readonly #models: KeyCap<string>;
  readonly #unknown = new Map<string, MutableUnknown>();
  readonly #unknownCap: KeyCap<string>;
  readonly #calls: CallCounter[];
  readonly #formats: Partial<Record<UsageFormat, number>> = {};
  #records = 0;
  #unpriced = 0;
  #timed = 0;
  #untimed = 0;
  #outOfOrder = 0;
  #maxLag = 0;
  #first = Infinity;
  #latest = -Infinity;

  /** @throws KernelError `INVALID_ARGUMENT` or `INVALID_CONFIG` for bad options or prices */
  constructor(options: UsageReportOptions = {}) {
    this.options = resolveUsageReportOptions(options);
    const o = this.options;
    this.clock = new HistoricalClock(o.clock);
    const unknown = o.unknownModel;
    this.pricing =
      o.pricing ??
      createPricing({
        ...(o.prices !== undefined && { prices: o.prices }),
        onUnknownModel: typeof unknown === 'object' ? { fallback: unknown.fallback } : 'error',
        // Unknown models are listed in the report; a process warning per model would be noise.
        onWarn: () => undefined,
        clock: this.clock,
      });
    this.series = new SpendSeries(o.seriesPeriod, o.timeZone, o.maxSeriesPeriods);
    this.#models = new KeyCap(o.maxKeys, (key) => key);
    this.#unknownCap = new KeyCap(o.maxKeys, (key) => key);
    this.#calls = o.limits
      .map((spec, index) => ({ spec, index }))
      .filter(({ spec }) => spec.scope === 'call')
      .map(({ spec, index }) => ({
        name: spec.name ?? `call#${index}`,
        tokens: spec.tokens,
        usd: spec.usd,
        nano: spec.usd === undefined ? Infinity : Math.round(spec.usd * 1e9),
        over: 0,
        maxTokens: 0,
        maxNano: 0,
      }));
  }

  /**
   * The ledger that holds `dimension` (the agent one for `model`), once a record was booked. Each
   * of the four ledgers books every record, so all give the same totals; only the agent ledger
   * splits by model (the others book every record under the model `*`, one cell per key).
   */
  ledgerFor(dimension: Dimension): Ledger | undefined {
    return this.#ledgers?.[dimension === 'model' ? 'agent' : dimension];
  }

  /**
   * Prices (unless the record states its cost) and books one record.
   * @returns false when it was left out (an unknown model under `'skip'`)
   * @throws KernelError `UNKNOWN_MODEL` under `unknownModel: 'error'`
   */
  add(record: NormalizedRecord): boolean {
    const { usage, model } = record;
    let costNano = record.costNano;
    let source = record.priceSource;
    if (costNano === undefined) {
      const price = this.#price(record);
      if (price === undefined) return false;
      costNano = this.pricing.cost(price, usage);
      source = price.source;
    }
    let time = record.time;
    if (time === undefined) {
      this.#untimed++;
      time = this.#latest === -Infinity ? 0 : this.#latest;
    } else {
      this.#timed++;
      this.clock.advance(time);
      if (time < this.#first) this.#first = time;
      if (time < this.#latest) {
        this.#outOfOrder++;
        if (this.#latest - time > this.#maxLag) this.#maxLag = this.#latest - time;
      }
    }
    if (time > this.#latest) this.#latest = time;
    if (this.#ledgers === undefined) this.#start();
    const ledgers = this.#ledgers!;
    const handles = this.#handles!;
    const none = this.#none!;
    const modelKey = this.#models.get(model);
    for (const dimension of BOOKED) {
      const id = record[ID_FIELD[dimension]];
      ledgers[dimension].add(
        id === undefined ? none[dimension] : handles[dimension].get(id),
        dimension === 'agent' ? modelKey : ALL,
        usage,
        costNano,
        source ?? 'record',
        record.cached,
        undefined,
        time,
        record.savedNano,
      );
    }
    this.series.add(this.#latest, usage, costNano);
    this.#records++;
    this.#formats[record.format] = (this.#formats[record.format] ?? 0) + 1;
    for (const cap of this.#calls)
      this.#checkCall(cap, usage.inputTokens + usage.outputTokens, costNano);
    return true;
  }

  /** Calls over each per-call limit. */
  callLimits(): CallLimitRow[] {
    return this.#calls.map(({ name, tokens, usd, over, maxTokens, maxNano }) => ({
      name,
      tokens,
      usd,
      over,
      maxTokens,
      maxNano,
    }));
  }

  /** Models without a price, most calls first. */
  unknownModels(): UnknownModelRow[] {
    return [...this.#unknown.values()]
      .map((row) => ({ ...row }))
      .sort((a, b) => b.calls - a.calls || (a.model < b.model ? -1 : 1));
  }

  /** Counters, including the sizes of every bounded structure. */
  stats(): AggregatorStats {
    const per = (f: (cap: KeyCap<unknown>) => number): Record<Dimension, number> => {
      const h = this.#handles;
      return {
        agent: h === undefined ? 0 : f(h.agent),
        task: h === undefined ? 0 : f(h.task),
        user: h === undefined ? 0 : f(h.user),
        session: h === undefined ? 0 : f(h.session),
        model: f(this.#models),
      };
    };
    return {
      records: this.#records,
      unpriced: this.#unpriced,
      timed: this.#timed,
      untimed: this.#untimed,
      outOfOrder: this.#outOfOrder,
      maxLagMs: this.#maxLag,
      firstTime: this.#timed > 0 ? this.#first : undefined,
      lastTime: this.#timed > 0 ? this.clock.now() : undefined,
      formats: { ...this.#formats },
      keys: per((c) => c.size),
      folded: per((c) => c.folded),
      seriesPeriods: this.series.size,
    };
  }

  #checkCall(cap: CallCounter, tokens: number, nano: number): void {
    if (tokens > cap.maxTokens) cap.maxTokens = tokens;
    if (nano > cap.maxNano) cap.maxNano = nano;
    if ((cap.tokens !== undefined && tokens > cap.tokens) || nano > cap.nano) cap.over++;
  }

  #price(record: NormalizedRecord): ResolvedPrice | undefined {
    const { model, usage } = record;
    const known = this.#unknown.get(model);
    let price: ResolvedPrice | undefined;
    if (known === undefined || known.pricedAs !== undefined) {
      try {
        price = this.pricing.resolve(model);
      } catch (error) {
        if (!isKernelError(error, 'UNKNOWN_MODEL') || this.options.unknownModel === 'error')
          throw error;
      }
    }
    if (price === undefined || price.source.startsWith('fallback:')) {
      const key = this.#unknownCap.get(model);
      let row = this.#unknown.get(key);
      if (row === undefined) {
        row = { model: key, calls: 0, inputTokens: 0, outputTokens: 0, pricedAs: price?.source };
        this.#unknown.set(key, row);
      }
      row.calls++;
      row.inputTokens += usage.inputTokens;
      row.outputTokens += usage.outputTokens;
      if (price === undefined) this.#unpriced++;
    }
    return price;
  }

  /** Creates the ledgers at the first record, so that their observation starts with it. */
  #start(): void {
    const ledgers = {} as Record<Booked, Ledger>;
    const handles = {} as Record<Booked, KeyCap<Attribution>>;
    const none = {} as Record<Booked, Attribution>;
    for (const dimension of BOOKED) {
      const ledger = new Ledger({
        clock: this.clock,
        timeZone: this.options.timeZone,
        recentCapacity: 0,
      });
      const attribution = (key: string) =>
        ledger.attribution(
          dimension === 'agent' ? { agentId: key } : { agentId: ALL, [ID_FIELD[dimension]]: key },
        );
      ledgers[dimension] = ledger;
      handles[dimension] = new KeyCap(this.options.maxKeys, attribution);
      none[dimension] = attribution(NO_KEY);
    }
    this.#ledgers = ledgers;
    this.#handles = handles;
    this.#none = none;
  }
}
