import { nextSafeCut } from './bpe-count.js';

/** One worker task of a plan: texts (whole, or chunks of a long one) and whose count each adds to. */
export interface PlannedTask {
  readonly texts: string[];
  /** `owners[j]` is the index, in the planned list, of the text `texts[j]` belongs to. */
  readonly owners: number[];
  /** Total characters of `texts`. */
  chars: number;
}

/**
 * Packs texts into tasks of about `maxChars` characters each, cutting a longer text into chunks at
 * safe cuts (a space or tab after a non-whitespace character), where counting is additive: the
 * chunks' counts sum to the text's count exactly. A text with no safe cut in reach stays whole.
 * Bounded tasks spread a large input over the pool's threads and keep each task's timeout fair.
 */
export function planTasks(texts: readonly string[], maxChars: number): PlannedTask[] {
  const tasks: PlannedTask[] = [];
  let current: PlannedTask = { texts: [], owners: [], chars: 0 };
  const add = (text: string, owner: number): void => {
    if (current.chars > 0 && current.chars + text.length > maxChars) {
      tasks.push(current);
      current = { texts: [], owners: [], chars: 0 };
    }
    current.texts.push(text);
    current.owners.push(owner);
    current.chars += text.length;
  };
  texts.forEach((text, owner) => {
    if (text.length <= maxChars) {
      add(text, owner);
      return;
    }
    for (let start = 0; start < text.length;) {
      const end = nextSafeCut(text, start + maxChars);
      add(text.slice(start, end), owner);
      start = end;
    }
  });
  if (current.texts.length > 0) tasks.push(current);
  return tasks;
}
