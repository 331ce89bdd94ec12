import type { ModelInfo, ModelPrice } from '@pydantic/genai-prices';
import type { RatesPerMTok, TierRatesPerMTok } from './resolved-price.js';

const DAY_MS = 86_400_000;
const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

interface Tiered {
  readonly base: number;
  readonly tiers: readonly { readonly start: number; readonly price: number }[];
}
type RawRate = number | Tiered | undefined;

/** Token rates of one genai-prices `model_price`, or undefined when it has no token prices. */
export function ratesOf(
  price: ModelPrice,
): { base: RatesPerMTok; tiers: TierRatesPerMTok[] } | undefined {
  const input = price['input_mtok'] as RawRate;
  const output = price['output_mtok'] as RawRate;
  // A model billed only per hour, page or request would cost $0 per token: treat it as unpriced.
  if (input === undefined && output === undefined) return undefined;
  const read = price['cache_read_mtok'] as RawRate;
  const write = price['cache_write_mtok'] as RawRate;
  const starts = new Set<number>();
  for (const raw of [input, output, read, write]) {
    if (typeof raw === 'object') for (const tier of raw.tiers) starts.add(tier.start);
  }
  const at = (above: number): RatesPerMTok => {
    const inputRate = rateAbove(input, above) ?? 0;
    return {
      input: inputRate,
      output: rateAbove(output, above) ?? 0,
      cacheRead: rateAbove(read, above) ?? inputRate,
      cacheWrite: rateAbove(write, above) ?? inputRate,
    };
  };
  return {
    base: at(-1),
    tiers: [...starts]
      .sort((a, b) => a - b)
      .map((start) => ({ aboveInputTokens: start, ...at(start) })),
  };
}

/**
 * The rate of one key for every input total greater than `above` (and up to the next
 * threshold): genai-prices switches to a tier's price when input tokens exceed its `start`.
 */
function rateAbove(raw: RawRate, above: number): number | undefined {
  if (raw === undefined || typeof raw === 'number') return raw;
  let rate = raw.base;
  let reached = -1;
  for (const tier of raw.tiers) {
    if (tier.start <= above && tier.start > reached) {
      rate = tier.price;
      reached = tier.start;
    }
  }
  return rate;
}

/** Seconds after UTC midnight of a genai-prices time-of-day ("16:30:00Z", "08:00:00+08:00"). */
function secondsOfDay(text: string): number | undefined {
  const m = TIME_OF_DAY.exec(text);
  if (m === null) return undefined;
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const offset =
    m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  return (((local - offset) % 86_400) + 86_400) % 86_400;
}

function startDateMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/**
 * The price set in force at `now` (ms since epoch), as genai-prices picks it: the last
 * conditional price whose constraint holds, else the first.
 */
export function pricesAt(model: ModelInfo, now: number): ModelPrice {
  const prices = model.prices;
  if (!Array.isArray(prices)) return prices;
  const second = (((now % DAY_MS) + DAY_MS) % DAY_MS) / 1000;
  for (let i = prices.length - 1; i >= 0; i--) {
    const { constraint, prices: set } = prices[i]!;
    if (constraint === undefined) return set;
    if ('start_date' in constraint) {
      if (now >= startDateMs(constraint.start_date)) return set;
    } else {
      const start = secondsOfDay(constraint.start_time);
      const end = secondsOfDay(constraint.end_time);
      if (start === undefined || end === undefined) continue;
      if (end < start ? second >= start || second < end : second >= start && second < end) {
        return set;
      }
    }
  }
  return prices[0]!.prices;
}

/**
 * The next instant after `now` at which the model's price set may change (a future start date
 * or a time-of-day boundary); `Infinity` when its price never changes.
 */
export function nextPriceChange(model: ModelInfo, now: number): number {
  if (!Array.isArray(model.prices)) return Infinity;
  let next = Infinity;
  const midnight = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
  for (const { constraint } of model.prices) {
    if (constraint === undefined) continue;
    if ('start_date' in constraint) {
      const at = startDateMs(constraint.start_date);
      if (at > now && at < next) next = at;
      continue;
    }
    for (const text of [constraint.start_time, constraint.end_time]) {
      const second = secondsOfDay(text);
      if (second === undefined) continue;
      let at = midnight + second * 1000;
      if (at <= now) at += DAY_MS;
      if (at < next) next = at;
    }
  }
  return next;
}
