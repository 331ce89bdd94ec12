/**
 * A 32-bit hash of a string key (FNV-1a over UTF-16 code units, then the murmur3 finalizer so
 * that the low bits the frequency sketch masks with are well mixed). Not cryptographic: it only
 * spreads keys over counters; the cache itself compares full keys.
 */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
