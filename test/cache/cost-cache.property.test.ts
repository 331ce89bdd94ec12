import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCostCache } from '../../src/cache/cost-cache.js';
import { FakeClock } from '../helpers/fake-clock.js';

interface Value {
  readonly key: string;
  readonly costNano: number;
  readonly bytes: number;
  readonly tokens: number;
}

const key = fc.integer({ min: 0, max: 11 }).map((i) => `k${i}`);
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      costNano: fc.integer({ min: 0, max: 10_000 }),
      bytes: fc.integer({ min: 1, max: 40 }),
      tokens: fc.integer({ min: 0, max: 500 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('has' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stats' as const) }) },
);
const options = fc.record({
  maxBytes: fc.integer({ min: 1, max: 150 }),
  ttlMs: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
  admission: fc.boolean(),
  windowRatio: fc.constantFrom(0, 0.01, 0.2, 0.5, 1),
  adaptiveWindow: fc.boolean(),
});

describe('cost cache properties', () => {
  it('keeps its statistics consistent with what callers observed', () => {
    fc.assert(
      fc.property(options, fc.array(op, { maxLength: 150 }), (opts, ops) => {
        const clock = new FakeClock();
        const { ttlMs, ...rest } = opts;
        const cache = createCostCache<Value>({
          ...rest,
          clock,
          ...(ttlMs === undefined ? {} : { ttlMs }),
        });
        const latest = new Map<string, Value>();
        let lookups = 0;
        let hits = 0;
        let saved = 0;
        let tokens = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'get': {
              lookups++;
              const value = cache.get(o.key);
              if (value !== undefined) {
                // Only the value of the key's latest set is ever returned.
                expect(value).toBe(latest.get(o.key));
                hits++;
                saved += value.costNano;
                tokens += value.tokens;
              }
              break;
            }
            case 'set': {
              const value: Value = {
                key: o.key,
                costNano: o.costNano,
                bytes: o.bytes,
                tokens: o.tokens,
              };
              latest.set(o.key, value);
              const stored = cache.set(o.key, value, o);
              expect(stored).toBe(cache.has(o.key));
              if (o.bytes > opts.maxBytes) expect(stored).toBe(false);
              break;
            }
            case 'delete':
              if (cache.delete(o.key)) expect(cache.has(o.key)).toBe(false);
              latest.delete(o.key);
              break;
            case 'has':
              cache.has(o.key);
              break;
            case 'advance':
              clock.advance(o.ms);
              break;
            case 'stats':
              break;
          }
          const live = [...latest.keys()].filter((k) => cache.has(k));
          const stats = cache.stats();
          expect(stats.hits + stats.misses).toBe(lookups);
          expect(stats.hits).toBe(hits);
          expect(stats.costSavedNano).toBe(saved);
          expect(stats.tokensSaved).toBe(tokens);
          expect(stats.bytes).toBeLessThanOrEqual(opts.maxBytes);
          expect(stats.entries).toBe(live.length);
          expect(cache.size).toBe(live.length);
          expect(stats.bytes).toBe(
            live.reduce((sum, k) => sum + (latest.get(k) as Value).bytes, 0),
          );
          const r = stats.evictionsByReason;
          expect(stats.evictions).toBe(r.capacity + r.expired + r.rejected + r.deleted);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never returns an entry older than its TTL', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.integer({ min: 0, max: 300 }), fc.boolean()), { maxLength: 100 }),
        (steps) => {
          const clock = new FakeClock();
          const cache = createCostCache<number>({ maxBytes: 1000, ttlMs: 200, clock });
          const setAt = new Map<string, number>();
          for (const [k, wait, write] of steps) {
            clock.advance(wait);
            if (write) {
              cache.set(k, clock.now(), { costNano: 1, bytes: 10 });
              setAt.set(k, clock.now());
            } else if (cache.get(k) !== undefined) {
              expect(clock.now() - (setAt.get(k) as number)).toBeLessThan(200);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
