/** The kinds of specific facts the summary works to keep. */
export type FactKind = 'url' | 'email' | 'path' | 'identifier' | 'number' | 'name';

/** One fact found in a text: its kind and its text as written. */
export interface Fact {
  readonly kind: FactKind;
  readonly text: string;
}

/**
 * How much one not-yet-covered fact of each kind adds to a sentence's score (a perfectly central
 * sentence scores 1). Specific strings nobody could reconstruct weigh most.
 */
export const FACT_WEIGHTS: Readonly<Record<FactKind, number>> = {
  url: 1,
  email: 1,
  path: 1,
  identifier: 1,
  number: 0.6,
  name: 0.8,
};

const URL = /\b(?:https?|ftp|wss?|s3|gs|file):\/\/[^\s<>"'`]+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const PATH =
  /(?<![\w/:.])(?:~|\.{1,2})?\/[\w.@+-]+(?:\/[\w.@+-]+)*\/?|\b[A-Za-z]:\\[\w.\\-]+|\b(?:[\w.-]+\/)+[\w-]+\.[A-Za-z0-9]{1,8}\b/g;
const WORD = /[A-Za-z0-9_][\w.:#-]*\w|[A-Za-z0-9_]/g;
const NUMBER = /(?<![\w])[$€£]?\d+(?:[.,:/-]\d+)*%?(?![\w])/g;
const NAME = /\p{Lu}[\p{Ll}'’]+(?:[ -]\p{Lu}[\p{Ll}'’]+)*/gu;

// Capitalised words that are not names, ignored at the edges of a capitalised run.
const NOT_NAMES: ReadonlySet<string> = new Set(
  (
    'The A An This That These Those It Its I We You He She They Our Your My His Her Their ' +
    'If When Then Also And But Or So For In On At To Of By From With As Is Are Was Were Be ' +
    'Please Yes No Ok Okay Thanks Thank Here There What Which Who Why How Let Sure Note ' +
    'Summary User Assistant Tool System Monday Tuesday Wednesday Thursday Friday Saturday Sunday'
  ).split(' '),
);

const TRAILING = /[.,;:!?)\]}'"”’]+$/;

function blank(text: string, start: number, length: number): string {
  return text.slice(0, start) + ' '.repeat(length) + text.slice(start + length);
}

function take(
  text: string,
  pattern: RegExp,
  kind: FactKind,
  out: Fact[],
  accept: (match: string) => boolean = () => true,
): string {
  let rest = text;
  for (const match of text.matchAll(pattern)) {
    const value = match[0].replace(TRAILING, '');
    if (value.length === 0 || !accept(value)) continue;
    out.push({ kind, text: value });
    rest = blank(rest, match.index, match[0].length);
  }
  return rest;
}

function isIdentifier(word: string): boolean {
  if (/^[\d.,:/-]+$/.test(word)) return false;
  if (/\p{L}/u.test(word) && /\d/.test(word)) return true;
  if (word.includes('_') && word.length > 2) return true;
  if (/\p{Ll}\p{Lu}/u.test(word)) return true;
  if (/^\p{Lu}{2,}(?:-\p{Lu}+)+$/u.test(word)) return true;
  return /^[\w-]{2,}\.[A-Za-z]{1,5}$/.test(word); // a file name: config.yaml
}

function isSentenceStart(text: string, index: number): boolean {
  const before = text.slice(0, index).trimEnd();
  return before.length === 0 || /[.!?:\n]$/.test(before);
}

function takeNames(text: string, out: Fact[]): void {
  for (const match of text.matchAll(NAME)) {
    const words = match[0].split(/(?<=[ -])/);
    let from = 0;
    let to = words.length;
    while (from < to && NOT_NAMES.has(words[from]?.trim().replace(/-$/, '') ?? '')) from++;
    while (to > from && NOT_NAMES.has(words[to - 1]?.trim() ?? '')) to--;
    if (from === to) continue;
    const name = words.slice(from, to).join('').trim().replace(/-$/, '');
    const single = to - from === 1;
    const offset = match.index + words.slice(0, from).join('').length;
    if (single && (isSentenceStart(text, offset) || name.length < 3)) continue;
    out.push({ kind: 'name', text: name });
  }
}

/**
 * Finds the specific facts in a text: URLs, e-mail addresses, file paths, identifiers (tokens
 * mixing letters and digits, snake_case, camelCase, file names), numbers (with units of money,
 * percent, dates and times) and names (capitalised words not at a sentence start, or runs of
 * them). Each span is reported once, as its most specific kind.
 */
export function extractFacts(text: string): Fact[] {
  const facts: Fact[] = [];
  let rest = take(text, URL, 'url', facts);
  rest = take(rest, EMAIL, 'email', facts);
  rest = take(rest, PATH, 'path', facts, (p) => p.length > 2 && /[A-Za-z]/.test(p));
  rest = take(rest, WORD, 'identifier', facts, isIdentifier);
  rest = take(rest, NUMBER, 'number', facts);
  takeNames(rest, facts);
  return facts;
}

/** The key under which a fact counts as covered: its kind and lower-cased text. */
export function factKey(fact: Fact): string {
  return `${fact.kind}:${fact.text.toLowerCase()}`;
}
