import { isKernelError, type KernelErrorCode } from '../errors.js';
import type { CliIO } from './cli-io.js';
import { countCommand } from './commands/count-command.js';
import { demoCommand } from './commands/demo-command.js';
import { pricesCommand } from './commands/prices-command.js';
import { reportCommand } from './commands/report-command.js';
import { serveCommand } from './commands/serve-command.js';

export type { CliIO } from './cli-io.js';

/** Exit codes by error code: 2 for bad usage, 3 for budget outcomes, 4 for runtime failures. */
export function exitCodeFor(code: KernelErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'INVALID_CONFIG':
    case 'UNKNOWN_MODEL':
      return 2;
    case 'BUDGET_EXCEEDED':
    case 'POOL_EXHAUSTED':
      return 3;
    default:
      return 4;
  }
}

const USAGE = `Usage: token-kernel <command> [options]

Commands:
  demo                  a simulated multi-agent run on a deterministic offline model (the default)
  report <file|->       spend by agent, user, model and period from a JSONL usage file, streamed
  count <file|->        exact token count of a file for --model (an estimate where no tokenizer)
  prices [pattern]      model prices in USD per million tokens
  serve                 a kernel's live dashboard over HTTP

Run 'token-kernel <command> --help' for a command's options.
Exit codes: 0 success, 2 bad usage or input, 3 budget exceeded, 4 other failures.`;

type Command = (args: readonly string[], io: CliIO) => Promise<number>;

const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['report', reportCommand],
  ['count', countCommand],
  ['prices', pricesCommand],
  ['serve', serveCommand],
]);

/**
 * Runs the CLI with `argv` (without node and the script); resolves the exit code. `report`,
 * `count`, `prices` and `serve` print a `KernelError` to stderr and resolve its exit code
 * ({@link exitCodeFor}); `demo` rejects with it, and the entry point maps it the same way.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const first = argv[0];
  if (first === 'help' || first === '--help' || first === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Options without a command are the demo's: `token-kernel --agents 6`.
  const [command = 'demo', ...rest] = first?.startsWith('-') ? ['demo', ...argv] : argv;
  if (command === 'demo') return demoCommand(rest, io);
  const run = COMMANDS.get(command);
  if (run === undefined) {
    io.stderr.write(`token-kernel: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    if (!isKernelError(error)) throw error;
    io.stderr.write(`token-kernel ${command}: ${error.message}\n`);
    return exitCodeFor(error.code);
  }
}
