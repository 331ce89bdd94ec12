/**
 * Question: at the same token budget, how many planted facts does compressMessages keep, compared
 * with keeping the last K messages and with truncating the oldest tokens?
 *
 * Method: seeded synthetic conversations (system prompt, user/assistant turns, tool calls with
 * log-like outputs full of incidental ids and numbers, prose with incidental facts of the same
 * kinds as the planted ones, repeated tool outputs, acknowledgements),
 * with facts planted at random positions: deploy keys, paths, URLs, names and numbers. Each
 * conversation is cut to tokensBefore / 2, 4 and 8 (exact o200k count, gpt-4o) by the three
 * methods; a fact is retained when its exact string appears in the result. Run alone:
 * `npx tsx bench/compress.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { compressMessages } from '../src/compress/compress-messages.js';
import { countMessagesExact } from '../src/compress/count-messages.js';
import { truncateToTokens } from '../src/compress/truncate-tokens.js';
import type { ChatMessage } from '../src/tokens/chat-message.js';

const MODEL = 'gpt-4o';
const ENCODING = 'o200k_base';
const CONVERSATIONS = 12;
const TURNS = 70;
const RATIOS = [2, 4, 8] as const;
const SEED = 20_260_105;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOUNS = (
  'service cache queue worker schema index migration dashboard pipeline release branch test ' +
  'endpoint client budget report module parser scheduler session token replica cluster'
).split(' ');
const ADJECTIVES = 'stable slow flaky healthy outdated fine noisy consistent broken fast'.split(
  ' ',
);
const VERBS = 'checked reviewed restarted updated rolled back profiled refactored'.split(' ');
const FIRST = 'Alice Bruno Chen Dana Emeka Farah Goran Hana Ivan Jonas Keiko Lucia'.split(' ');
const LAST = 'Moreno Okafor Lindqvist Tanaka Novak Haddad Petrov Silva Costa Weber'.split(' ');

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T =>
  items[Math.floor(rand() * items.length)] as T;
const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** Sentences with incidental facts of the same kinds as the planted ones, competing for room. */
function distractor(rand: Rand): string {
  const n = pick(rand, NOUNS);
  const templates = [
    `Build ${int(rand, 100, 9999)} took ${int(rand, 30, 900)} seconds on runner r-${int(rand, 10, 99)}.`,
    `I opened ticket OPS-${int(rand, 1000, 9999)} for the ${n}.`,
    `Commit ${int(rand, 0x1000000, 0xfffffff).toString(16)} touched src/${n}/${pick(rand, NOUNS)}.ts.`,
    `${pick(rand, FIRST)} ${pick(rand, LAST)} reviewed the ${n} yesterday.`,
    `The ${n} dashboard is at https://grafana.example.com/d/${int(rand, 100, 999)}.`,
  ];
  return pick(rand, templates);
}

function filler(rand: Rand): string {
  if (rand() < 0.3) return distractor(rand);
  const n = pick(rand, NOUNS);
  const m = pick(rand, NOUNS);
  const templates = [
    `I ${pick(rand, VERBS)} the ${n} and the ${m} looks ${pick(rand, ADJECTIVES)}.`,
    `The ${n} is ${pick(rand, ADJECTIVES)} again, so we should look at the ${m} next.`,
    `Let me know if the ${n} needs anything else before we move on to the ${m}.`,
    `We talked about the ${n} earlier and agreed the ${m} can wait.`,
    `The ${n} seems ${pick(rand, ADJECTIVES)} after the change to the ${m}.`,
    `Could you summarize what happened with the ${n} and the ${m} so far?`,
  ];
  return pick(rand, templates);
}

function logLines(rand: Rand, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const ms = int(rand, 2, 900);
    const id = int(rand, 1000, 99_999);
    out.push(
      `2026-01-0${int(rand, 1, 9)}T${int(rand, 10, 23)}:${int(rand, 10, 59)}:0${int(rand, 0, 9)}Z ` +
        `${pick(rand, ['GET', 'POST', 'PUT'])} /api/${pick(rand, NOUNS)}/${id} ${pick(rand, [200, 200, 201, 404, 500])} ${ms}ms`,
    );
  }
  return out.join('\n');
}

interface Planted {
  readonly fact: string;
  readonly sentence: string;
}

function plantedFact(rand: Rand, k: number): Planted {
  switch (k % 5) {
    case 0: {
      const fact = `K-${int(rand, 10_000, 99_999)}`;
      return { fact, sentence: `The deploy key for the ${pick(rand, NOUNS)} is ${fact}.` };
    }
    case 1: {
      const fact = `/srv/${pick(rand, NOUNS)}/config-${int(rand, 100, 999)}.yaml`;
      return { fact, sentence: `The real settings live in ${fact}, not in the repo.` };
    }
    case 2: {
      const fact = `https://status.example.com/incidents/${int(rand, 1000, 9999)}`;
      return { fact, sentence: `The incident write-up is at ${fact}.` };
    }
    case 3: {
      const fact = `${pick(rand, FIRST)} ${pick(rand, LAST)}`;
      return { fact, sentence: `The ${pick(rand, NOUNS)} owner is Dr. ${fact}, ask her first.` };
    }
    default: {
      const fact = `${int(rand, 2, 9)},${int(rand, 100, 999)}`;
      return { fact, sentence: `The rate limit is ${fact} requests per minute per tenant.` };
    }
  }
}

function conversation(seed: number): { messages: ChatMessage[]; facts: string[] } {
  const rand = mulberry32(seed);
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content:
        'You are an operations assistant. Answer briefly and use tools to read files and logs.',
    },
  ];
  const facts: string[] = [];
  const plantAt = new Map<number, Planted>();
  for (let k = 0; k < 20; k++) {
    const turn = int(rand, 0, TURNS - 1);
    if (!plantAt.has(turn)) plantAt.set(turn, plantedFact(rand, k));
  }
  const outputs: string[] = [];
  for (let t = 0; t < TURNS; t++) {
    const planted = plantAt.get(t);
    if (planted !== undefined) facts.push(planted.fact);
    const where = planted === undefined ? -1 : int(rand, 0, 2); // user, assistant or tool
    if (rand() < 0.12 && planted === undefined) {
      messages.push({
        role: 'user',
        content: pick(rand, ['ok thanks', 'Great, thanks!', 'Sounds good.']),
      });
      messages.push({ role: 'assistant', content: pick(rand, ['You are welcome.', 'Sure!']) });
      continue;
    }
    const userText = Array.from({ length: int(rand, 1, 3) }, () => filler(rand));
    if (where === 0 && planted !== undefined)
      userText.splice(int(rand, 0, userText.length), 0, planted.sentence);
    messages.push({ role: 'user', content: userText.join(' ') });
    if (rand() < 0.5 || where === 2) {
      const id = `call_${t}`;
      const file = `/var/log/${pick(rand, NOUNS)}.log`;
      messages.push({
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id,
            type: 'function',
            function: { name: 'read_log', arguments: JSON.stringify({ file }) },
          },
        ],
      });
      let output =
        outputs.length > 0 && rand() < 0.15
          ? pick(rand, outputs)
          : logLines(rand, int(rand, 8, 24));
      if (where === 2 && planted !== undefined) output = `${output}\nNOTE: ${planted.sentence}`;
      outputs.push(output);
      messages.push({ role: 'tool', tool_call_id: id, content: output });
    }
    const reply = Array.from({ length: int(rand, 1, 4) }, () => filler(rand));
    if (where === 1 && planted !== undefined)
      reply.splice(int(rand, 0, reply.length), 0, planted.sentence);
    messages.push({ role: 'assistant', content: reply.join(' ') });
  }
  messages.push({
    role: 'user',
    content: 'Please list every key, path, link, owner and limit we discussed.',
  });
  return { messages, facts };
}

function keepLastK(messages: readonly ChatMessage[], budget: number): ChatMessage[] {
  const system = messages.filter((m, i) => i === 0 && m.role === 'system');
  let k = 0;
  while (
    k < messages.length - system.length &&
    countMessagesExact([...system, ...messages.slice(messages.length - k - 1)], ENCODING) <= budget
  ) {
    k++;
  }
  return [...system, ...messages.slice(messages.length - k)];
}

function truncateOldest(messages: readonly ChatMessage[], budget: number): ChatMessage[] {
  const kept = keepLastK(messages, budget);
  const system = kept.length > 0 && kept[0]?.role === 'system' ? 1 : 0;
  const next = messages[messages.length - (kept.length - system) - 1];
  if (next === undefined || next === messages[0]) return kept;
  const room =
    budget -
    countMessagesExact(kept, ENCODING) -
    countMessagesExact([{ ...next, content: '' }], ENCODING) +
    3;
  if (room <= 0) return kept;
  const tail = truncateToTokens(next.content, room, ENCODING, 'tail');
  const partial = { ...next, content: tail };
  const result = [...kept.slice(0, system), partial, ...kept.slice(system)];
  return countMessagesExact(result, ENCODING) <= budget ? result : kept;
}

function retained(messages: readonly ChatMessage[], facts: readonly string[]): number {
  const text = messages
    .map((m) => `${m.content}\n${(m.tool_calls ?? []).map((c) => c.function.arguments).join('\n')}`)
    .join('\n');
  return facts.filter((f) => text.includes(f)).length;
}

interface Row {
  ratio: number;
  planted: number;
  ours: number;
  lastK: number;
  truncate: number;
  budgetMet: boolean;
  ms: number;
  tokensBefore: number;
  budget: number;
}

const rows: Row[] = [];
const started = performance.now();
for (const ratio of RATIOS) {
  const row: Row = {
    ratio,
    planted: 0,
    ours: 0,
    lastK: 0,
    truncate: 0,
    budgetMet: true,
    ms: 0,
    tokensBefore: 0,
    budget: 0,
  };
  for (let c = 0; c < CONVERSATIONS; c++) {
    const { messages, facts } = conversation(SEED + c);
    const before = countMessagesExact(messages, ENCODING);
    const budget = Math.floor(before / ratio);
    const t0 = performance.now();
    const ours = compressMessages(messages, { model: MODEL, maxTokens: budget });
    row.ms += performance.now() - t0;
    const lastK = keepLastK(messages, budget);
    const truncated = truncateOldest(messages, budget);
    for (const result of [ours.messages, lastK, truncated]) {
      if (countMessagesExact(result, ENCODING) > budget) row.budgetMet = false;
    }
    if (ours.tokensAfter !== countMessagesExact(ours.messages, ENCODING)) row.budgetMet = false;
    row.planted += facts.length;
    row.ours += retained(ours.messages, facts);
    row.lastK += retained(lastK, facts);
    row.truncate += retained(truncated, facts);
    row.tokensBefore += before;
    row.budget += budget;
  }
  rows.push(row);
}

const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
console.log(
  `compress: ${CONVERSATIONS} conversations × ${TURNS} turns, ${MODEL}, mean ${Math.round(rows[0]!.tokensBefore / CONVERSATIONS)} tokens before`,
);
console.log(
  'ratio | budget | planted | compressMessages | keep-last-K | truncate-oldest | vs keep-last-K | vs truncate | budget met | ms/conv',
);
for (const r of rows) {
  console.log(
    [
      `${r.ratio}×`,
      Math.round(r.budget / CONVERSATIONS),
      r.planted,
      pct(r.ours, r.planted),
      pct(r.lastK, r.planted),
      pct(r.truncate, r.planted),
      `${(r.ours / Math.max(1, r.lastK)).toFixed(2)}×`,
      `${(r.ours / Math.max(1, r.truncate)).toFixed(2)}×`,
      r.budgetMet ? 'yes' : 'NO',
      (r.ms / CONVERSATIONS).toFixed(1),
    ].join(' | '),
  );
}
const wins = rows.every((r) => r.ours > r.lastK && r.ours > r.truncate && r.budgetMet);
console.log(
  `target (more facts than both baselines at every ratio, budget met): ${wins ? 'met' : 'NOT met'}`,
);
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
