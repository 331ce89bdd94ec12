/**
 * Question: how fast and how safely does token-kernel count tokens, on each backend, inline and
 * through the worker pool; which dispatch threshold; what does the memo buy; what does hostile
 * input cost; how far is slicing from the exact count; what base should estimates use.
 * Run alone: `npx tsx bench/tokenize.bench.ts` (~60 s on 2 cores). Naive baselines are measured in
 * the same run: the library called directly (no slicing), counting inline, counting without memo.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  MAX_PIECE_BYTES,
  countText,
  countWithPieceLimit,
  type EncodingName,
} from '../src/tokens/bpe-count.js';
import type { ChatMessage } from '../src/tokens/chat-message.js';
import { DEFAULT_INLINE_MAX_CHARS } from '../src/tokens/token-counter-options.js';
import { createTokenCounter, type TokenCounter } from '../src/tokens/token-counter.js';
import {
  TOKENIZER_BACKENDS,
  rawCounter,
  type TokenizerBackend,
} from '../src/tokens/tokenizer-backend.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MODULES = new URL('../node_modules/', import.meta.url).pathname;
const O200K: EncodingName = 'o200k_base';

// ---------------------------------------------------------------- helpers

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

const mb = (chars: number, ms: number): string => `${(chars / 1e6 / (ms / 1e3)).toFixed(2)} MB/s`;
const f = (n: number, digits = 1): string => n.toFixed(digits);

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function letters(n: number, seed: number): string {
  const random = seeded(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(97 + Math.floor(random() * 26));
  return out;
}

function walk(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, keep, out);
    else if (keep(entry.name)) out.push(path);
  }
  return out;
}

/** Runs `fn` over `items`, `concurrency` at a time, yielding a macrotask between items. */
async function drive<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        await fn(items[next++] as T);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
}

async function loopDelay(
  fn: () => Promise<void>,
): Promise<{ p99: number; max: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const { ms } = await timeAsync(fn);
  histogram.disable();
  return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, ms };
}

// ---------------------------------------------------------------- corpus

const files = walk(MODULES, (n) => /^readme.*\.md$/i.test(n) || n.endsWith('.d.ts')).sort();
const markdown = files.filter((p) => p.toLowerCase().endsWith('.md'));
const declarations = files.filter((p) => p.endsWith('.d.ts'));
const documents: string[] = [];
let corpusChars = 0;
for (let i = 0; corpusChars < 5_000_000 && i < files.length; i++) {
  for (const list of [markdown, declarations]) {
    const path = list[i];
    if (path === undefined) continue;
    const text = readFileSync(path, 'utf8');
    documents.push(text);
    corpusChars += text.length;
  }
}
const corpus = documents.join('\n');
const ts = join(MODULES, 'typescript/lib');
const diagnostics = (lang: string): string =>
  Object.values(
    JSON.parse(readFileSync(join(ts, lang, 'diagnosticMessages.generated.json'), 'utf8')) as Record<
      string,
      string
    >,
  ).join('\n');
console.log(
  `corpus: ${documents.length} README/.d.ts files from node_modules, ${f(corpus.length / 1e6, 2)} M chars`,
);

// ---------------------------------------------------------------- 1. load cost

console.log('\n## 1. Loading o200k_base (first use, main thread)');
for (const backend of TOKENIZER_BACKENDS) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const { ms } = time(() => rawCounter(backend, O200K)('warm up'));
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / 1e6;
  console.log(`${backend.padEnd(14)} load ${f(ms, 0)} ms, heap +${f(heap, 0)} MB`);
}

// ---------------------------------------------------------------- 2. main-thread throughput

console.log(`\n## 2. Main-thread throughput on the corpus (o200k_base)`);
const exact = new Map<TokenizerBackend, number>();
const speed = new Map<TokenizerBackend, number>();
for (const backend of TOKENIZER_BACKENDS) {
  // Warm both paths (JIT, caches of common pieces) on a slice first.
  rawCounter(backend, O200K)(corpus.slice(0, 200_000));
  countText(corpus.slice(200_000, 400_000), O200K, backend);
  const raw = time(() => rawCounter(backend, O200K)(corpus));
  const ours = time(() => countText(corpus, O200K, backend));
  exact.set(backend, raw.value);
  speed.set(backend, corpus.length / ours.ms);
  console.log(
    `${backend.padEnd(14)} library alone ${mb(corpus.length, raw.ms)} (${raw.value} tokens) | ` +
      `countText ${mb(corpus.length, ours.ms)} (${ours.value} tokens, +${ours.value - raw.value}) | ` +
      `ratio ${f(raw.ms / ours.ms, 2)}`,
  );
}
const [first, second] = TOKENIZER_BACKENDS as [TokenizerBackend, TokenizerBackend];
console.log(
  `parity: ${exact.get(first) === exact.get(second) ? 'identical' : 'DIFFERENT'} counts; ` +
    `${first} is ${f((speed.get(first) ?? 0) / (speed.get(second) ?? 1), 1)}× ${second}`,
);

// ---------------------------------------------------------------- 3. pool

console.log('\n## 3. Through the pool (default threads) vs inline, whole corpus as documents');
for (const backend of TOKENIZER_BACKENDS) {
  const pooled = createTokenCounter({ backend, inlineMaxChars: 0, memoMaxBytes: 0 });
  await pooled.count('warm the worker: load its ranks', 'gpt-4o');
  const run = await loopDelay(() => drive(documents, 8, (d) => pooled.count(d, 'gpt-4o')));
  console.log(
    `${backend.padEnd(14)} pool ${mb(corpus.length, run.ms)}, event-loop delay p99 ${f(run.p99)} ms ` +
      `(max ${f(run.max)} ms), ${pooled.stats().threads} thread(s)`,
  );
  await pooled.close();
}
{
  const inline = createTokenCounter({ inlineMaxChars: Number.MAX_SAFE_INTEGER, memoMaxBytes: 0 });
  const run = await loopDelay(() => drive(documents, 8, (d) => inline.count(d, 'gpt-4o')));
  console.log(
    `inline (baseline) ${mb(corpus.length, run.ms)}, event-loop delay p99 ${f(run.p99)} ms (max ${f(run.max)} ms)`,
  );
  await inline.close();
  const pooled = createTokenCounter({ inlineMaxChars: 0, memoMaxBytes: 0 });
  await pooled.count('warm the worker: load its ranks', 'gpt-4o');
  const one = await loopDelay(async () => void (await pooled.count(corpus, 'gpt-4o')));
  console.log(
    `one ${f(corpus.length / 1e6, 1)} M-char string through the pool: ${mb(corpus.length, one.ms)}, ` +
      `p99 ${f(one.p99)} ms (max ${f(one.max)} ms: hashing + cloning on the main thread)`,
  );
  await pooled.close();
}

// ---------------------------------------------------------------- 4. dispatch threshold

console.log('\n## 4. Dispatch threshold: inline count vs pool round trip (memo off, median)');
{
  const pooled = createTokenCounter({ inlineMaxChars: 0, memoMaxBytes: 0 });
  await pooled.count('warm the worker: load its ranks', 'gpt-4o');
  const prose = documents.filter((_, i) => i % 2 === 0).join('\n');
  let offset = 0;
  const sample = (size: number): string => {
    offset = (offset + size + 7919) % (prose.length - size);
    return prose.slice(offset, offset + size);
  };
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1] ?? 0;
  const rows: Array<readonly [number, number, number]> = [];
  for (const size of [16, 256, 512, 1_024, 2_048, 4_096, 16_384, 65_536]) {
    const runs = size <= 4_096 ? 150 : 40;
    const inline: number[] = [];
    const pool: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = sample(size);
      inline.push(time(() => countText(a, O200K)).ms);
      const b = sample(size);
      pool.push((await timeAsync(() => pooled.count(b, 'gpt-4o'))).ms);
    }
    const [mi, mp] = [median(inline), median(pool)];
    rows.push([size, mi, mp]);
    console.log(
      `${String(size).padStart(6)} chars: inline ${f(mi * 1e3, 0).padStart(6)} µs | ` +
        `pool ${f(mp * 1e3, 0).padStart(6)} µs (${f(mp / mi, 1)}×)`,
    );
  }
  // The round trip is what the pool adds to the worker's own counting: its smallest excess.
  const roundTrip = Math.min(...rows.map(([, mi, mp]) => mp - mi));
  const crossover = rows.find(([, mi]) => mi > roundTrip)?.[0];
  console.log(
    `pool round trip ≈ ${f(roundTrip * 1e3, 0)} µs; inline counting costs more than that from ~${crossover ?? '>65536'} chars ` +
      `(default inlineMaxChars ${DEFAULT_INLINE_MAX_CHARS})`,
  );
  await pooled.close();
}

// ---------------------------------------------------------------- 5. memo

console.log('\n## 5. Memo on a repeated-prompt stream (50 sessions, growing histories)');
async function stream(tokens: TokenCounter, calls: number): Promise<number> {
  const random = seeded(42);
  const prompts = Array.from({ length: 20 }, (_, i) =>
    (documents[i * 7] ?? '').slice(0, 2_000 + i * 300),
  );
  const sessions = Array.from({ length: 50 }, (_, i) => [
    { role: 'system', content: prompts[i % prompts.length] ?? '' } as ChatMessage,
  ]);
  const { ms } = await timeAsync(async () => {
    for (let call = 0; call < calls; call++) {
      const session = sessions[Math.floor(random() * sessions.length)] as ChatMessage[];
      const start = Math.floor(random() * (corpus.length - 600));
      session.push({
        role: 'user',
        content: corpus.slice(start, start + 50 + Math.floor(random() * 450)),
      });
      if (session.length > 14) session.splice(1, 2);
      await tokens.count(session, 'gpt-4o');
    }
  });
  return (calls / ms) * 1e3;
}
{
  const baseline = createTokenCounter({ memoMaxBytes: 0 });
  const without = await stream(baseline, 2_000);
  await baseline.close();
  const memo = createTokenCounter();
  const withMemo = await stream(memo, 2_000);
  const { hits, misses, bytes } = memo.stats().memo;
  console.log(
    `no memo (baseline) ${f(without, 0)} counts/s | memo ${f(withMemo, 0)} counts/s, ` +
      `hit rate ${f((100 * hits) / (hits + misses))} %, ${f(bytes / 1e3, 0)} kB | ratio ${f(withMemo / without, 1)}`,
  );
  await memo.close();
}

// ---------------------------------------------------------------- 6. hostile input

console.log('\n## 6. Hostile input through countText (o200k_base); library alone as baseline');
const minified = walk(
  MODULES,
  (n) => n.endsWith('.min.js') || /^(report|index-[\w-]+|defaultSettingsView-[\w-]+)\.js$/.test(n),
)
  .map((p) => readFileSync(p, 'utf8'))
  .join('\n')
  .slice(0, 1_000_000);
const random = seeded(7);
const bytes = Buffer.alloc(750_000);
for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
const hostile: Array<readonly [string, string]> = [
  ['12,500 random letters', letters(12_500, 1)],
  ['50,000 random letters', letters(50_000, 2)],
  ['250 KB of one character', 'q'.repeat(250_000)],
  ['1 MB of one character', 'x'.repeat(1_000_000)],
  [`${f(minified.length / 1e6, 2)} MB minified code`, minified],
  ['1 MB base64 (750 KB random bytes)', bytes.toString('base64')],
  ['200 KB of CJK, no punctuation', '漢字仮名交じり文'.repeat(25_000)],
];
for (const backend of TOKENIZER_BACKENDS) {
  const raw = rawCounter(backend, O200K);
  const small = backend === 'js-tiktoken' ? [1_000, 2_000] : [10_000, 20_000];
  const naive = small.map((n) => ({ n, ms: time(() => raw(letters(n, n))).ms }));
  console.log(
    `${backend}: library alone on random letters: ${naive.map((r) => `${r.n} in ${f(r.ms, 0)} ms`).join(', ')} ` +
      `(×${f((naive[1]?.ms ?? 0) / (naive[0]?.ms ?? 1), 1)} for ×2: quadratic)`,
  );
  for (const [name, text] of hostile) {
    const run = time(() => countText(text, O200K, backend));
    console.log(`  ${name.padEnd(34)} ${f(run.ms, 0).padStart(6)} ms  ${mb(text.length, run.ms)}`);
  }
}
{
  const exactBase64 = rawCounter('gpt-tokenizer', O200K)(bytes.toString('base64'));
  const exactMin = rawCounter('gpt-tokenizer', O200K)(minified);
  console.log(
    `over-count on hostile text with short pieces: base64 +${countText(bytes.toString('base64'), O200K) - exactBase64}, ` +
      `minified code +${countText(minified, O200K) - exactMin} tokens`,
  );
}

// ---------------------------------------------------------------- 7. over-count of slicing

console.log(
  `\n## 7. Over-count of slicing pieces > N UTF-8 bytes (gpt-tokenizer; default N = ${MAX_PIECE_BYTES})`,
);
{
  const raw = rawCounter('gpt-tokenizer', O200K);
  const texts: Array<readonly [string, string]> = [
    ['corpus', corpus],
    ['Japanese', diagnostics('ja')],
    ['Chinese', diagnostics('zh-cn')],
    ['Russian', diagnostics('ru')],
  ];
  for (const [name, text] of texts) {
    const library = raw(text);
    const cells = [64, 128, 256].map((n) => {
      const counted = countWithPieceLimit(text, O200K, raw, n);
      return `N=${n}: +${f((100 * (counted - library)) / library, 4)} %`;
    });
    console.log(`${name.padEnd(9)} ${String(library).padStart(8)} tokens  ${cells.join('  ')}`);
  }
}

// ---------------------------------------------------------------- 8. estimate base

console.log(
  '\n## 8. Characters per o200k token by content (why estimates start from o200k, not chars/3.5)',
);
{
  const kinds: Array<readonly [string, string]> = [
    [
      'English prose (READMEs)',
      documents
        .filter((_, i) => i % 2 === 0)
        .join('\n')
        .slice(0, 300_000),
    ],
    [
      'TypeScript (.d.ts)',
      documents
        .filter((_, i) => i % 2 === 1)
        .join('\n')
        .slice(0, 300_000),
    ],
    ['Russian', diagnostics('ru')],
    ['Japanese', diagnostics('ja')],
    ['Chinese', diagnostics('zh-cn')],
    ['emoji', '🎉🚀✨👍😀🔥'.repeat(2_000)],
  ];
  for (const [name, text] of kinds) {
    const tokens = countText(text, O200K);
    const perToken = text.length / tokens;
    console.log(
      `${name.padEnd(24)} ${f(perToken, 2)} chars/token; chars/3.5 would say ${f((text.length / 3.5 / tokens) * 100, 0)} % of o200k`,
    );
  }
}
