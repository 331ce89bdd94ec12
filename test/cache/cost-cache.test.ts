import { describe, expect, it } from 'vitest';
import type { CostCache, CostCacheOptions } from '../../src/cache/cost-cache.js';
import { createCostCache } from '../../src/cache/cost-cache.js';
import { isKernelError } from '../../src/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** No window, fixed layout: every entry goes straight to the GDSF region. */
function gdsf(maxBytes: number, extra: Partial<CostCacheOptions<string>> = {}): CostCache<string> {
  return createCostCache<string>({ maxBytes, windowRatio: 0, adaptiveWindow: false, ...extra });
}

function expectInvalid(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toBe(message);
    return;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('createCostCache', () => {
  it('stores, returns and removes values', () => {
    const cache = createCostCache<string>({ maxBytes: 1000 });
    expect(cache.set('a', 'alpha', { costNano: 100, bytes: 10 })).toBe(true);
    expect(cache.has('a')).toBe(true);
    expect(cache.get('a')).toBe('alpha');
    expect(cache.size).toBe(1);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });

  it('adds the entry cost and tokens to the savings on every hit', () => {
    const cache = createCostCache<string>({ maxBytes: 1000 });
    cache.set('a', 'alpha', { costNano: 1_500, bytes: 10, tokens: 42 });
    cache.get('a');
    cache.get('a');
    cache.get('missing');
    const stats = cache.stats();
    expect(stats).toMatchObject({ hits: 2, misses: 1, costSavedNano: 3_000, tokensSaved: 84 });
    expect(stats.bytes).toBe(10);
    expect(stats.entries).toBe(1);
  });

  it('has() leaves statistics untouched', () => {
    const cache = createCostCache<string>({ maxBytes: 1000 });
    cache.set('a', 'alpha', { costNano: 1, bytes: 1 });
    cache.has('a');
    cache.has('b');
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, costSavedNano: 0 });
  });

  it('overwrites a value in place and accounts for its new size', () => {
    const cache = createCostCache<string>({ maxBytes: 100 });
    cache.set('a', 'v1', { costNano: 1, bytes: 10 });
    cache.set('a', 'v2', { costNano: 5, bytes: 30 });
    expect(cache.get('a')).toBe('v2');
    expect(cache.stats()).toMatchObject({ bytes: 30, entries: 1, costSavedNano: 5 });
  });

  it('refuses an entry larger than maxBytes and drops the stale value of that key', () => {
    const cache = createCostCache<string>({ maxBytes: 100 });
    cache.set('a', 'small', { costNano: 1, bytes: 10 });
    expect(cache.set('a', 'huge', { costNano: 1, bytes: 101 })).toBe(false);
    expect(cache.has('a')).toBe(false);
    expect(cache.stats().evictionsByReason.deleted).toBe(1);
    expect(cache.set('b', 'huge', { costNano: 1, bytes: 101 })).toBe(false);
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0, evictions: 1 });
  });

  it('clear() empties the cache, counts the entries as deleted and keeps the counters', () => {
    const cache = createCostCache<string>({ maxBytes: 100 });
    cache.set('a', 'x', { costNano: 7, bytes: 1 });
    cache.set('b', 'y', { costNano: 1, bytes: 1 });
    cache.get('a');
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.stats()).toMatchObject({
      hits: 1,
      costSavedNano: 7,
      bytes: 0,
      evictions: 2,
      evictionsByReason: { deleted: 2 },
    });
  });

  it.each<[unknown, string]>([
    [undefined, 'Expected `options` to be an object, got `undefined` (undefined)'],
    [{ maxBytes: 0 }, 'Expected `maxBytes` to be a positive safe integer, got `0` (number)'],
    [{ maxBytes: 1.5 }, 'Expected `maxBytes` to be a positive safe integer, got `1.5` (number)'],
    [
      { maxBytes: 10, ttlMs: -1 },
      'Expected `ttlMs` to be a positive safe integer, got `-1` (number)',
    ],
    [
      { maxBytes: 10, admission: 'yes' },
      'Expected `admission` to be a boolean, got `"yes"` (string)',
    ],
    [
      { maxBytes: 10, windowRatio: 1.5 },
      'Expected `windowRatio` to be a finite number from 0 to 1, got `1.5` (number)',
    ],
    [
      { maxBytes: 10, adaptiveWindow: 1 },
      'Expected `adaptiveWindow` to be a boolean, got `1` (number)',
    ],
    [
      { maxBytes: 10, clock: {} },
      'Expected `clock` to be a Clock with a now() function, got `{}` (object)',
    ],
  ])('rejects bad options (%#)', (options, message) => {
    expectInvalid(() => createCostCache(options as CostCacheOptions<string>), message);
  });

  it('rejects bad keys and set info', () => {
    const cache = createCostCache<string>({ maxBytes: 100 });
    expectInvalid(
      () => cache.get(''),
      'Expected `key` to be a non-empty string, got `""` (string)',
    );
    expectInvalid(
      () => cache.has(1 as never),
      'Expected `key` to be a non-empty string, got `1` (number)',
    );
    expectInvalid(
      () => cache.delete(undefined as never),
      'Expected `key` to be a non-empty string, got `undefined` (undefined)',
    );
    expectInvalid(
      () => cache.set('a', 'x', null as never),
      'Expected `info` to be an object, got `null` (null)',
    );
    expectInvalid(
      () => cache.set('a', 'x', { costNano: -1, bytes: 1 }),
      'Expected `info.costNano` to be a non-negative safe integer, got `-1` (number)',
    );
    expectInvalid(
      () => cache.set('a', 'x', { costNano: 0.5, bytes: 1 }),
      'Expected `info.costNano` to be a non-negative safe integer, got `0.5` (number)',
    );
    expectInvalid(
      () => cache.set('a', 'x', { costNano: 1, bytes: 0 }),
      'Expected `info.bytes` to be a positive safe integer, got `0` (number)',
    );
    expectInvalid(
      () => cache.set('a', 'x', { costNano: 1, bytes: 1, tokens: -3 }),
      'Expected `info.tokens` to be a non-negative safe integer or undefined, got `-3` (number)',
    );
    expect(cache.stats()).toMatchObject({ entries: 0, hits: 0, misses: 0 });
  });
});

describe('GDSF eviction', () => {
  it('evicts the entry with the least cost per byte first', () => {
    const cache = gdsf(40, { admission: false });
    cache.set('cheap', 'c', { costNano: 10, bytes: 10 }); // 1 per byte
    cache.set('dear', 'd', { costNano: 500, bytes: 10 }); // 50 per byte
    cache.set('mid', 'm', { costNano: 100, bytes: 10 }); // 10 per byte
    cache.set('big', 'b', { costNano: 200, bytes: 10 }); // 20 per byte
    cache.set('new1', 'n', { costNano: 300, bytes: 10 });
    expect(cache.has('cheap')).toBe(false);
    cache.set('new2', 'n', { costNano: 300, bytes: 10 });
    expect(cache.has('mid')).toBe(false);
    expect(['dear', 'big', 'new1', 'new2'].every((k) => cache.has(k))).toBe(true);
    expect(cache.stats().evictionsByReason.capacity).toBe(2);
  });

  it('prefers a small expensive entry to a large one of the same cost', () => {
    const cache = gdsf(100, { admission: false });
    cache.set('large', 'l', { costNano: 1000, bytes: 60 });
    cache.set('small', 's', { costNano: 1000, bytes: 30 });
    cache.set('next', 'n', { costNano: 1000, bytes: 30 });
    expect(cache.has('large')).toBe(false);
    expect(cache.has('small')).toBe(true);
  });

  it('weighs cost by frequency of use', () => {
    const cache = gdsf(20, { admission: false });
    cache.set('used', 'u', { costNano: 10, bytes: 10 });
    cache.set('idle', 'i', { costNano: 10, bytes: 10 });
    cache.get('used');
    cache.get('used');
    cache.set('next', 'n', { costNano: 10, bytes: 10 });
    expect(cache.has('used')).toBe(true);
    expect(cache.has('idle')).toBe(false);
  });

  it('inflates L so an expensive entry that is never used again ages out', () => {
    const cache = gdsf(20, { admission: false });
    cache.set('dear', 'd', { costNano: 100, bytes: 10 }); // priority 10
    for (let i = 1; i <= 10; i++) cache.set(`x${i}`, 'x', { costNano: 10, bytes: 10 });
    // Each eviction raised L by 1; x10 reached priority 10 and ties with the older entry.
    expect(cache.has('dear')).toBe(true);
    cache.set('x11', 'x', { costNano: 10, bytes: 10 });
    expect(cache.has('dear')).toBe(false);
    expect(cache.has('x10')).toBe(true);
  });
});

describe('TinyLFU admission', () => {
  function warm(cache: CostCache<string>, count: number, uses: number): void {
    for (let i = 0; i < count; i++) {
      cache.set(`hot${i}`, 'h', { costNano: 10, bytes: 10 });
      for (let u = 0; u < uses; u++) cache.get(`hot${i}`);
    }
  }

  it('refuses a newcomer used less often than the entry it would evict', () => {
    const cache = gdsf(100);
    warm(cache, 10, 3);
    cache.get('new');
    expect(cache.set('new', 'n', { costNano: 10_000, bytes: 10 })).toBe(false);
    expect(cache.has('new')).toBe(false);
    expect(cache.stats().evictionsByReason).toMatchObject({ rejected: 1, capacity: 0 });
  });

  it('admits a newcomer once it is used more often than the victim', () => {
    const cache = gdsf(100);
    warm(cache, 10, 3);
    for (let i = 0; i < 4; i++) cache.get('new');
    expect(cache.set('new', 'n', { costNano: 10, bytes: 10 })).toBe(true);
    expect(cache.stats().evictionsByReason).toMatchObject({ rejected: 0, capacity: 1 });
    expect(cache.size).toBe(10);
  });

  it('breaks a frequency tie by regeneration cost', () => {
    const cache = gdsf(20);
    cache.get('a');
    cache.set('a', 'a', { costNano: 100, bytes: 10 });
    cache.get('b');
    cache.set('b', 'b', { costNano: 100, bytes: 10 });
    cache.get('cheap');
    expect(cache.set('cheap', 'c', { costNano: 50, bytes: 10 })).toBe(false);
    cache.get('dear');
    expect(cache.set('dear', 'd', { costNano: 150, bytes: 10 })).toBe(true);
  });

  it('compares a large newcomer with every victim it needs to displace', () => {
    const cache = gdsf(100);
    warm(cache, 8, 1); // priority 1 each
    cache.set('idle-cheap', 'i', { costNano: 1, bytes: 10 }); // lowest priority, frequency 0
    cache.set('busy-cheap', 'b', { costNano: 1, bytes: 10 });
    for (let u = 0; u < 5; u++) cache.get('busy-cheap'); // second lowest priority, frequency 5
    for (let u = 0; u < 3; u++) cache.get('large');
    // Needs two victims' room: the second one is used more often than the newcomer.
    expect(cache.set('large', 'L', { costNano: 1000, bytes: 20 })).toBe(false);
    expect(cache.has('idle-cheap') && cache.has('busy-cheap')).toBe(true);
    for (let u = 0; u < 3; u++) cache.get('large');
    expect(cache.set('large', 'L', { costNano: 1000, bytes: 20 })).toBe(true);
    expect(cache.has('idle-cheap') || cache.has('busy-cheap')).toBe(false);
    expect(cache.stats().evictionsByReason).toMatchObject({ rejected: 1, capacity: 2 });
  });

  it('keeps frequently used entries through a scan of one-off requests', () => {
    const withAdmission = gdsf(100);
    const without = gdsf(100, { admission: false });
    for (const cache of [withAdmission, without]) {
      warm(cache, 10, 3);
      for (let i = 0; i < 200; i++) {
        cache.get(`scan${i}`);
        cache.set(`scan${i}`, 's', { costNano: 20, bytes: 10 });
      }
    }
    const survivors = (cache: CostCache<string>): number =>
      Array.from({ length: 10 }, (_, i) => cache.has(`hot${i}`)).filter(Boolean).length;
    expect(survivors(withAdmission)).toBe(10);
    expect(survivors(without)).toBeLessThan(10);
  });
});

describe('recency window', () => {
  it('serves a new entry before its frequency is known, then lets admission decide', () => {
    const cache = createCostCache<string>({
      maxBytes: 100,
      windowRatio: 0.3,
      adaptiveWindow: false,
    });
    for (let i = 0; i < 10; i++) {
      cache.set(`hot${i}`, 'h', { costNano: 10, bytes: 10 });
      for (let u = 0; u < 3; u++) cache.get(`hot${i}`);
    }
    expect(cache.set('fresh', 'f', { costNano: 10, bytes: 10 })).toBe(true);
    expect(cache.get('fresh')).toBe('f');
    for (let i = 0; i < 3; i++) cache.set(`later${i}`, 'l', { costNano: 10, bytes: 10 });
    // Pushed out of the window with one use, it lost to the thrice-used main victims.
    expect(cache.has('fresh')).toBe(false);
    expect(cache.stats().evictionsByReason.rejected).toBeGreaterThanOrEqual(1);
  });

  it('with windowRatio 1 and no main region behaves as an LRU', () => {
    const cache = createCostCache<string>({ maxBytes: 30, windowRatio: 1, adaptiveWindow: false });
    cache.set('a', 'a', { costNano: 1000, bytes: 10 });
    cache.set('b', 'b', { costNano: 1, bytes: 10 });
    cache.set('c', 'c', { costNano: 1, bytes: 10 });
    cache.get('a');
    cache.set('d', 'd', { costNano: 1, bytes: 10 });
    expect(['a', 'c', 'd'].every((k) => cache.has(k))).toBe(true);
    expect(cache.has('b')).toBe(false);
  });
});

describe('TTL', () => {
  it('expires an entry ttlMs after its last set and counts it as expired', () => {
    const clock = new FakeClock();
    const cache = createCostCache<string>({ maxBytes: 100, ttlMs: 1000, clock });
    cache.set('a', 'x', { costNano: 5, bytes: 10 });
    clock.advance(999);
    expect(cache.get('a')).toBe('x');
    clock.advance(1);
    expect(cache.has('a')).toBe(false);
    expect(cache.stats().evictionsByReason.expired).toBe(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, bytes: 0, entries: 0 });
  });

  it('renews the TTL on set, not on get', () => {
    const clock = new FakeClock();
    const cache = createCostCache<string>({ maxBytes: 100, ttlMs: 1000, clock });
    cache.set('a', 'x', { costNano: 5, bytes: 10 });
    clock.advance(600);
    cache.get('a');
    cache.set('b', 'y', { costNano: 5, bytes: 10 });
    clock.advance(600);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
    cache.set('b', 'y2', { costNano: 5, bytes: 10 });
    clock.advance(900);
    expect(cache.get('b')).toBe('y2');
  });

  it('drops expired entries before making room, so live ones are not evicted for them', () => {
    const clock = new FakeClock();
    const cache = createCostCache<string>({
      maxBytes: 20,
      ttlMs: 100,
      clock,
      windowRatio: 0,
      adaptiveWindow: false,
    });
    cache.set('old', 'o', { costNano: 1000, bytes: 10 });
    clock.advance(50);
    cache.set('live', 'l', { costNano: 1, bytes: 10 });
    clock.advance(60);
    cache.set('new', 'n', { costNano: 1, bytes: 10 });
    expect(cache.has('live')).toBe(true);
    expect(cache.has('new')).toBe(true);
    expect(cache.stats().evictionsByReason).toMatchObject({ expired: 1, capacity: 0, rejected: 0 });
  });

  it('delete of an expired entry reports false and counts it as expired', () => {
    const clock = new FakeClock();
    const cache = createCostCache<string>({ maxBytes: 100, ttlMs: 10, clock });
    cache.set('a', 'x', { costNano: 5, bytes: 10 });
    clock.advance(10);
    expect(cache.delete('a')).toBe(false);
    expect(cache.stats().evictionsByReason).toMatchObject({ expired: 1, deleted: 0 });
  });
});

describe('adaptive window', () => {
  /** Runs the call-path pattern (get, set on miss) and returns the hits. */
  function replay(adaptiveWindow: boolean, windowRatio: number, keys: readonly string[]): number {
    const cache = createCostCache<string>({ maxBytes: 1000, windowRatio, adaptiveWindow });
    let hits = 0;
    for (const k of keys) {
      if (cache.get(k) !== undefined) hits++;
      else cache.set(k, k, { costNano: 100, bytes: 10 });
    }
    return hits;
  }

  it('grows the window for requests that repeat once, shortly after', () => {
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) keys.push(`new${i}`, `new${Math.max(0, i - 30)}`);
    const fixed = replay(false, 0.01, keys);
    const adaptive = replay(true, 0.01, keys);
    // An LRU of 100 entries hits every repeat (3000); a fixed 1-entry window and a frequency
    // filter that sees each key at most twice miss most of them.
    expect(fixed).toBeLessThan(600);
    expect(adaptive).toBeGreaterThan(2700);
  });

  it('shrinks the window for a hot set that the main region must hold', () => {
    const keys: string[] = [];
    for (let i = 0; i < 4000; i++) keys.push(`hot${i % 80}`, `once${i}`);
    const fixed = replay(false, 0.5, keys);
    const adaptive = replay(true, 0.5, keys);
    expect(adaptive).toBeGreaterThan(fixed * 1.3);
    expect(adaptive).toBeGreaterThan(3000);
  });
});
