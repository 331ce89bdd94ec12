/**
 * Isolation overhead: reserve+commit pairs per second from an isolated agent (worker thread,
 * comlink round trips, boundary validation) against an in-process agent on the same kernel, in
 * the same run. Isolated modes: sequential (two round trips a pair), pipelined (WIDTH pairs in
 * flight) and batched (WIDTH reserves in one `batch`, their commits in another). The isolated
 * figures are timed inside the worker (test/fixtures/isolated/round-trip.ts).
 * Run: npx tsx bench/isolation.bench.ts
 */
import { createKernel } from '../src/kernel/kernel.js';
import { spawnIsolated } from '../src/isolation/isolated-agent.js';
import { best, header, opsPerSecond, rate, row } from './bench-util.js';

const MODEL = 'bench-model';
const N = 5_000;
const WIDTH = 64;
const USAGE = { inputTokens: 100, outputTokens: 20 };

const kernel = createKernel({
  totalBudget: Number.MAX_SAFE_INTEGER - 1,
  prices: { [MODEL]: { input: 1, output: 4 } },
  reservationTtlMs: 3_600_000,
});

const inProcess = kernel.spawn({ id: 'in-process', maxTokens: 1e13, model: MODEL });
const request = { inputTokens: 100, maxOutputTokens: 50 };
const syncPairs = best(3, () => opsPerSecond(N, () => inProcess.reserve(request).commit(USAGE)));
// The same pairs behind an async API (one awaited promise per call), as an agent would write them.
const asyncPairs = await (async () => {
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await Promise.resolve(inProcess.reserve(request));
      await Promise.resolve(r.commit(USAGE));
    }
    return N / ((performance.now() - t0) / 1000);
  };
  let top = 0;
  for (let i = 0; i < 3; i++) top = Math.max(top, await once());
  return top;
})();

const run = await spawnIsolated(
  kernel,
  new URL('../test/fixtures/isolated/round-trip.ts', import.meta.url),
  {
    id: 'isolated',
    maxTokens: 1e13,
    model: MODEL,
    maxTtlMs: 3_600_000,
    data: { model: MODEL, n: N, width: WIDTH },
  },
);
const outcome = await run.done;
if (outcome.status !== 'returned')
  throw new Error(`bench agent ended ${outcome.status}: ${JSON.stringify(outcome)}`);
const iso = outcome.value as {
  status: number;
  sequential: number;
  pipelined: number;
  batched: number;
};

// In-process equivalent of `status()`: the agent's own state and window, read directly.
const syncStatus = best(3, () =>
  opsPerSecond(N, () => ({ state: inProcess.state, window: inProcess.window })),
);

header(`isolation overhead (n=${N}, width=${WIDTH}); baseline = in-process agent, same run`);
const rows: Array<[string, number, number, string, boolean]> = [
  ['status(): isolated round trip vs direct read', iso.status, syncStatus, 'report', true],
  ['reserve+commit sequential (2 trips/pair)', iso.sequential, syncPairs, 'report', true],
  ['reserve+commit pipelined', iso.pipelined, syncPairs, 'report', true],
  ['reserve+commit batched (2 trips/WIDTH pairs)', iso.batched, syncPairs, 'report', true],
  ['sequential vs awaited in-process pairs', iso.sequential, asyncPairs, 'report', true],
  ['isolated: pipelined vs sequential', iso.pipelined, iso.sequential, 'report', true],
  [
    'isolated: batched vs sequential',
    iso.batched,
    iso.sequential,
    '≥ 2× (pays)',
    iso.batched >= 2 * iso.sequential,
  ],
];
// Ratio = how many times faster the right-hand column is (the overhead factor), except for the
// last two rows, where it is the isolated speed-up over sequential round trips.
for (const [name, ours, base, target, met] of rows) {
  const speedUp = name.startsWith('isolated:');
  row(name, rate(ours), rate(base), speedUp ? ours / base : base / ours, target, met);
}
console.log(
  `\nper pair: isolated sequential ${(1e6 / iso.sequential).toFixed(1)} µs, ` +
    `pipelined ${(1e6 / iso.pipelined).toFixed(1)} µs, batched ${(1e6 / iso.batched).toFixed(1)} µs; ` +
    `in-process ${(1e6 / syncPairs).toFixed(2)} µs (sync), ${(1e6 / asyncPairs).toFixed(2)} µs (awaited)`,
);
await kernel.close();
