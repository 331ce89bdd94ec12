import { parseArgs } from 'node:util';
import { runDemo } from '../demo/demo-run.js';
import { KernelError, type KernelErrorCode } from '../errors.js';

/** Where the CLI writes. */
export interface CliIO {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean };
  readonly stderr: { write(chunk: string): unknown };
}

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
  demo     a simulated multi-agent run on a deterministic offline model (the default)

Run 'token-kernel <command> --help' for a command's options.`;

const DEMO_USAGE = `Usage: token-kernel demo [--agents N] [--budget TOKENS] [--seed N] [--speed MS]

A simulated multi-agent run on a deterministic offline model: agents of several priorities
reserve before each call and settle after it, signals print as they happen, and a cost report
closes the run.

Options:
  --agents N       number of agents, at least 4 (default 4)
  --budget TOKENS  pool size in tokens (default 60000)
  --seed N         seed of the offline model (default 42)
  --speed MS       milliseconds per simulated model call (default 25)
  -h, --help       show this help`;

function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`--${name}\` to be an integer of at least ${min}, got \`${value}\``,
    );
  }
  return n;
}

/** Runs the CLI with `argv` (without node and the script); resolves the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [command = 'demo', ...rest] = argv[0]?.startsWith('-') ? ['demo', ...argv] : argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'demo') {
    io.stderr.write(`token-kernel: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        agents: { type: 'string' },
        budget: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr.write(`token-kernel demo: ${(error as Error).message}\n${DEMO_USAGE}\n`);
    return 2;
  }
  if (values['help'] === true) {
    io.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  const agents = intOption('agents', values['agents'] as string | undefined, 4);
  const budget = intOption('budget', values['budget'] as string | undefined, 1);
  const seed = intOption('seed', values['seed'] as string | undefined, 0);
  const speed = intOption('speed', values['speed'] as string | undefined, 0);
  await runDemo({
    write: (line) => io.stdout.write(`${line}\n`),
    ...(agents !== undefined && { agents }),
    ...(budget !== undefined && { budget }),
    ...(seed !== undefined && { seed }),
    ...(speed !== undefined && { speed }),
  });
  return 0;
}
