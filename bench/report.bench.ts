/**
 * Question: does `token-kernel report` stream a multi-gigabyte usage log in bounded memory, and
 * what does streaming cost against the obvious read-everything-then-aggregate code?
 *
 * Method: a deterministic ≥ 1 GiB JSONL log (bench/usage-jsonl.ts: kernel records, OpenAI, Anthropic,
 * AI SDK and OpenTelemetry lines; 50 agents, 200 users, 5,000 sessions over a month) is written to
 * the temp directory (reused when present with the same seed and size, deleted at the end unless
 * `--keep`), plus a 256 MiB prefix that the naive code can hold. Each measurement runs in a child
 * process of its own, which reports its time and its peak RSS (`process.resourceUsage().maxRSS`):
 * - streaming: `runUsageReport` over a 1 MiB-chunk file stream, as the CLI runs it;
 * - naive: `readFileSync(path, 'utf8')` → `split('\n')` → `JSON.parse` every line into an array →
 *   the same normalizer and aggregator → the same report. On 1 GiB it hits V8's string limit
 *   (~512 Mi characters): that failure is its result there.
 * Both must report the same total on the prefix. Rates are per wall-clock second; CPU time (all
 * threads, GC included) is printed too, as it is less disturbed by other load on a shared machine.
 * Run: npx tsx bench/report.bench.ts [--size-mb N] [--keep]
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openInput } from '../src/report/open-input.js';
import { normalizeRecord } from '../src/report/record-normalizer.js';
import { runUsageReport } from '../src/report/run-usage-report.js';
import { UsageAggregator } from '../src/report/usage-aggregator.js';
import { buildUsageReport } from '../src/report/usage-report.js';
import { writeUsageJsonl } from './usage-jsonl.js';

const SEED = 7;
const MIB = 1024 * 1024;

interface ChildResult {
  readonly ok: boolean;
  readonly records: number;
  readonly bytes: number;
  readonly ms: number;
  /** CPU time of the process (user + system, all threads), ms: less disturbed by other load. */
  readonly cpuMs: number;
  readonly maxRssMB: number;
  readonly totalNano: number;
  readonly error?: string;
}

async function child(mode: string, path: string): Promise<void> {
  const start = process.hrtime.bigint();
  let result: Omit<ChildResult, 'ms' | 'cpuMs' | 'maxRssMB'>;
  const cpuStart = process.cpuUsage();
  try {
    if (mode === 'streaming') {
      const input = await openInput(path, process.stdin);
      const report = await runUsageReport(input.stream);
      result = {
        ok: true,
        records: report.input.records,
        bytes: report.input.bytes,
        totalNano: report.total.costNano,
      };
    } else {
      const text = readFileSync(path, 'utf8');
      const values = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
      const aggregator = new UsageAggregator();
      for (const value of values)
        for (const record of normalizeRecord(value).records) aggregator.add(record);
      const report = buildUsageReport(aggregator, {
        lines: values.length,
        bytes: text.length,
        blankLines: 0,
        malformedLines: 0,
        malformed: [],
        ignoredSpans: 0,
      });
      result = {
        ok: true,
        records: report.input.records,
        bytes: statSync(path).size,
        totalNano: report.total.costNano,
      };
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    result = {
      ok: false,
      records: 0,
      bytes: 0,
      totalNano: 0,
      error: `${e.code ?? e.name}: ${e.message}`,
    };
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const out: ChildResult = {
    ...result,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function measure(mode: 'streaming' | 'naive', path: string): ChildResult {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, path],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    // A child killed by the OS (out of memory) or by V8's heap limit: that is the result too.
    const reason = run.signal ?? /FATAL ERROR: (.*)/.exec(run.stderr)?.[1] ?? `exit ${run.status}`;
    return {
      ok: false,
      records: 0,
      bytes: 0,
      ms: NaN,
      cpuMs: NaN,
      maxRssMB: NaN,
      totalNano: 0,
      error: `process died: ${reason}`,
    };
  }
  return JSON.parse(line) as ChildResult;
}

/** The big log, reused when a previous run left it with this seed and size. */
function bigFile(targetBytes: number): { path: string; reused: boolean } {
  const path = join(tmpdir(), `token-kernel-report-bench-s${SEED}-${targetBytes}.jsonl`);
  if (
    existsSync(path) &&
    statSync(path).size >= targetBytes &&
    statSync(path).size < targetBytes + 5_000_000
  )
    return { path, reused: true };
  const started = Date.now();
  const { lines, bytes } = writeUsageJsonl(path, targetBytes, SEED);
  console.log(
    `generated ${path}: ${lines.toLocaleString('en-US')} lines, ${(bytes / MIB).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { path, reused: false };
}

/** The first `bytes` of `source`, cut at the end of a line. */
function prefixFile(source: string, bytes: number): string {
  const path = `${source}.prefix-${bytes}`;
  if (existsSync(path)) return path;
  const buffer = Buffer.alloc(bytes + 64 * 1024);
  const fd = openSync(source, 'r');
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  const end = buffer.indexOf(10, Math.min(bytes, read - 1)) + 1;
  const out = openSync(path, 'w');
  writeSync(out, buffer, 0, end > 0 ? end : read);
  closeSync(out);
  return path;
}

function row(label: string, mode: string, r: ChildResult): void {
  const rate = r.ok ? `${Math.round((r.records / r.ms) * 1000).toLocaleString('en-US')}/s` : '-';
  const mbps = r.ok ? `${(r.bytes / MIB / (r.ms / 1000)).toFixed(1)}` : '-';
  const result = r.ok
    ? `total $${(r.totalNano / 1e9).toFixed(2)}`
    : `FAILED ${r.error ?? ''}`.slice(0, 90);
  console.log(
    `${label.padEnd(10)} ${mode.padEnd(10)} ${(r.ok ? r.records.toLocaleString('en-US') : '-').padStart(10)} ${(Number.isNaN(r.ms) ? '-' : `${(r.ms / 1000).toFixed(1)} s`).padStart(8)} ${(Number.isNaN(r.cpuMs) ? '-' : `${(r.cpuMs / 1000).toFixed(1)} s`).padStart(8)} ${rate.padStart(11)} ${mbps.padStart(7)} ${(Number.isNaN(r.maxRssMB) ? '-' : `${r.maxRssMB.toFixed(0)} MB`).padStart(9)}  ${result}`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizeFlag = args.indexOf('--size-mb');
  const target = (sizeFlag >= 0 ? Number(args[sizeFlag + 1]) : 1024) * MIB;
  const keep = args.includes('--keep');
  const { path, reused } = bigFile(target);
  const small = prefixFile(path, Math.min(256 * MIB, Math.floor(target / 4)));
  const bigMiB = `${(statSync(path).size / MIB).toFixed(0)} MiB`;
  const smallMiB = `${(statSync(small).size / MIB).toFixed(0)} MiB`;
  console.log(
    `\nreport.bench: streaming report vs naive read-all-then-aggregate (seed ${SEED}${reused ? ', reused file' : ''})`,
  );
  console.log(
    `${'input'.padEnd(10)} ${'mode'.padEnd(10)} ${'records'.padStart(10)} ${'wall'.padStart(8)} ${'cpu'.padStart(8)} ${'records/s'.padStart(11)} ${'MiB/s'.padStart(7)} ${'peak RSS'.padStart(9)}  result`,
  );
  try {
    const bigStream = measure('streaming', path);
    row(bigMiB, 'streaming', bigStream);
    const bigNaive = measure('naive', path);
    row(bigMiB, 'naive', bigNaive);
    const smallStream = measure('streaming', small);
    row(smallMiB, 'streaming', smallStream);
    const smallNaive = measure('naive', small);
    row(smallMiB, 'naive', smallNaive);
    console.log('');
    if (bigStream.ok && !bigNaive.ok)
      console.log(
        `${bigMiB}: streaming completed in ${bigStream.maxRssMB.toFixed(0)} MB peak RSS; naive failed (${bigNaive.error})`,
      );
    if (bigStream.ok && bigNaive.ok)
      console.log(
        `${bigMiB}: throughput streaming/naive ${(bigNaive.ms / bigStream.ms).toFixed(2)}×, peak RSS naive/streaming ${(bigNaive.maxRssMB / bigStream.maxRssMB).toFixed(2)}×`,
      );
    if (smallStream.ok && smallNaive.ok) {
      console.log(
        `${smallMiB}: throughput streaming/naive ${(smallNaive.ms / smallStream.ms).toFixed(2)}× (CPU time ${(smallNaive.cpuMs / smallStream.cpuMs).toFixed(2)}×), peak RSS naive/streaming ${(smallNaive.maxRssMB / smallStream.maxRssMB).toFixed(2)}×, same total: ${smallNaive.totalNano === smallStream.totalNano}`,
      );
    }
    if (bigStream.ok && smallStream.ok)
      console.log(
        `peak RSS streaming ${bigMiB} / ${smallMiB}: ${(bigStream.maxRssMB / smallStream.maxRssMB).toFixed(2)}× for ${(statSync(path).size / statSync(small).size).toFixed(1)}× the input`,
      );
  } finally {
    rmSync(small, { force: true });
    if (!keep) rmSync(path, { force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1]!, process.argv[childAt + 2]!);
else await main();
