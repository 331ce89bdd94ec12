import { LRUCache } from 'lru-cache';
import { invalid, isTokenCount } from '../validate.js';
import type {
  CacheSetInfo,
  CostCache,
  CostCacheStats,
  ResolvedCostCacheOptions,
} from './cost-cache.js';
import { FrequencySketch } from './frequency-sketch.js';
import type { GdsfHeapItem } from './gdsf-heap.js';
import { GdsfHeap } from './gdsf-heap.js';
import { hashKey } from './hash-key.js';
import { WindowTuner } from './window-tuner.js';

type Region = 'window' | 'main' | 'candidate';
type EvictionReason = 'capacity' | 'expired' | 'rejected' | 'deleted';

interface Entry<V> extends GdsfHeapItem {
  readonly key: string;
  readonly hash: number;
  value: V;
  costNano: number;
  bytes: number;
  tokens: number;
  expiresAt: number;
  region: Region;
}

/** The sketch starts small and grows with the number of resident entries. */
const INITIAL_SKETCH_CAPACITY = 64;

/**
 * The engine behind `createCostCache` (W-TinyLFU layout with GDSF as the main policy):
 * new entries enter an LRU window; entries pushed out of it become candidates for the main
 * region, where the TinyLFU filter compares a candidate with the GDSF victims it would displace
 * (frequency first, regeneration cost on ties), and GDSF evicts the lowest `L + f × cost / size`.
 * The window's size follows an ARC-style ghost tuner.
 */
export class CostAwareCache<V> implements CostCache<V> {
  readonly #maxBytes: number;
  #windowMax: number;
  readonly #tuner: WindowTuner | undefined;
  readonly #ttlMs: number | undefined;
  readonly #admission: boolean;
  readonly #clock: ResolvedCostCacheOptions['clock'];

  readonly #entries = new Map<string, Entry<V>>();
  /** LRU order of the window's entries; bounded by this class, never by lru-cache itself. */
  readonly #window: LRUCache<string, Entry<V>>;
  readonly #main = new GdsfHeap<Entry<V>>();
  readonly #sketch = new FrequencySketch(INITIAL_SKETCH_CAPACITY);
  /** Entries in `set` order, which with one TTL for all is expiry order. */
  readonly #expiry = new Map<string, Entry<V>>();
  #nextExpiry = Number.POSITIVE_INFINITY;

  #bytes = 0;
  #windowBytes = 0;
  /** GDSF inflation value: the priority of the last entry evicted for capacity. */
  #inflation = 0;
  #seq = 0;

  #hits = 0;
  #misses = 0;
  #costSavedNano = 0;
  #tokensSaved = 0;
  readonly #evicted: Record<EvictionReason, number> = {
    capacity: 0,
    expired: 0,
    rejected: 0,
    deleted: 0,
  };

  constructor(options: ResolvedCostCacheOptions) {
    this.#maxBytes = options.maxBytes;
    this.#windowMax = Math.floor(options.maxBytes * options.windowRatio);
    this.#tuner = options.adaptiveWindow
      ? new WindowTuner(options.maxBytes, options.windowRatio)
      : undefined;
    this.#ttlMs = options.ttlMs;
    this.#admission = options.admission;
    this.#clock = options.clock;
    this.#window = new LRUCache<string, Entry<V>>({
      maxSize: Number.MAX_SAFE_INTEGER,
      sizeCalculation: (entry) => entry.bytes,
    });
  }

  get size(): number {
    this.#purgeExpired();
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    if (typeof key !== 'string' || key.length === 0) invalid('key', 'a non-empty string', key);
    this.#purgeExpired();
    const entry = this.#entries.get(key);
    const hash = entry === undefined ? hashKey(key) : entry.hash;
    const frequency = this.#sketch.increment(hash);
    if (entry === undefined || this.#isExpired(entry)) {
      if (entry !== undefined) this.#remove(entry, 'expired');
      this.#misses++;
      if (this.#tuner?.missed(hash) === true) this.#windowMax = this.#tuner.windowBytes;
      return undefined;
    }
    this.#hits++;
    this.#costSavedNano += entry.costNano;
    this.#tokensSaved += entry.tokens;
    if (entry.region === 'main') {
      const priority = this.#priorityOf(entry, frequency);
      // Unchanged priority: skip the sift (the hot path when nothing was evicted meanwhile).
      if (priority !== entry.priority) {
        entry.priority = priority;
        entry.seq = ++this.#seq;
        this.#main.update(entry);
      }
    } else {
      this.#window.get(key);
    }
    return entry.value;
  }

  set(key: string, value: V, info: CacheSetInfo): boolean {
    if (typeof key !== 'string' || key.length === 0) invalid('key', 'a non-empty string', key);
    const { costNano, bytes, tokens } = checkInfo(info);
    this.#purgeExpired();
    const existing = this.#entries.get(key);
    if (bytes > this.#maxBytes) {
      if (existing !== undefined) this.#remove(existing, 'deleted');
      return false;
    }
    const expiresAt =
      this.#ttlMs === undefined ? Number.POSITIVE_INFINITY : this.#now() + this.#ttlMs;
    if (existing !== undefined) {
      this.#bytes += bytes - existing.bytes;
      existing.value = value;
      existing.costNano = costNano;
      existing.tokens = tokens;
      if (existing.region === 'window') {
        this.#windowBytes += bytes - existing.bytes;
        existing.bytes = bytes;
        this.#window.set(key, existing);
      } else {
        existing.bytes = bytes;
        const priority = this.#priorityOf(existing);
        if (priority !== existing.priority) {
          existing.priority = priority;
          existing.seq = ++this.#seq;
          this.#main.update(existing);
        }
      }
      this.#touchExpiry(existing, expiresAt);
    } else {
      const entry: Entry<V> = {
        key,
        hash: hashKey(key),
        value,
        costNano,
        bytes,
        tokens,
        expiresAt,
        region: 'window',
        priority: 0,
        seq: ++this.#seq,
        heapIndex: -1,
      };
      this.#entries.set(key, entry);
      this.#window.set(key, entry);
      this.#windowBytes += bytes;
      this.#bytes += bytes;
      this.#touchExpiry(entry, expiresAt);
      if (this.#entries.size > this.#sketch.capacity)
        this.#sketch.ensureCapacity(this.#entries.size);
    }
    this.#evict();
    return this.#entries.has(key);
  }

  has(key: string): boolean {
    if (typeof key !== 'string' || key.length === 0) invalid('key', 'a non-empty string', key);
    const entry = this.#entries.get(key);
    return entry !== undefined && !this.#isExpired(entry);
  }

  delete(key: string): boolean {
    if (typeof key !== 'string' || key.length === 0) invalid('key', 'a non-empty string', key);
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    const expired = this.#isExpired(entry);
    this.#remove(entry, expired ? 'expired' : 'deleted');
    return !expired;
  }

  clear(): void {
    this.#evicted.deleted += this.#entries.size;
    this.#entries.clear();
    this.#window.clear();
    this.#main.clear();
    this.#expiry.clear();
    this.#sketch.clear();
    this.#tuner?.clear();
    this.#nextExpiry = Number.POSITIVE_INFINITY;
    this.#bytes = 0;
    this.#windowBytes = 0;
    this.#inflation = 0;
  }

  stats(): CostCacheStats {
    this.#purgeExpired();
    const e = this.#evicted;
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: e.capacity + e.expired + e.rejected + e.deleted,
      evictionsByReason: { ...e },
      bytes: this.#bytes,
      entries: this.#entries.size,
      costSavedNano: this.#costSavedNano,
      tokensSaved: this.#tokensSaved,
    };
  }

  /** GDSF priority with the sketch's (aged, 15-capped) frequency, at least 1. */
  #priorityOf(entry: Entry<V>, frequency = this.#sketch.frequency(entry.hash)): number {
    return this.#inflation + (Math.max(1, frequency) * entry.costNano) / entry.bytes;
  }

  #evict(): void {
    if (this.#bytes <= this.#maxBytes && this.#windowBytes <= this.#windowMax) return;
    const candidates: Entry<V>[] = [];
    while (this.#windowBytes > this.#windowMax) {
      const entry = this.#window.pop();
      if (entry === undefined) break;
      this.#windowBytes -= entry.bytes;
      entry.region = 'candidate';
      candidates.push(entry);
    }
    for (const candidate of candidates) {
      if (this.#bytes <= this.#maxBytes) this.#toMain(candidate);
      else this.#admitOrReject(candidate);
    }
    // A write into the window or a grown entry can still leave the cache over capacity.
    while (this.#bytes > this.#maxBytes) {
      const victim = this.#main.peek() ?? this.#windowLru();
      if (victim === undefined) break;
      this.#evictForCapacity(victim);
    }
  }

  #windowLru(): Entry<V> | undefined {
    for (const entry of this.#window.rvalues()) return entry;
    return undefined;
  }

  /** Makes room for `candidate` from the main region's GDSF minimums, if the filter agrees. */
  #admitOrReject(candidate: Entry<V>): void {
    const need = this.#bytes - this.#maxBytes;
    const victims: Entry<V>[] = [];
    let freed = 0;
    while (freed < need) {
      const victim = this.#main.pop();
      if (victim === undefined) break;
      victims.push(victim);
      freed += victim.bytes;
    }
    const fits = freed >= need;
    if (fits && (!this.#admission || this.#wins(candidate, victims))) {
      for (const victim of victims) this.#evictForCapacity(victim);
      this.#toMain(candidate);
      return;
    }
    // Victims go back with their priority and sequence, so the heap order is unchanged.
    for (const victim of victims) this.#main.push(victim);
    this.#remove(candidate, fits ? 'rejected' : 'capacity');
  }

  /**
   * TinyLFU's duel, frequency first: the candidate wins if it was used more often than the most
   * used victim, or as often and it costs more to regenerate than all victims together. Cost
   * never multiplies frequency here, so an expensive one-off cannot push out a popular entry.
   */
  #wins(candidate: Entry<V>, victims: readonly Entry<V>[]): boolean {
    const candidateFrequency = this.#sketch.frequency(candidate.hash);
    let victimFrequency = 0;
    let victimCost = 0;
    for (const victim of victims) {
      victimFrequency = Math.max(victimFrequency, this.#sketch.frequency(victim.hash));
      victimCost += victim.costNano;
    }
    if (candidateFrequency !== victimFrequency) return candidateFrequency > victimFrequency;
    return candidate.costNano > victimCost;
  }

  #toMain(entry: Entry<V>): void {
    entry.region = 'main';
    entry.priority = this.#priorityOf(entry);
    entry.seq = ++this.#seq;
    this.#main.push(entry);
  }

  #evictForCapacity(entry: Entry<V>): void {
    if (entry.region === 'main' && entry.priority > this.#inflation)
      this.#inflation = entry.priority;
    this.#remove(entry, 'capacity');
  }

  #remove(entry: Entry<V>, reason: EvictionReason): void {
    this.#entries.delete(entry.key);
    this.#expiry.delete(entry.key);
    if (entry.region === 'main') this.#main.remove(entry);
    else if (entry.region === 'window') {
      this.#window.delete(entry.key);
      this.#windowBytes -= entry.bytes;
    }
    this.#bytes -= entry.bytes;
    this.#evicted[reason]++;
    if (this.#tuner !== undefined) {
      if (reason === 'rejected' || (reason === 'capacity' && entry.region !== 'main'))
        this.#tuner.leftWindow(entry.hash, entry.bytes);
      else if (reason === 'capacity') this.#tuner.leftMain(entry.hash, entry.bytes);
    }
  }

  #now(): number {
    return this.#clock.now();
  }

  #isExpired(entry: Entry<V>): boolean {
    return this.#ttlMs !== undefined && entry.expiresAt <= this.#now();
  }

  #touchExpiry(entry: Entry<V>, expiresAt: number): void {
    entry.expiresAt = expiresAt;
    if (this.#ttlMs === undefined) return;
    this.#expiry.delete(entry.key);
    this.#expiry.set(entry.key, entry);
    if (expiresAt < this.#nextExpiry) this.#nextExpiry = expiresAt;
  }

  /** Drops expired entries from the head of the set-order queue; O(1) when none is due. */
  #purgeExpired(): void {
    if (this.#ttlMs === undefined) return;
    const now = this.#now();
    if (now < this.#nextExpiry) return;
    for (const entry of this.#expiry.values()) {
      if (entry.expiresAt > now) {
        this.#nextExpiry = entry.expiresAt;
        return;
      }
      this.#remove(entry, 'expired');
    }
    this.#nextExpiry = Number.POSITIVE_INFINITY;
  }
}

function checkInfo(info: unknown): { costNano: number; bytes: number; tokens: number } {
  if (info === null || typeof info !== 'object' || Array.isArray(info))
    invalid('info', 'an object', info);
  const i = info as Record<string, unknown>;
  const costNano = i['costNano'];
  if (!isTokenCount(costNano)) invalid('info.costNano', 'a non-negative safe integer', costNano);
  const bytes = i['bytes'];
  if (!isTokenCount(bytes) || bytes === 0) invalid('info.bytes', 'a positive safe integer', bytes);
  const tokens = i['tokens'] ?? 0;
  if (!isTokenCount(tokens))
    invalid('info.tokens', 'a non-negative safe integer or undefined', tokens);
  return { costNano, bytes, tokens };
}
