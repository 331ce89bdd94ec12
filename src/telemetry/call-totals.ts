import type { UsageRecord } from '../budget/usage-record.js';

/** Running totals of one (agent, model) pair. Money in integer nano-USD. */
export interface CallTotalsRow {
  readonly agent: string;
  readonly model: string;
  /** Provider calls (cache misses) and cache hits. */
  calls: number;
  hits: number;
  /** Tokens of provider calls, inclusive convention (cache hits consumed none). */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  costNano: number;
  /** What the hits would have cost at list price. */
  savedNano: number;
}

/**
 * Per-(agent, model) sums of settled records, kept as plain numbers: a record costs two map
 * lookups and a few additions, and the Prometheus counters are filled from these rows only when
 * scraped. (Incrementing labelled prom-client counters on every record costs ~17 µs: it hashes
 * and validates the label set each time.) Money stays integer nano-USD until it is read, so the
 * USD totals don't drift the way summing small floats does.
 */
export class CallTotals {
  readonly #byAgent = new Map<string, Map<string, CallTotalsRow>>();

  /** Adds one settled record. */
  add(record: UsageRecord): void {
    let byModel = this.#byAgent.get(record.agentId);
    if (byModel === undefined) this.#byAgent.set(record.agentId, (byModel = new Map()));
    let row = byModel.get(record.model);
    if (row === undefined) byModel.set(record.model, (row = newRow(record.agentId, record.model)));
    if (record.cached) {
      row.hits++;
      row.savedNano += record.savedNano ?? 0;
      return;
    }
    const u = record.usage;
    row.calls++;
    row.input += u.inputTokens;
    row.output += u.outputTokens;
    row.cacheRead += u.cacheReadTokens ?? 0;
    row.cacheWrite += u.cacheWriteTokens ?? 0;
    row.reasoning += u.reasoningTokens ?? 0;
    row.costNano += record.costNano;
  }

  /** Every row. */
  *rows(): IterableIterator<Readonly<CallTotalsRow>> {
    for (const byModel of this.#byAgent.values()) yield* byModel.values();
  }
}

function newRow(agent: string, model: string): CallTotalsRow {
  return {
    agent,
    model,
    calls: 0,
    hits: 0,
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    costNano: 0,
    savedNano: 0,
  };
}
