import { systemClock, type Clock } from '../clock.js';
import { KernelError } from '../errors.js';
import type { Usage } from '../usage.js';
import { expectId, invalid } from '../validate.js';
import { GENAI_PRICES_SOURCE, catalogRows, lookupCatalog } from './genai-catalog.js';
import { intern } from './intern.js';
import { invalidConfig } from './invalid-config.js';
import { modelPattern } from './model-pattern.js';
import { priceCost, priceMaxCost } from './price-cost.js';
import { PriceTable, type PriceTableInput } from './price-table.js';
import {
  makeResolvedPrice,
  renamePrice,
  type RatesPerMTok,
  type ResolvedPrice,
} from './resolved-price.js';

/**
 * The rates charged for an unknown model under `onUnknownModel: 'warn'`, in USD per million
 * tokens: a frontier model's list price (Claude Opus 4 class), so that budgets trip early
 * rather than late. Not the dearest model that exists: pass `{ fallback }` or a price to be exact.
 */
export const CONSERVATIVE_PRICE: Readonly<RatesPerMTok> = Object.freeze({
  input: 15,
  output: 75,
  cacheRead: 15,
  cacheWrite: 18.75,
});

/** What `resolve()` does with a model that has no price. */
export type UnknownModelPolicy = 'error' | 'warn' | { readonly fallback: string };

/** Options of {@link createPricing}. */
export interface PricingOptions {
  /** User prices (USD per million tokens); they win over the defaults. */
  readonly prices?: PriceTableInput;
  /**
   * `'error'`: throw `UNKNOWN_MODEL`. `'warn'`: warn once per model and charge
   * {@link CONSERVATIVE_PRICE}. `{ fallback }`: warn once per model and charge the fallback
   * model's price (which must itself be priced). An unknown model is never priced at $0.
   * @default 'error'
   */
  readonly onUnknownModel?: UnknownModelPolicy;
  /** Include the `@pydantic/genai-prices` catalog. @default true */
  readonly defaults?: boolean;
  /** Receives each warning once per model. @default `process.emitWarning` */
  readonly onWarn?: (message: string) => void;
  /** Picks date- and time-of-day-conditional prices. @default systemClock */
  readonly clock?: Clock;
}

/** One row of {@link Pricing.list}: base rates in USD per million tokens. */
export interface PriceListRow {
  readonly model: string;
  readonly source: string;
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheReadPerMTok: number;
  readonly cacheWritePerMTok: number;
}

/** Prices models and computes integer nano-USD costs. */
export interface Pricing {
  /**
   * The rates of `model`: user table first, then genai-prices (provider prefixes such as
   * `openai/gpt-4o` and dated snapshots such as `gpt-4o-2024-08-06` resolve), then the
   * unknown-model policy. Memoized; a date- or time-conditional price is re-resolved when it
   * changes.
   * @throws KernelError `INVALID_ARGUMENT` (model not a non-empty string), `UNKNOWN_MODEL`
   */
  resolve(model: string): ResolvedPrice;
  /**
   * Until when (ms since the epoch) the price `resolve(model)` returned last stays in force:
   * Infinity for a fixed price, the next change for a date- or time-conditional one. The kernel
   * reuses an agent's price until then; a `Pricing` without this method is asked on every call.
   */
  validUntil?(model: string): number;
  /**
   * The cost of `usage` in integer nano-USD (see {@link priceCost} for the formula). Hot path:
   * no validation, no allocation; pass a usage that passed `validateUsage`.
   */
  cost(price: ResolvedPrice, usage: Usage): number;
  /** An upper bound in nano-USD of `cost` for any usage within these token counts, for reservations. */
  maxCost(price: ResolvedPrice, inputTokens: number, outputTokens: number): number;
  /**
   * User and default prices whose name matches `pattern` (a case-insensitive substring, or a
   * glob with `*` and `?`); every price when omitted. Default rows are named
   * `'<provider>:<model id>'`.
   * @throws KernelError `INVALID_ARGUMENT`
   */
  list(pattern?: string): PriceListRow[];
}

interface MemoEntry {
  readonly price: ResolvedPrice;
  readonly expiresAt: number;
}

const MEMO_LIMIT = 10_000;

/**
 * Creates a {@link Pricing}.
 * @throws KernelError `INVALID_CONFIG` (bad option, bad price table naming model and field, or a
 *   fallback model without a price)
 * @example
 * const pricing = createPricing({ prices: { 'my-model': { input: 1, output: 4 } } });
 * const price = pricing.resolve('openai/gpt-4o-2024-08-06');
 * pricing.cost(price, { inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 300 }); // nUSD
 */
export function createPricing(options: PricingOptions = {}): Pricing {
  return new PriceBook(options);
}

class PriceBook implements Pricing {
  readonly #table: PriceTable | undefined;
  readonly #defaults: boolean;
  readonly #policy: 'error' | 'warn' | 'fallback';
  readonly #fallback: string;
  readonly #onWarn: (message: string) => void;
  readonly #clock: Clock;
  readonly #memo = new Map<string, MemoEntry>();
  readonly #warned = new Map<string, true>();
  readonly #misses = new Map<string, string | undefined>();

  constructor(options: PricingOptions) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      invalidConfig('options', 'an object', options);
    }
    const { prices, onUnknownModel = 'error', defaults = true, onWarn, clock } = options;
    this.#table = prices === undefined ? undefined : new PriceTable(prices, 'prices');
    if (typeof defaults !== 'boolean') invalidConfig('defaults', 'a boolean', defaults);
    this.#defaults = defaults;
    if (onWarn !== undefined && typeof onWarn !== 'function') {
      invalidConfig('onWarn', 'a function', onWarn);
    }
    this.#onWarn = onWarn ?? defaultWarn;
    if (clock !== undefined && (clock === null || typeof clock.now !== 'function')) {
      invalidConfig('clock', 'a Clock', clock);
    }
    this.#clock = clock ?? systemClock;
    if (onUnknownModel === 'error' || onUnknownModel === 'warn') {
      this.#policy = onUnknownModel;
      this.#fallback = '';
    } else if (
      onUnknownModel !== null &&
      typeof onUnknownModel === 'object' &&
      typeof onUnknownModel.fallback === 'string' &&
      onUnknownModel.fallback.length > 0 &&
      onUnknownModel.fallback.length <= 256
    ) {
      this.#policy = 'fallback';
      this.#fallback = onUnknownModel.fallback;
      if (this.#known(this.#fallback, this.#clock.now()).entry === undefined) {
        invalidConfig('onUnknownModel.fallback', 'a model with a known price', this.#fallback);
      }
    } else {
      invalidConfig('onUnknownModel', "'error', 'warn' or { fallback: '<model>' }", onUnknownModel);
    }
  }

  resolve(model: string): ResolvedPrice {
    const hit = this.#memo.get(model);
    if (hit !== undefined && (hit.expiresAt === Infinity || this.#clock.now() < hit.expiresAt)) {
      return hit.price;
    }
    expectId('model', model);
    return this.#entry(model).price;
  }

  validUntil(model: string): number {
    return this.#memo.get(model)?.expiresAt ?? 0;
  }

  cost(price: ResolvedPrice, usage: Usage): number {
    return priceCost(price, usage);
  }

  maxCost(price: ResolvedPrice, inputTokens: number, outputTokens: number): number {
    return priceMaxCost(price, inputTokens, outputTokens);
  }

  list(pattern?: string): PriceListRow[] {
    if (pattern !== undefined && (typeof pattern !== 'string' || pattern.length > 256)) {
      invalid('pattern', 'a string of at most 256 characters', pattern);
    }
    const keep = pattern === undefined || pattern === '' ? () => true : modelPattern(pattern);
    const rows: PriceListRow[] = [];
    const add = (model: string, source: string, rates: RatesPerMTok): void => {
      if (!keep(model)) return;
      rows.push({
        model,
        source,
        inputPerMTok: rates.input,
        outputPerMTok: rates.output,
        cacheReadPerMTok: rates.cacheRead,
        cacheWritePerMTok: rates.cacheWrite,
      });
    };
    for (const entry of this.#table?.entries ?? []) add(entry.id, 'user', entry.base);
    if (this.#defaults) {
      for (const row of catalogRows(this.#clock.now()))
        add(row.model, GENAI_PRICES_SOURCE, row.base);
    }
    return rows;
  }

  #entry(model: string): MemoEntry {
    // A miss costs a scan of every provider (~2 ms): remember it too.
    const missed = this.#misses.has(model);
    const found: { entry?: MemoEntry; notPerToken?: string } = missed
      ? {}
      : this.#known(model, this.#clock.now());
    let entry = found.entry;
    if (entry === undefined) {
      const notPerToken = missed ? this.#misses.get(model) : found.notPerToken;
      if (!missed) remember(this.#misses, model, notPerToken);
      entry = this.#unknown(model, notPerToken);
    }
    remember(this.#memo, model, entry);
    return entry;
  }

  #known(model: string, now: number): { entry?: MemoEntry; notPerToken?: string } {
    const user = this.#table?.lookup(model);
    if (user !== undefined) {
      return {
        entry: {
          price: makeResolvedPrice(model, 'user', user.id, user.base, user.tiers),
          expiresAt: Infinity,
        },
      };
    }
    if (!this.#defaults) return {};
    const { match, notPerToken } = lookupCatalog(model, now);
    if (match === undefined) return notPerToken === undefined ? {} : { notPerToken };
    return {
      entry: {
        price: makeResolvedPrice(
          model,
          GENAI_PRICES_SOURCE,
          match.matched,
          match.base,
          match.tiers,
        ),
        expiresAt: match.expiresAt,
      },
    };
  }

  #unknown(model: string, notPerToken: string | undefined): MemoEntry {
    const where = this.#defaults
      ? `it is neither in the user price table nor in ${GENAI_PRICES_SOURCE}` +
        (notPerToken === undefined
          ? ''
          : ` (which lists it as ${notPerToken} without a per-token price)`)
      : 'it is not in the user price table (genai-prices defaults are off)';
    if (this.#policy === 'error') {
      throw new KernelError(
        'UNKNOWN_MODEL',
        `No price for model ${JSON.stringify(model)}: ${where}. Add it to the \`prices\` option, ` +
          `e.g. { ${JSON.stringify(model)}: { input: <USD per million tokens>, output: <USD per ` +
          `million tokens> } }, or set \`onUnknownModel: { fallback: '<priced model>' }\`.`,
        { details: { model } },
      );
    }
    if (this.#policy === 'warn') {
      this.#warn(
        model,
        `No price for model ${JSON.stringify(model)}: ${where}; charging the conservative ` +
          `default of $${CONSERVATIVE_PRICE.input}/MTok input and $${CONSERVATIVE_PRICE.output}/MTok ` +
          'output. Add it to the `prices` option to charge its real price.',
      );
      return {
        price: makeResolvedPrice(model, 'conservative-default', '', CONSERVATIVE_PRICE, []),
        expiresAt: Infinity,
      };
    }
    const fallback = this.#known(this.#fallback, this.#clock.now()).entry;
    if (fallback === undefined) {
      throw new KernelError(
        'UNKNOWN_MODEL',
        `No price for model ${JSON.stringify(model)} nor for its fallback ` +
          `${JSON.stringify(this.#fallback)}. Add them to the \`prices\` option.`,
        { details: { model, fallback: this.#fallback } },
      );
    }
    this.#warn(
      model,
      `No price for model ${JSON.stringify(model)}: ${where}; charging the price of the fallback ` +
        `${JSON.stringify(this.#fallback)}. Add it to the \`prices\` option to charge its real price.`,
    );
    return {
      price: renamePrice(fallback.price, model, intern(`fallback:${this.#fallback}`)),
      expiresAt: fallback.expiresAt,
    };
  }

  #warn(model: string, message: string): void {
    if (this.#warned.has(model)) return;
    remember(this.#warned, model, true);
    this.#onWarn(message);
  }
}

/** Inserts into a bounded map, dropping the oldest entry when full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MEMO_LIMIT && !map.has(key)) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { type: 'TokenKernelWarning', code: 'TOKEN_KERNEL_UNKNOWN_MODEL' });
}
