import type {
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { countText } from '../../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../../src/tokens/count-chat-messages.js';

export const SYSTEM = 'You are brief.';
export const PROMPT = 'List two moons of Jupiter.';
export const INPUT = countChatMessages(
  [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: PROMPT },
  ],
  'o200k_base',
);

export function v3Usage(u: {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}): LanguageModelV3Usage {
  const read = u.cacheRead ?? 0;
  const write = u.cacheWrite ?? 0;
  return {
    inputTokens: {
      total: u.input,
      noCache: u.input - read - write,
      cacheRead: read,
      cacheWrite: write,
    },
    outputTokens: {
      total: u.output,
      text: u.output - (u.reasoning ?? 0),
      reasoning: u.reasoning ?? 0,
    },
  };
}

export const UNKNOWN_USAGE: LanguageModelV3Usage = {
  inputTokens: {
    total: undefined,
    noCache: undefined,
    cacheRead: undefined,
    cacheWrite: undefined,
  },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

export function generated(
  text: string,
  usage: LanguageModelV3Usage,
): LanguageModelV3GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage,
    warnings: [],
  };
}

export function parts(
  pieces: readonly string[],
  finish?: LanguageModelV3Usage,
): LanguageModelV3StreamPart[] {
  const out: LanguageModelV3StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...pieces.map((delta): LanguageModelV3StreamPart => ({ type: 'text-delta', id: 't', delta })),
  ];
  if (finish !== undefined)
    out.push(
      { type: 'text-end', id: 't' },
      { type: 'finish', usage: finish, finishReason: { unified: 'stop', raw: 'stop' } },
    );
  return out;
}

/** A model stream that sends `pieces`, then waits for the call's abort signal and errors with it. */
export function heldStream(pieces: readonly string[], signal: AbortSignal | undefined) {
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      for (const part of parts(pieces)) controller.enqueue(part);
      signal?.addEventListener('abort', () => controller.error(signal.reason), { once: true });
    },
  });
}

export function seen(pieces: readonly string[]): number {
  return pieces.reduce((sum, p) => sum + countText(p, 'o200k_base'), 0);
}

/** The system + user prompt every test sends, in the AI SDK's provider format. */
export const PROMPT_V3: LanguageModelV3CallOptions['prompt'] = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: [{ type: 'text', text: PROMPT }] },
];
