import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { createPricing } from '../../src/pricing/pricing.js';

function configError(input: unknown): Error & { details: Readonly<Record<string, unknown>> } {
  try {
    createPricing({ defaults: false, prices: input as never });
  } catch (error) {
    expect(isKernelError(error, 'INVALID_CONFIG')).toBe(true);
    return error as Error & { details: Readonly<Record<string, unknown>> };
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('user price table validation', () => {
  it.each([
    [{ m: { output: 1 } }, 'prices["m"].input', 'undefined'],
    [{ m: { input: -1, output: 1 } }, 'prices["m"].input', '`-1`'],
    [{ m: { input: 1, output: Number.NaN } }, 'prices["m"].output', 'NaN'],
    [{ m: { input: 1, output: '2' } }, 'prices["m"].output', '"2"'],
    [{ m: { input: 1, output: 1e9 } }, 'prices["m"].output', '1000000000'],
    [{ m: { input: 1, output: 1, cacheRead: -0.1 } }, 'prices["m"].cacheRead', '-0.1'],
    [{ m: { input: 1, output: 1, cacheWrite: null } }, 'prices["m"].cacheWrite', 'null'],
    [{ m: { input: 1, output: 1, cache_read: 0.1 } }, 'prices["m"].cache_read', 'known fields'],
    [{ m: { input: 1, output: 1, match: '(' } }, 'prices["m"].match', 'valid regular expression'],
    [{ m: { input: 1, output: 1, match: 5 } }, 'prices["m"].match', '`5`'],
    [{ m: { input: 1, output: 1, aliases: 'x' } }, 'prices["m"].aliases', '"x"'],
    [{ m: { input: 1, output: 1, aliases: [''] } }, 'prices["m"].aliases[0]', '""'],
    [{ m: { input: 1, output: 1, tiers: {} } }, 'prices["m"].tiers', 'array'],
    [
      { m: { input: 1, output: 1, tiers: [{ aboveInputTokens: 1.5, input: 1, output: 1 }] } },
      'prices["m"].tiers[0].aboveInputTokens',
      '1.5',
    ],
    [
      {
        m: {
          input: 1,
          output: 1,
          tiers: [
            { aboveInputTokens: 200, input: 2, output: 2 },
            { aboveInputTokens: 100, input: 3, output: 3 },
          ],
        },
      },
      'prices["m"].tiers[1].aboveInputTokens',
      'greater than the previous',
    ],
    [
      { m: { input: 1, output: 1, tiers: [{ aboveInputTokens: 10, input: 1 }] } },
      'prices["m"].tiers[0].output',
      'undefined',
    ],
    [
      { m: { input: 1, output: 1, tiers: [{ aboveInputTokens: 10, input: 1, output: 1, x: 1 }] } },
      'prices["m"].tiers[0].x',
      'known fields',
    ],
    [{ m: 3 }, 'prices["m"]', 'price object'],
    [
      { a: { input: 1, output: 1 }, b: { input: 1, output: 1, aliases: ['A'] } },
      'prices["b"].aliases[0]',
      '`a`',
    ],
  ])('rejects %j naming %s', (table, field, fragment) => {
    const error = configError(table);
    expect(error.message).toContain(`\`${field}\``);
    expect(error.message).toContain(fragment);
  });

  it('names the model in the error details', () => {
    expect(configError({ 'gpt-x': { input: -1, output: 1 } }).details['model']).toBe('gpt-x');
  });

  it('rejects an empty model id', () => {
    expect(configError({ '': { input: 1, output: 1 } }).message).toContain('`prices key`');
  });

  it('looks up keys, aliases and patterns in that order', () => {
    const table = new PriceTable({
      pattern: { input: 1, output: 1, match: 'wide' },
      'wide-model': { input: 2, output: 2 },
      other: { input: 3, output: 3, aliases: ['vendor/alias'] },
    });
    expect(table.lookup('wide-model')?.id).toBe('wide-model');
    expect(table.lookup('some/prefix/wide-model')?.id).toBe('wide-model');
    expect(table.lookup('wide-other')?.id).toBe('pattern');
    expect(table.lookup('VENDOR/ALIAS')?.id).toBe('other');
    expect(table.lookup('nothing')).toBeUndefined();
  });
});
