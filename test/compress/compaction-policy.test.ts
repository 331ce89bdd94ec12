import { describe, expect, it } from 'vitest';
import {
  compactionTarget,
  DEFAULT_COMPACTION_POLICY,
  shouldCompact,
  validateCompactionPolicy,
} from '../../src/compress/compaction-policy.js';
import { isKernelError } from '../../src/errors.js';

describe('compaction policy', () => {
  it('compacts from 85 % of the window down to 50 % by default', () => {
    expect(DEFAULT_COMPACTION_POLICY).toEqual({ highWater: 0.85, lowWater: 0.5 });
    expect(compactionTarget(128_000)).toBe(64_000);
    expect(shouldCompact(108_799, 128_000)).toBe(false);
    expect(shouldCompact(108_800, 128_000)).toBe(true);
  });

  it('targets floor(window × lowWater), at least one token', () => {
    expect(compactionTarget(1_001, { highWater: 0.9, lowWater: 0.3 })).toBe(300);
    expect(compactionTarget(1, { highWater: 0.9, lowWater: 0.3 })).toBe(1);
  });

  it.each([
    [{ highWater: 0.5, lowWater: 0.5 }, 'policy.lowWater'],
    [{ highWater: 0.4, lowWater: 0.6 }, 'policy.lowWater'],
    [{ highWater: 1.2, lowWater: 0.5 }, 'policy.highWater'],
    [{ highWater: 0.8, lowWater: 0 }, 'policy.lowWater'],
    [{ highWater: Number.NaN, lowWater: 0.2 }, 'policy.highWater'],
    [null, 'policy'],
  ])('rejects %o naming %s', (policy, name) => {
    try {
      validateCompactionPolicy(policy);
      expect.unreachable();
    } catch (error) {
      expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message.startsWith(`Expected \`${name}\``)).toBe(true);
    }
  });

  it('rejects a window that is not a positive safe integer', () => {
    expect(() => compactionTarget(0)).toThrow(
      'Expected `windowTokens` to be a positive safe integer, got `0` (number)',
    );
    expect(() => shouldCompact(-1, 10)).toThrow('Expected `contextTokens`');
  });
});
