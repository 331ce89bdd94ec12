import type { EncodingName } from './bpe-count.js';

// Order matters: the first matching prefix wins (`gpt-4o` before `gpt-4`).
const PREFIXES: ReadonlyArray<readonly [string, EncodingName]> = [
  ['gpt-4o', 'o200k_base'],
  ['gpt-4.1', 'o200k_base'],
  ['gpt-4.5', 'o200k_base'],
  ['gpt-5', 'o200k_base'],
  ['gpt-oss', 'o200k_base'],
  ['chatgpt-4o', 'o200k_base'],
  ['o1', 'o200k_base'],
  ['o3', 'o200k_base'],
  ['o4', 'o200k_base'],
  ['gpt-4', 'cl100k_base'],
  ['gpt-3.5', 'cl100k_base'],
  ['text-embedding-3', 'cl100k_base'],
  ['text-embedding-ada-002', 'cl100k_base'],
];

/**
 * The exact BPE encoding of an OpenAI model, or undefined for models without a public tokenizer
 * (Claude, Gemini, …), whose counts are estimates. A provider prefix (`openai/gpt-4o`) is ignored.
 */
export function encodingForModel(model: string): EncodingName | undefined {
  const bare = model.startsWith('openai/') ? model.slice(7) : model;
  for (const [prefix, encoding] of PREFIXES) {
    if (
      bare === prefix ||
      bare.startsWith(`${prefix}-`) ||
      bare.startsWith(`${prefix}.`) ||
      bare === prefix
    ) {
      return encoding;
    }
  }
  return undefined;
}
