/** Shared helpers for the benchmarks: timing loops, formatting, a seeded random source. */

/** Runs `fn(i)` for `n` iterations after a warm-up; returns operations per second. */
export function opsPerSecond(
  n: number,
  fn: (i: number) => void,
  warmup = Math.min(n, 20_000),
): number {
  for (let i = 0; i < warmup; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start);
  return (n * 1e9) / ns;
}

/**
 * Operations per second of `pass(k)`, which does `size` operations per call (one pass over the
 * agents, say): the harness's call and index arithmetic are paid once per pass, not per
 * operation, so the figure is the operation's own cost.
 */
export function passOpsPerSecond(ops: number, size: number, pass: (k: number) => void): number {
  return opsPerSecond(Math.ceil(ops / size), pass, 20) * size;
}

/** Best of `rounds` measurements (the least disturbed by the other core's load). */
export function best(rounds: number, measure: () => number): number {
  let top = 0;
  for (let i = 0; i < rounds; i++) top = Math.max(top, measure());
  return top;
}

/** Milliseconds taken by `fn`. */
export function millis(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `12.3M/s`-style rate. */
export function rate(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)}k/s`;
  return `${ops.toFixed(0)}/s`;
}

/** Heap bytes after a full GC (needs --expose-gc; falls back to no GC). */
export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Prints one result row: name, ours, baseline, ratio, target verdict. */
export function row(
  name: string,
  ours: string,
  baseline: string,
  ratio: number,
  target: string,
  met: boolean,
): void {
  console.log(
    `${name.padEnd(42)} ${ours.padStart(12)} ${baseline.padStart(12)} ${`${ratio.toFixed(2)}×`.padStart(8)}  ${target.padEnd(14)} ${met ? 'met' : 'MISSED'}`,
  );
}

/** The table header for {@link row}. */
export function header(title: string): void {
  console.log(`\n${title}`);
  console.log(
    `${'measure'.padEnd(42)} ${'ours'.padStart(12)} ${'baseline'.padStart(12)} ${'ratio'.padStart(8)}  ${'target'.padEnd(14)} verdict`,
  );
}
