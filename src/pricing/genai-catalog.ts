import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, findProvider, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { intern } from './intern.js';
import { nextPriceChange, pricesAt, ratesOf } from './genai-rates.js';
import { splitProviderPrefix } from './model-name.js';
import type { RatesPerMTok, TierRatesPerMTok } from './resolved-price.js';

function packageSource(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const manifest = JSON.parse(
      readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'),
    ) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string'
      ? `genai-prices@${manifest.version}`
      : 'genai-prices';
  } catch {
    return 'genai-prices';
  }
}

/** The price source recorded for default prices: `'genai-prices@<installed version>'`. */
export const GENAI_PRICES_SOURCE: string = intern(packageSource());

// The package exposes its bundled provider list only through this promise. Awaiting it once at
// load keeps `resolve()` and `list()` synchronous; it is already resolved unless the application
// started a remote `updatePrices()` before importing token-kernel.
const providers: readonly Provider[] = (await waitForUpdate()) ?? [];

// First-party providers first, so that a name every reseller lists gets its maker's price.
const PREFERRED = ['openai', 'anthropic', 'google'];
const scanOrder: readonly string[] = [
  ...PREFERRED.filter((id) => providers.some((p) => p.id === id)),
  ...providers.map((p) => p.id).filter((id) => !PREFERRED.includes(id)),
];

/** A model's token rates from genai-prices, valid until `expiresAt` (ms since epoch). */
export interface CatalogMatch {
  /** `'<provider>:<model id>'`. */
  readonly matched: string;
  readonly base: RatesPerMTok;
  readonly tiers: readonly TierRatesPerMTok[];
  /** When a time- or date-conditional price may change; `Infinity` otherwise. */
  readonly expiresAt: number;
}

/** The outcome of {@link lookupCatalog}. */
export interface CatalogLookup {
  readonly match?: CatalogMatch;
  /** A genai-prices model the name matched that has no per-token price (audio hours, pages…). */
  readonly notPerToken?: string;
}

/**
 * Finds a model's token rates in genai-prices, using its match rules (dated snapshots, `@`
 * versions, provider fallbacks). Tried in order: a `provider/` or `provider:` prefix naming a
 * genai-prices provider; the name by the providers' model rules; the name without its prefix;
 * then every provider in turn (first-party first). Slow (~0.4 ms a hit, ~2 ms a miss): memoize.
 */
export function lookupCatalog(model: string, now: number): CatalogLookup {
  const timestamp = new Date(now);
  let notPerToken: string | undefined;
  const attempt = (name: string, providerId?: string): CatalogMatch | undefined => {
    let result;
    try {
      result = calcPrice(
        { input_tokens: 0, output_tokens: 0 },
        name,
        providerId === undefined ? { timestamp } : { providerId, timestamp },
      );
    } catch {
      // Malformed price data for one model must not stop the search through the others.
      return undefined;
    }
    if (result === null) return undefined;
    const matched = `${result.provider.id}:${result.model.id}`;
    const rates = ratesOf(result.model_price);
    if (rates === undefined) {
      notPerToken ??= matched;
      return undefined;
    }
    return { matched, ...rates, expiresAt: nextPriceChange(result.model, now) };
  };
  const split = splitProviderPrefix(model);
  const prefixed = split === undefined ? undefined : findProvider({ providerId: split.provider });
  const found =
    (split !== undefined && prefixed !== undefined
      ? attempt(split.rest, prefixed.id)
      : undefined) ??
    attempt(model) ??
    (split === undefined ? undefined : attempt(split.rest)) ??
    scan(model, attempt) ??
    (split === undefined ? undefined : scan(split.rest, attempt));
  if (found !== undefined) return { match: found };
  return notPerToken === undefined ? {} : { notPerToken };
}

function scan(
  name: string,
  attempt: (name: string, providerId: string) => CatalogMatch | undefined,
): CatalogMatch | undefined {
  for (const id of scanOrder) {
    const found = attempt(name, id);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** One genai-prices model with per-token prices, as listed by `prices [pattern]`. */
export interface CatalogRow {
  /** `'<provider>:<model id>'`, a name `resolve()` accepts. */
  readonly model: string;
  readonly base: RatesPerMTok;
}

/** Every genai-prices model with per-token prices, at the prices in force at `now`. */
export function catalogRows(now: number): CatalogRow[] {
  const rows: CatalogRow[] = [];
  for (const provider of providers) {
    for (const model of provider.models) {
      const rates = ratesOf(pricesAt(model, now));
      if (rates !== undefined) rows.push({ model: `${provider.id}:${model.id}`, base: rates.base });
    }
  }
  return rows;
}
