import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceEntry } from '../../src/pricing/price-table.js';
import { createPricing } from '../../src/pricing/pricing.js';
import type { ResolvedPrice } from '../../src/pricing/resolved-price.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { referenceNano } from './fixtures/published-rates.js';

const RUNS = { seed: 20_260_105, numRuns: 300 };

// Rates as price lists write them: up to $1000/MTok with up to 4 decimals (0.0028 included),
// plus tiny rates of a few tenths of a nano-dollar per token where per-class rounding matters.
const rate = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 10_000),
  fc.integer({ min: 0, max: 100 }).map((n) => n / 10_000),
);
const tokens = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 3_000_000 }));

type TierDraft = { gap: number; rates: [number, number, number, number] };

const entry = (withTiers: boolean, rising: boolean): fc.Arbitrary<PriceEntry> =>
  fc
    .record({
      input: rate,
      output: rate,
      cacheRead: rate,
      cacheWrite: rate,
      tiers: fc.array(
        fc.record({
          gap: fc.integer({ min: 1, max: 1_000_000 }),
          rates: fc.tuple(rate, rate, rate, rate),
        }),
        { maxLength: withTiers ? 3 : 0 },
      ) as fc.Arbitrary<TierDraft[]>,
    })
    .map(({ tiers, ...base }) => {
      let above = 0;
      let last = [base.input, base.output, base.cacheRead, base.cacheWrite];
      return {
        ...base,
        tiers: tiers.map(({ gap, rates }) => {
          above += gap;
          // Rising tiers never cost less than the rates below them, as every real price list does.
          const [input, output, cacheRead, cacheWrite] = rising
            ? rates.map((r, i) => Math.round((r + last[i]!) * 10_000) / 10_000)
            : rates;
          last = [input!, output!, cacheRead!, cacheWrite!];
          return {
            aboveInputTokens: above,
            input: input!,
            output: output!,
            cacheRead: cacheRead!,
            cacheWrite: cacheWrite!,
          };
        }),
      };
    });

function priceOf(e: PriceEntry): {
  cost: (u: Usage) => number;
  price: ResolvedPrice;
  maxCost: (i: number, o: number) => number;
} {
  const pricing = createPricing({ defaults: false, prices: { m: e } });
  const price = pricing.resolve('m');
  return {
    price,
    cost: (u) => pricing.cost(price, u),
    maxCost: (i, o) => pricing.maxCost(price, i, o),
  };
}

/** A usage built from its disjoint classes. */
const usageOf = (uncached: number, read: number, write: number, output: number): Usage => ({
  inputTokens: uncached + read + write,
  cacheReadTokens: read,
  cacheWriteTokens: write,
  outputTokens: output,
});

describe('cost properties', () => {
  it('is a non-negative safe integer', () => {
    fc.assert(
      fc.property(entry(true, false), tokens, tokens, tokens, tokens, (e, u, r, w, o) => {
        const cost = priceOf(e).cost(usageOf(u, r, w, o));
        expect(Number.isSafeInteger(cost) && cost >= 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('never decreases when any one token class grows', () => {
    fc.assert(
      fc.property(
        entry(true, true),
        fc.tuple(tokens, tokens, tokens, tokens),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (e, classes, which, more) => {
          const { cost } = priceOf(e);
          const grown = [...classes] as [number, number, number, number];
          grown[which] = grown[which]! + more;
          expect(cost(usageOf(...grown))).toBeGreaterThanOrEqual(cost(usageOf(...classes)));
        },
      ),
      RUNS,
    );
  });

  it('is the sum of the costs of its classes priced alone (untiered prices)', () => {
    fc.assert(
      fc.property(entry(false, false), tokens, tokens, tokens, tokens, (e, u, r, w, o) => {
        const { cost } = priceOf(e);
        expect(cost(usageOf(u, r, w, o))).toBe(
          cost(usageOf(u, 0, 0, 0)) +
            cost(usageOf(0, r, 0, 0)) +
            cost(usageOf(0, 0, w, 0)) +
            cost(usageOf(0, 0, 0, o)),
        );
      }),
      RUNS,
    );
  });

  it('is bounded by maxCost for every usage within the reserved token counts', () => {
    fc.assert(
      fc.property(
        entry(true, false),
        tokens,
        tokens,
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (e, reservedIn, reservedOut, [inShare, readShare, writeShare], outShare) => {
          const { cost, maxCost } = priceOf(e);
          const input = Math.floor(reservedIn * inShare);
          const read = Math.floor(input * readShare);
          const write = Math.floor((input - read) * writeShare);
          const usage = {
            inputTokens: input,
            cacheReadTokens: read,
            cacheWriteTokens: write,
            outputTokens: Math.floor(reservedOut * outShare),
          };
          expect(maxCost(reservedIn, reservedOut)).toBeGreaterThanOrEqual(cost(usage));
        },
      ),
      RUNS,
    );
  });

  it('holds maxCost at the rounding edge: every class at an odd half-nano', () => {
    // 0.0025 USD/MTok is 2.5 nUSD per token: one token in each input class rounds up three times.
    const { cost, maxCost } = priceOf({
      input: 0.0025,
      output: 0.0025,
      cacheRead: 0.0025,
      cacheWrite: 0.0025,
    });
    expect(maxCost(3, 1)).toBeGreaterThanOrEqual(cost(usageOf(1, 1, 1, 1)));
  });

  it('agrees with genai-prices within the per-class roundings for real models', () => {
    const clock = new FakeClock();
    const pricing = createPricing({ clock });
    const models = [
      'gpt-4o',
      'gpt-4o-mini',
      'claude-sonnet-4-20250514',
      'claude-haiku-4-5',
      'gemini-2.5-pro',
      'o3',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        tokens,
        tokens,
        tokens,
        tokens,
        (model, u, r, w, o) => {
          const usage = usageOf(u, r, w, o);
          const ours = pricing.cost(pricing.resolve(model), usage);
          expect(
            Math.abs(ours - referenceNano(model, usage, new Date(clock.now()))),
          ).toBeLessThanOrEqual(2);
        },
      ),
      { ...RUNS, numRuns: 200 },
    );
  });
});
