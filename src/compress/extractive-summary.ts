import { countText, type EncodingName } from '../tokens/bpe-count.js';
import { extractFacts, FACT_WEIGHTS, factKey, type Fact } from './facts.js';
import { splitSentences } from './sentence-split.js';
import { truncateToTokens } from './truncate-tokens.js';

/** One text to summarize, in conversation order. */
export interface SummarySource {
  /** Shown before its sentences in the summary ("user", "tool read_file"). */
  readonly label: string;
  readonly text: string;
  /** Added to the score of each of its sentences (e.g. a small bonus for user words). */
  readonly prior?: number;
}

/** An extractive summary and how it was made. */
export interface ExtractiveSummary {
  /** `label: sentence sentence…` lines in conversation order; empty when nothing fits. */
  readonly body: string;
  /** Sentences taken. */
  readonly sentences: number;
  /** True when the only way to fit was to cut a sentence at an exact token count. */
  readonly truncated: boolean;
}

/** Weight of a sentence's centrality against one new fact (FACT_WEIGHTS are ≤ 1). */
const CENTRALITY_WEIGHT = 0.5;
/**
 * MMR: a sentence's relevance is scaled by (1 − NOVELTY_WEIGHT × its highest cosine to a chosen
 * sentence). Facts are not discounted by similarity: coverage already gives a repeated fact
 * nothing, and "the limit is 4,812" is not redundant with "the limit is 9,100".
 */
const NOVELTY_WEIGHT = 1;
/** Score = gain / tokens^COST_EXPONENT, so short fact-dense sentences are preferred. */
const COST_EXPONENT = 0.5;
/** Below this many tokens a cut sentence says nothing: give up instead. */
const MIN_TRUNCATED_TOKENS = 8;

const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as is are was were be been ' +
    'being it its this that these those there here i you he she we they me him her us them my ' +
    'your his our their what which who whom whose when where why how all any both each few more ' +
    'most other some such no nor not only own same so than too very can will just should now do ' +
    'does did doing have has had having would could also into over under again further once up ' +
    'down out off about against between through during before after above below while ok okay'
  ).split(' '),
);
const TERM = /[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu;

interface Candidate {
  readonly source: number;
  readonly text: string;
  readonly cost: number;
  readonly facts: { readonly key: string; readonly shape: string; weight: number }[];
  readonly terms: readonly number[];
  readonly weights: Float64Array;
  centrality: number;
}

function buildCandidates(
  sources: readonly SummarySource[],
  encoding: EncodingName,
  termIds: Map<string, number>,
): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  sources.forEach((source, s) => {
    splitSentences(source.text).forEach((text) => {
      const norm = text.toLowerCase().replace(/\s+/g, ' ');
      if (!/[\p{L}\p{N}]/u.test(text) || seen.has(norm)) return;
      seen.add(norm);
      const facts = extractFacts(text).map((f) => ({
        key: factKey(f),
        shape: factShape(f),
        weight: factWeight(f),
      }));
      const tf = new Map<number, number>();
      const words = (norm.match(TERM) ?? []).filter((w) => w.length > 1 && !STOPWORDS.has(w));
      for (const term of [...words, ...facts.map((f) => f.key)]) {
        let id = termIds.get(term);
        if (id === undefined) termIds.set(term, (id = termIds.size));
        tf.set(id, (tf.get(id) ?? 0) + 1);
      }
      const terms = [...tf.keys()].sort((a, b) => a - b);
      const weights = Float64Array.from(terms, (t) => 1 + Math.log(tf.get(t) ?? 1));
      const cost = countText(` ${text}`, encoding);
      candidates.push({ source: s, text, cost, facts, terms, weights, centrality: 0 });
    });
  });
  return candidates;
}

/** A fact's base weight; numbers of one or two digits ("step 2", "7 files") count a third less per digit short of three. */
function factWeight(fact: Fact): number {
  if (fact.kind !== 'number') return FACT_WEIGHTS[fact.kind];
  const digits = fact.text.replace(/\D/g, '').length;
  return FACT_WEIGHTS.number * Math.min(1, digits / 3);
}

/**
 * The form of a fact with its letters and digits abstracted ("K-29430" → "A-9",
 * "/api/items/3127" → "/a/a/9"); a name's form is itself. Logs and tables repeat a few forms
 * hundreds of times, a fact someone stated once rarely shares its form with many others.
 */
function factShape(fact: Fact): string {
  if (fact.kind === 'name') return `name:${fact.text.toLowerCase()}`;
  return `${fact.kind}:${fact.text
    .replace(/\p{Lu}+/gu, 'A')
    .replace(/\p{Ll}+/gu, 'a')
    .replace(/\d+/g, '9')}`;
}

/**
 * Scales each fact's weight by the rarity of its form among the sentences, from 1 (a form seen
 * once) down towards 0 (a form in every sentence): `ln(1 + N/df) / ln(1 + N)`.
 */
function weighFacts(candidates: readonly Candidate[]): void {
  const n = candidates.length;
  if (n <= 1) return;
  const df = new Map<string, number>();
  for (const c of candidates) {
    for (const shape of new Set(c.facts.map((f) => f.shape)))
      df.set(shape, (df.get(shape) ?? 0) + 1);
  }
  const norm = Math.log(1 + n);
  for (const c of candidates) {
    for (const f of c.facts) f.weight *= Math.log(1 + n / (df.get(f.shape) ?? 1)) / norm;
  }
}

/** tf-idf weights, L2-normalised, then centrality as cosine to the centroid (one-step LexRank). */
function weigh(candidates: Candidate[], termCount: number): Map<number, number>[] {
  const df = new Float64Array(termCount);
  for (const c of candidates) for (const t of c.terms) df[t] = (df[t] ?? 0) + 1;
  const n = candidates.length;
  const centroid = new Float64Array(termCount);
  for (const c of candidates) {
    let norm = 0;
    c.terms.forEach((t, k) => {
      const w = (c.weights[k] ?? 0) * Math.log(1 + n / (df[t] ?? 1));
      c.weights[k] = w;
      norm += w * w;
    });
    norm = Math.sqrt(norm) || 1;
    c.terms.forEach((t, k) => {
      const w = (c.weights[k] ?? 0) / norm;
      c.weights[k] = w;
      centroid[t] = (centroid[t] ?? 0) + w;
    });
  }
  let centroidNorm = 0;
  for (const w of centroid) centroidNorm += w * w;
  centroidNorm = Math.sqrt(centroidNorm) || 1;
  let best = 0;
  for (const c of candidates) {
    let dot = 0;
    c.terms.forEach((t, k) => (dot += (c.weights[k] ?? 0) * (centroid[t] ?? 0)));
    c.centrality = dot / centroidNorm;
    best = Math.max(best, c.centrality);
  }
  const postings = Array.from({ length: termCount }, () => new Map<number, number>());
  candidates.forEach((c, i) => {
    if (best > 0) c.centrality /= best;
    c.terms.forEach((t, k) => postings[t]?.set(i, c.weights[k] ?? 0));
  });
  return postings;
}

/**
 * Picks sentences from `sources` for a summary of at most `maxTokens` tokens (exact count of the
 * returned body in `encoding`). A sentence's gain is its relevance (0.5 × centroid centrality,
 * a one-step LexRank over tf-idf vectors, plus its source's prior) scaled by MMR novelty
 * (1 − its highest cosine to a chosen sentence), plus the weight of every fact (number,
 * identifier, path, URL, name) no chosen sentence covers yet, each fact weighted by the rarity
 * of its form; the greedy pick maximises gain / √tokens while the budget lasts. Chosen sentences
 * are printed in conversation order, one `label: …` line per source. Deterministic: ties go to
 * the earlier sentence.
 */
export function summarizeExtractive(
  sources: readonly SummarySource[],
  maxTokens: number,
  encoding: EncodingName,
): ExtractiveSummary {
  const termIds = new Map<string, number>();
  const candidates = buildCandidates(sources, encoding, termIds);
  const postings = weigh(candidates, termIds.size);
  weighFacts(candidates);
  const labelCost = sources.map((s) => countText(`\n${s.label}:`, encoding));
  const sourceUsed = new Array<boolean>(sources.length).fill(false);
  const chosen = new Array<boolean>(candidates.length).fill(false);
  const maxSim = new Float64Array(candidates.length);
  const dots = new Float64Array(candidates.length);
  const covered = new Set<string>();
  const picks: number[] = [];
  let left = maxTokens;

  for (;;) {
    let best = -1;
    let bestScore = 0;
    candidates.forEach((c, i) => {
      if (chosen[i] === true) return;
      const cost = c.cost + (sourceUsed[c.source] === true ? 0 : (labelCost[c.source] ?? 0));
      if (cost > left) return;
      const relevance = CENTRALITY_WEIGHT * c.centrality + (sources[c.source]?.prior ?? 0);
      let gain = relevance * (1 - NOVELTY_WEIGHT * (maxSim[i] ?? 0));
      const counted = new Set<string>();
      for (const f of c.facts) {
        if (covered.has(f.key) || counted.has(f.key)) continue;
        counted.add(f.key);
        gain += f.weight;
      }
      const score = gain / Math.pow(Math.max(1, cost), COST_EXPONENT);
      if (gain > 0 && score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    const pick = candidates[best];
    if (pick === undefined) break;
    chosen[best] = true;
    picks.push(best);
    left -= pick.cost + (sourceUsed[pick.source] === true ? 0 : (labelCost[pick.source] ?? 0));
    sourceUsed[pick.source] = true;
    for (const f of pick.facts) covered.add(f.key);
    const touched: number[] = [];
    pick.terms.forEach((t, k) => {
      const w = pick.weights[k] ?? 0;
      for (const [i, wc] of postings[t] ?? []) {
        if (dots[i] === 0) touched.push(i);
        dots[i] = (dots[i] ?? 0) + w * wc;
      }
    });
    for (const i of touched) {
      maxSim[i] = Math.max(maxSim[i] ?? 0, dots[i] ?? 0);
      dots[i] = 0;
    }
  }

  // Joining can merge tokens differently from the per-sentence estimate: drop the latest picks.
  while (picks.length > 0) {
    const body = render(candidates, picks, sources);
    if (countText(body, encoding) <= maxTokens)
      return { body, sentences: picks.length, truncated: false };
    picks.pop();
  }
  return truncatedBest(candidates, sources, maxTokens, encoding);
}

function render(
  candidates: readonly Candidate[],
  picks: readonly number[],
  sources: readonly SummarySource[],
): string {
  const ordered = [...picks].sort((a, b) => a - b);
  const lines: string[] = [];
  let current = -1;
  for (const i of ordered) {
    const c = candidates[i] as Candidate;
    if (c.source !== current) {
      lines.push(`${sources[c.source]?.label ?? 'note'}: ${c.text}`);
      current = c.source;
    } else lines[lines.length - 1] += ` ${c.text}`;
  }
  return lines.join('\n');
}

/** The best-scoring sentence cut to fit, when no whole sentence fits. */
function truncatedBest(
  candidates: readonly Candidate[],
  sources: readonly SummarySource[],
  maxTokens: number,
  encoding: EncodingName,
): ExtractiveSummary {
  if (candidates.length === 0 || maxTokens < MIN_TRUNCATED_TOKENS) {
    return { body: '', sentences: 0, truncated: false };
  }
  let best = 0;
  candidates.forEach((c, i) => {
    const score = (x: Candidate) =>
      x.centrality +
      x.facts.reduce((sum, f) => sum + f.weight, 0) +
      (sources[x.source]?.prior ?? 0);
    if (score(c) > score(candidates[best] as Candidate)) best = i;
  });
  const body = truncateToTokens(render(candidates, [best], sources), maxTokens, encoding, 'head');
  return { body, sentences: body.length > 0 ? 1 : 0, truncated: body.length > 0 };
}
