/**
 * Default longest sentence, in UTF-16 code units: longer ones (log lines, minified JSON) are cut
 * at a space so one giant "sentence" cannot crowd a summary out.
 * @default 320
 */
export const MAX_SENTENCE_CHARS = 320;

// Lower-cased, without the final dot. A dot after one of these ends no sentence.
const ABBREVIATIONS: ReadonlySet<string> = new Set(
  (
    'mr mrs ms dr prof sr jr st mt vs cf approx dept est inc ltd co corp gen gov sen rep capt ' +
    'col lt sgt al jan feb apr jun jul aug sep sept oct nov dec min max'
  ).split(' '),
);
// These end a sentence unless a number follows ("see No. 5", "Fig. 3").
const NUMBER_ABBREVIATIONS: ReadonlySet<string> = new Set(
  'no nos fig figs vol p pp art sec ch eq ref v'.split(' '),
);
const TERMINATORS = '.!?…';
const CLOSERS = '"\'”’)]}»';
const OPENERS = '"\'“‘([{«*_`';

function isWhitespace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\u00a0' || ch === '\f' || ch === '\v';
}

function isLowerLetter(ch: string): boolean {
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** True when the dot at the end of `word` (e.g. "Dr.", "e.g.", "U.S.", "J.") ends no sentence. */
function isAbbreviation(word: string, next: string | undefined): boolean {
  let bare = word;
  while (bare.length > 0 && OPENERS.includes(bare[0] ?? '')) bare = bare.slice(1);
  if (!bare.endsWith('.') || bare.endsWith('..')) return false;
  const stem = bare.slice(0, -1);
  if (/^\p{Lu}$/u.test(stem)) return true; // an initial: "J. R. R. Tolkien"
  if (/^(?:\p{L}\.)+\p{L}$/u.test(stem)) return true; // "e.g", "i.e", "U.S", "a.m"
  const lower = stem.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  return NUMBER_ABBREVIATIONS.has(lower) && isDigit(next);
}

function splitLine(line: string, out: string[]): void {
  let start = 0;
  let i = 0;
  while (i < line.length) {
    if (!TERMINATORS.includes(line[i] ?? '')) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < line.length && TERMINATORS.includes(line[end] ?? '')) end++;
    while (end < line.length && CLOSERS.includes(line[end] ?? '')) end++;
    // A boundary needs whitespace after it: "3.14", "v1.2.3", URLs and paths have none.
    if (end < line.length && !isWhitespace(line[end])) {
      i = end;
      continue;
    }
    let next = end;
    while (next < line.length && isWhitespace(line[next])) next++;
    const nextChar = line[next];
    const wordStart = line.lastIndexOf(' ', i) + 1;
    const word = line.slice(wordStart, i + 1);
    const singleDot = line[i] === '.' && end === i + 1;
    const continues =
      nextChar === undefined ||
      isLowerLetter(nextChar) ||
      (singleDot && isAbbreviation(word, nextChar));
    if (!continues) {
      out.push(line.slice(start, end).trim());
      start = next;
    }
    i = end;
  }
  const rest = line.slice(start).trim();
  if (rest.length > 0) out.push(rest);
}

function capLength(sentence: string, maxChars: number, out: string[]): void {
  let rest = sentence;
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(' ', maxChars);
    if (cut < maxChars / 2) {
      cut = maxChars;
      const code = rest.charCodeAt(cut);
      if (code >= 0xdc00 && code <= 0xdfff) cut--; // never split a surrogate pair
    }
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) out.push(rest);
}

/**
 * Splits text into sentences. Every line break ends a sentence (chat and tool output are
 * line-oriented); inside a line a sentence ends at `.`, `!`, `?` or `…` followed by whitespace,
 * except after abbreviations ("Dr.", "e.g.", "i.e.", "U.S.", initials, "No." before a number) or
 * when the next word starts in lower case. Decimals, versions, URLs and paths contain no
 * whitespace after their dots, so they are never split. Sentences longer than `maxChars` are cut
 * at a space.
 * @param maxChars longest sentence in UTF-16 code units, @default {@link MAX_SENTENCE_CHARS}
 */
export function splitSentences(text: string, maxChars = MAX_SENTENCE_CHARS): string[] {
  const sentences: string[] = [];
  for (const line of text.split(/\r?\n|\r/)) {
    if (line.trim().length === 0) continue;
    const parts: string[] = [];
    splitLine(line, parts);
    for (const part of parts) if (part.length > 0) capLength(part, maxChars, sentences);
  }
  return sentences;
}
