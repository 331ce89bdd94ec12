import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrequencySketch } from '../../src/cache/frequency-sketch.js';
import { hashKey } from '../../src/cache/hash-key.js';
import { isKernelError } from '../../src/errors.js';

describe('FrequencySketch', () => {
  it('counts occurrences of a key and returns the new estimate', () => {
    const sketch = new FrequencySketch(64);
    const h = hashKey('a');
    expect(sketch.frequency(h)).toBe(0);
    expect(sketch.increment(h)).toBe(1);
    expect(sketch.increment(h)).toBe(2);
    expect(sketch.frequency(h)).toBe(2);
    expect(sketch.frequency(hashKey('b'))).toBe(0);
  });

  it('saturates 4-bit counters at 15', () => {
    const sketch = new FrequencySketch(64);
    const h = hashKey('hot');
    for (let i = 0; i < 40; i++) sketch.increment(h);
    expect(sketch.frequency(h)).toBe(15);
  });

  it('halves every counter after 10 × capacity increments', () => {
    const sketch = new FrequencySketch(16);
    expect(sketch.sampleSize).toBe(160);
    const hot = hashKey('hot');
    for (let i = 0; i < 12; i++) sketch.increment(hot);
    let i = 0;
    while (sketch.resets === 0) sketch.increment(hashKey(`cold-${i++}`));
    expect(sketch.samples).toBeLessThan(sketch.sampleSize);
    expect(sketch.frequency(hot)).toBe(6);
  });

  it('grows for a larger capacity and forgets counts then', () => {
    const sketch = new FrequencySketch(16);
    const h = hashKey('x');
    sketch.increment(h);
    sketch.ensureCapacity(8);
    expect(sketch.frequency(h)).toBe(1);
    sketch.ensureCapacity(1000);
    expect(sketch.capacity).toBe(1024);
    expect(sketch.sampleSize).toBe(10_240);
    expect(sketch.frequency(h)).toBe(0);
  });

  it('never underestimates a count below 15 within a sample period', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 500 }),
        (keys) => {
          const sketch = new FrequencySketch(256);
          const truth = new Map<number, number>();
          for (const k of keys) {
            sketch.increment(hashKey(`k${k}`));
            truth.set(k, (truth.get(k) ?? 0) + 1);
          }
          for (const [k, count] of truth)
            expect(sketch.frequency(hashKey(`k${k}`))).toBeGreaterThanOrEqual(Math.min(15, count));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects a capacity that is not a positive safe integer', () => {
    expect(() => new FrequencySketch(0)).toThrow(
      'Expected `capacity` to be a positive safe integer, got `0` (number)',
    );
    try {
      new FrequencySketch(1.5);
    } catch (error) {
      expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
