/**
 * Rates of one price tier, in nano-USD per token (USD per million tokens × 1000). A rate may be
 * fractional (0.0028 USD/MTok is 2.8 nUSD per token); costs are rounded per token class.
 */
export interface ResolvedTier {
  /** The tier applies when a call's total `inputTokens` is strictly greater than this. */
  readonly aboveInputTokens: number;
  readonly inputNano: number;
  readonly outputNano: number;
  readonly cacheReadNano: number;
  readonly cacheWriteNano: number;
}

/**
 * A model's rates, resolved once and reused for every cost computation. Rates are nano-USD per
 * token (USD/MTok × 1000). `tiers` are sorted by `aboveInputTokens`, ascending; the highest tier
 * whose threshold the call's total input exceeds replaces the base rates for every token class.
 */
export interface ResolvedPrice {
  /** The model name as it was asked for. */
  readonly model: string;
  /**
   * Where the rates come from: `'genai-prices@<version>'`, `'user'`, `'fallback:<model>'` or
   * `'conservative-default'`. Recorded with every usage record.
   */
  readonly source: string;
  /**
   * What the name matched: `'<provider>:<model id>'` in genai-prices, the user table's key, the
   * fallback's match, or `''` for the conservative default.
   */
  readonly matched: string;
  readonly inputNano: number;
  readonly outputNano: number;
  readonly cacheReadNano: number;
  readonly cacheWriteNano: number;
  readonly tiers: readonly ResolvedTier[];
}

/** Rates in USD per million tokens, every class filled in. */
export interface RatesPerMTok {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** {@link RatesPerMTok} that apply above a total input size. */
export interface TierRatesPerMTok extends RatesPerMTok {
  readonly aboveInputTokens: number;
}

/**
 * Converts USD per million tokens to nano-USD per token.
 *
 * Rounded to 1e-6 nUSD so that binary noise does not leak into costs (0.0028 × 1000 would
 * otherwise be 2.8000000000000003).
 */
export function perMTokToNano(usdPerMTok: number): number {
  return Math.round(usdPerMTok * 1e9) / 1e6;
}

/** Builds a frozen {@link ResolvedPrice}; tiers must already be sorted ascending. */
export function makeResolvedPrice(
  model: string,
  source: string,
  matched: string,
  base: RatesPerMTok,
  tiers: readonly TierRatesPerMTok[],
): ResolvedPrice {
  return Object.freeze({
    model,
    source,
    matched,
    inputNano: perMTokToNano(base.input),
    outputNano: perMTokToNano(base.output),
    cacheReadNano: perMTokToNano(base.cacheRead),
    cacheWriteNano: perMTokToNano(base.cacheWrite),
    tiers: Object.freeze(
      tiers.map((t): ResolvedTier =>
        Object.freeze({
          aboveInputTokens: t.aboveInputTokens,
          inputNano: perMTokToNano(t.input),
          outputNano: perMTokToNano(t.output),
          cacheReadNano: perMTokToNano(t.cacheRead),
          cacheWriteNano: perMTokToNano(t.cacheWrite),
        }),
      ),
    ),
  });
}

/** The same rates under another name and source (used for fallbacks). */
export function renamePrice(price: ResolvedPrice, model: string, source: string): ResolvedPrice {
  return Object.freeze({ ...price, model, source });
}
