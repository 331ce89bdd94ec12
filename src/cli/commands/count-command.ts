import { openInput } from '../../report/open-input.js';
import { countChatInStream, countTokensInStream } from '../../report/stream-token-count.js';
import { parseCommand, stringOption } from '../cli-args.js';
import type { CliIO } from '../cli-io.js';

/** Help text of `token-kernel count`. */
export const COUNT_USAGE = `Usage: token-kernel count <file|-> --model MODEL [--chat] [--json]

Counts the tokens of a text file (or - for stdin), streamed in bounded memory. Exact for models
with a public tokenizer (OpenAI: o200k_base for GPT-4o/4.1/5 and the o-series, cl100k_base for
GPT-4 and GPT-3.5); for other models (Claude, Gemini, ...) an estimate, marked as such.

Options:
  --model MODEL    the model whose tokenizer counts (required)
  --chat           the input is a JSON chat request: an array of messages, or an object with
                   "messages"; the per-message overhead is counted too
  --json           print { model, tokens, exact, encoding, bytes, characters } as JSON
  -h, --help       show this help

Exit codes: 0 counted, 2 bad usage, file or input, 4 any other failure.`;

/**
 * `token-kernel count <file|-> --model M`: prints the token count of a file or stdin.
 * @throws KernelError `INVALID_ARGUMENT`, `WORKER_FAILED` (as rejections)
 */
export async function countCommand(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    'count',
    COUNT_USAGE,
    args,
    { model: { type: 'string' }, chat: { type: 'boolean' }, json: { type: 'boolean' } },
    io,
    { min: 1, max: 1 },
  );
  if (typeof parsed === 'number') return parsed;
  const model = stringOption(parsed.values, 'model');
  if (model === undefined) {
    io.stderr.write(`token-kernel count: --model is required\n${COUNT_USAGE}\n`);
    return 2;
  }
  const input = await openInput(parsed.positionals[0]!, io.stdin ?? process.stdin);
  let result;
  try {
    result =
      parsed.values['chat'] === true
        ? await countChatInStream(input.stream, model)
        : await countTokensInStream(input.stream, model);
  } finally {
    if (input.name !== '-') input.stream.destroy();
  }
  if (parsed.values['json'] === true) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const tokens = result.tokens.toLocaleString('en-US');
  io.stdout.write(
    result.exact
      ? `${tokens} tokens (exact, ${result.encoding}, ${model})\n`
      : `~${tokens} tokens (estimate: ${model} has no public tokenizer; o200k_base count with a safety margin)\n`,
  );
  return 0;
}
