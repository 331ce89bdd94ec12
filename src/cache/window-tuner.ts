/**
 * Sizes the recency window the way ARC sizes its recency list (Megiddo & Modha, FAST '03): it
 * remembers the hashes of entries that recently left from the window side (refused by admission
 * or evicted from the window) and from the main region (GDSF victims), each ghost list bounded to
 * the cache's capacity in bytes. A miss on a window ghost is a hit a larger window would have
 * had, so the window grows; a miss on a main ghost shrinks it. Each step is the returning entry's
 * size, scaled up when the other ghost list is the larger one (ARC's δ).
 *
 * Each ghost hit is direct evidence about one request, so this adapts within a fraction of a
 * capacity of traffic, where a hill climber comparing hit ratios between sample periods mostly
 * follows noise.
 */
export class WindowTuner {
  readonly #maxBytes: number;
  #windowBytes: number;
  readonly #windowGhosts = new Map<number, number>();
  readonly #mainGhosts = new Map<number, number>();
  #windowGhostBytes = 0;
  #mainGhostBytes = 0;

  /**
   * @param maxBytes the cache's capacity in bytes.
   * @param initialRatio the window's starting share of `maxBytes` (0–1).
   */
  constructor(maxBytes: number, initialRatio: number) {
    this.#maxBytes = maxBytes;
    this.#windowBytes = Math.floor(maxBytes * initialRatio);
  }

  /** The window's current target size in bytes. */
  get windowBytes(): number {
    return this.#windowBytes;
  }

  /** Bytes remembered in the window and main ghost lists; for tests and diagnostics. */
  get ghostBytes(): { readonly window: number; readonly main: number } {
    return { window: this.#windowGhostBytes, main: this.#mainGhostBytes };
  }

  /** An entry left the cache from the window side (refused by admission or evicted there). */
  leftWindow(hash: number, bytes: number): void {
    this.#windowGhostBytes = remember(
      this.#windowGhosts,
      this.#windowGhostBytes,
      hash,
      bytes,
      this.#maxBytes,
    );
  }

  /** An entry was evicted from the main region to make room. */
  leftMain(hash: number, bytes: number): void {
    this.#mainGhostBytes = remember(
      this.#mainGhosts,
      this.#mainGhostBytes,
      hash,
      bytes,
      this.#maxBytes,
    );
  }

  /** Forgets both ghost lists. */
  clear(): void {
    this.#windowGhosts.clear();
    this.#mainGhosts.clear();
    this.#windowGhostBytes = 0;
    this.#mainGhostBytes = 0;
  }

  /** A lookup of `hash` missed. Returns true when the window target moved. */
  missed(hash: number): boolean {
    const windowGhost = this.#windowGhosts.get(hash);
    if (windowGhost !== undefined) {
      this.#windowGhosts.delete(hash);
      this.#windowGhostBytes -= windowGhost;
      const scale = Math.max(1, this.#mainGhostBytes / Math.max(1, this.#windowGhostBytes));
      return this.#move(windowGhost * scale);
    }
    const mainGhost = this.#mainGhosts.get(hash);
    if (mainGhost !== undefined) {
      this.#mainGhosts.delete(hash);
      this.#mainGhostBytes -= mainGhost;
      const scale = Math.max(1, this.#windowGhostBytes / Math.max(1, this.#mainGhostBytes));
      return this.#move(-mainGhost * scale);
    }
    return false;
  }

  #move(amount: number): boolean {
    const next = Math.min(this.#maxBytes, Math.max(0, Math.round(this.#windowBytes + amount)));
    if (next === this.#windowBytes) return false;
    this.#windowBytes = next;
    return true;
  }
}

/** Adds a ghost (most recent last) and trims the oldest beyond `limit` bytes; returns the new total. */
function remember(
  ghosts: Map<number, number>,
  total: number,
  hash: number,
  bytes: number,
  limit: number,
): number {
  const previous = ghosts.get(hash);
  if (previous !== undefined) {
    ghosts.delete(hash);
    total -= previous;
  }
  ghosts.set(hash, bytes);
  total += bytes;
  for (const [oldHash, oldBytes] of ghosts) {
    if (total <= limit) break;
    ghosts.delete(oldHash);
    total -= oldBytes;
  }
  return total;
}
