import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/cache/cache-key.js';
import { canonicalJson } from '../../src/cache/canonical-json.js';

/** Rebuilds objects with their keys in a shuffled order (deeply). */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = shuffleKeys((value as Record<string, unknown>)[k], random);
    return out;
  }
  return value;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const request = fc.record({
  model: fc.constantFrom('gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4'),
  messages: fc.array(
    fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.string() }),
    {
      maxLength: 3,
    },
  ),
  extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), jsonValue, { maxKeys: 4 }),
});

describe('cacheKey properties', () => {
  it('is invariant under key order and undefined-valued parameters', () => {
    fc.assert(
      fc.property(request, fc.integer(), (r, seed) => {
        const req = { model: r.model, messages: r.messages, ...r.extra };
        let s = seed >>> 0;
        const random = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const shuffled = shuffleKeys(req, random) as Record<string, unknown>;
        shuffled['not_set'] = undefined;
        expect(cacheKey(shuffled)).toBe(cacheKey(req));
      }),
      { numRuns: 200 },
    );
  });

  it('distinguishes requests whose canonical JSON differs', () => {
    fc.assert(
      fc.property(request, jsonValue, jsonValue, (r, a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        const req = { model: r.model, messages: r.messages };
        expect(cacheKey({ ...req, p: a })).not.toBe(cacheKey({ ...req, p: b }));
      }),
      { numRuns: 200 },
    );
  });
});
