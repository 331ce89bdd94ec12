import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateToTokens } from '../../src/compress/truncate-tokens.js';
import { countText } from '../../src/tokens/bpe-count.js';

const prose = 'The deploy key is K-93121 and the config lives in /srv/app/config.yaml. '.repeat(40);

describe('truncateToTokens', () => {
  it('keeps the longest head that fits the exact token count', () => {
    const head = truncateToTokens(prose, 50, 'o200k_base');
    expect(prose.startsWith(head)).toBe(true);
    expect(countText(head, 'o200k_base')).toBeLessThanOrEqual(50);
    expect(countText(prose.slice(0, head.length + 1), 'o200k_base')).toBeGreaterThan(50);
  });

  it('keeps the longest tail when asked', () => {
    const tail = truncateToTokens(prose, 37, 'cl100k_base', 'tail');
    expect(prose.endsWith(tail)).toBe(true);
    expect(countText(tail, 'cl100k_base')).toBeLessThanOrEqual(37);
    expect(countText(prose.slice(prose.length - tail.length - 1), 'cl100k_base')).toBeGreaterThan(
      37,
    );
  });

  it('returns the whole text when it fits, and nothing for a zero budget', () => {
    expect(truncateToTokens('short text', 100, 'o200k_base')).toBe('short text');
    expect(truncateToTokens(prose, 0, 'o200k_base')).toBe('');
  });

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(300);
    for (const keep of ['head', 'tail'] as const) {
      const cut = truncateToTokens(emoji, 41, 'o200k_base', keep);
      expect(cut).toMatch(/^(?:😀)*$/u);
    }
  });

  it('always fits, for any text and budget', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom('head' as const, 'tail' as const),
        (text, max, keep) => {
          const cut = truncateToTokens(text, max, 'o200k_base', keep);
          expect(countText(cut, 'o200k_base')).toBeLessThanOrEqual(max);
          expect(keep === 'head' ? text.startsWith(cut) : text.endsWith(cut)).toBe(true);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
