/** A seedable random source: `next()` in [0, 1). Deterministic for a given seed (mulberry32). */
export interface Random {
  next(): number;
}

/** Creates a deterministic random source. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A log-normal draw with the given median and spread (sigma of the underlying normal). */
export function logNormal(random: Random, median: number, sigma: number): number {
  const u = Math.max(random.next(), 1e-12);
  const v = random.next();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}
