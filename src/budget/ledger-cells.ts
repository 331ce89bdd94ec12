import type { AttributionHandle } from './ledger-attribution.js';
import { LIFETIME, type LedgerBuckets } from './ledger-buckets.js';
import { LedgerKeys } from './ledger-keys.js';
import type { LedgerSnapshot } from './ledger-snapshot.js';
import {
  CALLS,
  DIMENSIONS,
  STRIDE,
  compareUsageRows,
  toUsageRow,
  type UsageRow,
} from './ledger-row.js';

const MODEL = DIMENSIONS.indexOf('model');
const WIDTH = DIMENSIONS.length;

/**
 * Which keys each counter cell belongs to, and the reports built from that: a dimension's figure
 * for a key is the sum of the cells carrying that key. Queries cost O(cells), never O(records).
 */
export class LedgerCells {
  readonly keys = new LedgerKeys(WIDTH);
  readonly #buckets: LedgerBuckets;
  /** Per cell, its key number in each dimension (WIDTH numbers per cell). */
  readonly #cellKeys: number[] = [];
  readonly #index = new Map<string, number>();

  constructor(buckets: LedgerBuckets) {
    this.#buckets = buckets;
  }

  /** The cell of the handle's ids with `model`, made the handle's current cell. */
  cellFor(who: AttributionHandle, model: string): number {
    let cell = who.cells.get(model);
    if (cell === undefined) {
      const modelKey = this.keys.id(MODEL, model);
      const id = `${who.agentKey},${who.taskKey},${who.userKey},${who.sessionKey},${modelKey}`;
      cell = this.#index.get(id);
      if (cell === undefined) {
        cell = this.#buckets.addCell();
        this.#index.set(id, cell);
        this.#cellKeys.push(who.agentKey, who.taskKey, who.userKey, who.sessionKey, modelKey);
      }
      who.cells.set(model, cell);
    }
    who.model = model;
    who.cell = cell;
    return cell;
  }

  /**
   * Counters over span `k` at `at`: of everything (`dimension` undefined), or of the key
   * numbered `only` in `dimension`. Zero for a period older than the retained history.
   */
  total(k: number, at: number, dimension?: number, only?: number): Float64Array {
    const sums = new Float64Array(STRIDE);
    const start = this.#start(k, at);
    if (start === undefined) return sums;
    for (let cell = 0; cell < this.#buckets.size; cell++) {
      if (dimension === undefined || this.#cellKeys[cell * WIDTH + dimension] === only)
        this.#buckets.read(cell, k, start, sums, 0);
    }
    return sums;
  }

  /** Rows of every key of `dimension` with records over span `k` at `at`, in report order. */
  rows(dimension: number, k: number, at: number): UsageRow[] {
    const start = this.#start(k, at);
    if (start === undefined) return [];
    const names = this.keys.keys(dimension);
    const sums = new Float64Array(names.length * STRIDE);
    for (let cell = 0; cell < this.#buckets.size; cell++) {
      const key = this.#cellKeys[cell * WIDTH + dimension]!;
      this.#buckets.read(cell, k, start, sums, key * STRIDE);
    }
    const rows: UsageRow[] = [];
    for (let key = 0; key < names.length; key++) {
      if (sums[key * STRIDE + CALLS]! > 0) rows.push(toUsageRow(names[key]!, sums, key * STRIDE));
    }
    return rows.sort(compareUsageRows);
  }

  /** The key tables and each cell's key numbers, as plain data. */
  snapshot(): Pick<LedgerSnapshot, 'keys' | 'cells'> {
    const [agent, task, user, session, model] = DIMENSIONS.map((_, d) => [...this.keys.keys(d)]);
    return {
      keys: { agent: agent!, task: task!, user: user!, session: session!, model: model! },
      cells: [...this.#cellKeys],
    };
  }

  /** Fills fresh tables from a checked snapshot (the buckets are loaded separately). */
  load({ keys, cells }: Pick<LedgerSnapshot, 'keys' | 'cells'>): void {
    DIMENSIONS.forEach((dimension, d) => {
      for (const key of keys[dimension]) this.keys.id(d, key);
    });
    for (let cell = 0; cell * WIDTH < cells.length; cell++) {
      const ids = cells.slice(cell * WIDTH, (cell + 1) * WIDTH);
      this.#index.set(ids.join(','), cell);
      this.#cellKeys.push(...ids);
    }
  }

  #start(k: number, at: number): number | undefined {
    return k === LIFETIME ? 0 : this.#buckets.periodAt(k, at)?.start;
  }
}
