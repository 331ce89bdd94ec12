import { fieldPath, invalidConfig } from './invalid-config.js';
import {
  MAX_RATE_PER_MTOK,
  type PriceEntry,
  type PriceTableInput,
  type PriceTier,
} from './price-table.js';

/** The fields of one LiteLLM `model_prices_and_context_window.json` entry that carry token prices (USD per token). */
export interface LiteLLMPriceEntry {
  readonly input_cost_per_token?: number | null;
  readonly output_cost_per_token?: number | null;
  readonly cache_read_input_token_cost?: number | null;
  readonly cache_creation_input_token_cost?: number | null;
  readonly [field: string]: unknown;
}

const CLASSES = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
} as const;
type Field = keyof typeof CLASSES;
type Rates = { -readonly [K in (typeof CLASSES)[Field]]?: number };

const TIER_FIELD =
  /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

/**
 * Converts a LiteLLM price file (`model_prices_and_context_window.json`, per-token USD) into a
 * {@link PriceTableInput} (per-million-token USD) for `createPricing({ prices })`.
 *
 * Kept: `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
 * `cache_creation_input_token_cost` and their `*_above_<N>k_tokens` variants, which become tiers
 * above N × 1000 input tokens (a class without an above-price keeps the price below it, as
 * LiteLLM bills). Skipped: `sample_spec` and entries without both an input and an output price
 * per token (image, audio, rerank models…). Ignored: batch, priority, flex and 1-hour-cache
 * prices. Keys stay as LiteLLM spells them (`azure/gpt-4o`, `gpt-4o`, …).
 * @throws KernelError `INVALID_CONFIG` naming the model and field of a price that is not a
 *   finite number from 0 to 0.01 USD per token
 */
export function fromLiteLLMPrices(file: unknown): PriceTableInput {
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    invalidConfig('litellm', 'an object of model id → LiteLLM price entry', file);
  }
  const table: Record<string, PriceEntry> = {};
  for (const [model, raw] of Object.entries(file as Record<string, unknown>)) {
    if (model === 'sample_spec' || raw === null || typeof raw !== 'object' || Array.isArray(raw))
      continue;
    const entry = raw as Record<string, unknown>;
    const read = (field: string): number | undefined => perMTok(entry[field], model, field);
    const base: Rates = {};
    for (const field of Object.keys(CLASSES) as Field[]) {
      const value = read(field);
      if (value !== undefined) base[CLASSES[field]] = value;
    }
    if (base.input === undefined || base.output === undefined || model.length > 256) continue;
    const above = new Map<number, Rates>();
    for (const field of Object.keys(entry)) {
      const m = TIER_FIELD.exec(field);
      const value = m === null ? undefined : read(field);
      if (m === null || value === undefined) continue;
      const threshold = Number(m[2]) * 1000;
      const rates = above.get(threshold) ?? {};
      rates[CLASSES[m[1] as Field]] = value;
      above.set(threshold, rates);
    }
    const tiers: PriceTier[] = [];
    let previous: Rates = base;
    for (const threshold of [...above.keys()].sort((a, b) => a - b)) {
      const rates: Rates = { ...previous, ...above.get(threshold) };
      tiers.push({
        aboveInputTokens: threshold,
        input: rates.input!,
        output: rates.output!,
        ...optional(rates),
      });
      previous = rates;
    }
    table[model] = {
      input: base.input,
      output: base.output,
      ...optional(base),
      ...(tiers.length > 0 ? { tiers } : {}),
    };
  }
  return table;
}

function optional(rates: Rates): { cacheRead?: number; cacheWrite?: number } {
  return {
    ...(rates.cacheRead === undefined ? {} : { cacheRead: rates.cacheRead }),
    ...(rates.cacheWrite === undefined ? {} : { cacheWrite: rates.cacheWrite }),
  };
}

function perMTok(value: unknown, model: string, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value * 1e6 > MAX_RATE_PER_MTOK
  ) {
    invalidConfig(
      fieldPath('litellm', model, field),
      `a finite number from 0 to ${MAX_RATE_PER_MTOK / 1e6} (USD per token)`,
      value,
      { model, field },
    );
  }
  // 2.5e-6 × 1e6 is 2.4999999999999996 in binary; 12 significant digits restore the decimal rate.
  return Number((value * 1e6).toPrecision(12));
}
