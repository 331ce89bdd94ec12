import type { Kernel } from '../kernel/kernel.js';

/** A kernel limit a ratio threshold refers to. */
export interface ReferencedLimit {
  readonly name: string;
  /** In the limit's unit: tokens, or USD as a number. */
  readonly limit: number;
  readonly period: string;
}

/** The limits one reference can mean: one per key (`agent:hour`), or a single one (a name, `org:day`). */
interface Table {
  readonly perKey: Map<string, ReferencedLimit>;
  single: ReferencedLimit | undefined;
}

type Unit = 'tokens' | 'usd';

/**
 * The kernel's configured limits, by reference (`'<scope>:<period>'` and key, or a limit's name)
 * and unit, read from `kernel.status().limits`. The kernel creates a limit's counter for a key
 * when an agent of that key is spawned (model limits: at the first call on the model), so the
 * index is rebuilt lazily, only when a lookup misses after something may have created one
 * ({@link invalidate}). A hit costs two map lookups.
 */
export class LimitIndex {
  readonly #kernel: Kernel;
  #tables: Record<Unit, Map<string, Table>> = { tokens: new Map(), usd: new Map() };
  #dirty = true;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** Marks the index stale (an agent was spawned, a new model was used). */
  invalidate(): void {
    this.#dirty = true;
  }

  /**
   * The limit `reference` means for `key`: `'<scope>:<period>'` (the `org` one, or the one of
   * `key` in that scope) or a limit name; the smallest when several match. Undefined when none.
   */
  find(reference: string, key: string, unit: Unit): ReferencedLimit | undefined {
    let hit = lookup(this.#tables[unit].get(reference), key);
    if (hit === undefined && this.#dirty) {
      this.#rebuild();
      hit = lookup(this.#tables[unit].get(reference), key);
    }
    return hit;
  }

  #rebuild(): void {
    const tables: Record<Unit, Map<string, Table>> = { tokens: new Map(), usd: new Map() };
    const table = (unit: Unit, reference: string): Table => {
      let t = tables[unit].get(reference);
      if (t === undefined)
        tables[unit].set(reference, (t = { perKey: new Map(), single: undefined }));
      return t;
    };
    for (const l of this.#kernel.status().limits) {
      const entry: ReferencedLimit = { name: l.name, limit: l.limit, period: l.period };
      table(l.unit, l.name).single = entry;
      const byScope = table(l.unit, `${l.scope}:${l.period}`);
      if (l.scope === 'org') byScope.single = smaller(byScope.single, entry);
      else byScope.perKey.set(l.id, smaller(byScope.perKey.get(l.id), entry));
    }
    this.#tables = tables;
    this.#dirty = false;
  }
}

function lookup(table: Table | undefined, key: string): ReferencedLimit | undefined {
  return table === undefined ? undefined : (table.single ?? table.perKey.get(key));
}

function smaller(a: ReferencedLimit | undefined, b: ReferencedLimit): ReferencedLimit {
  return a === undefined || b.limit < a.limit ? b : a;
}
