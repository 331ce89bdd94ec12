import { runDemo } from '../../demo/demo-run.js';
import { intOption, parseCommand, stringOption } from '../cli-args.js';
import type { CliIO } from '../cli-io.js';

/** Help text of `token-kernel demo`. */
export const DEMO_USAGE = `Usage: token-kernel demo [--agents N] [--budget TOKENS] [--seed N] [--speed MS]

A simulated multi-agent run on a deterministic offline model: agents of several priorities and
users make governed calls, one runs away and is stopped, support agents share prompts so the
cache pays, the writer compacts its context when warned. Signals print as they happen, live
per-agent bars are drawn on a terminal (plain lines otherwise), and a cost report closes the run.

Options:
  --agents N       number of agents, at least 5 (default 6); extra ones share prompts via the cache
  --budget TOKENS  pool size in tokens (default 80000)
  --seed N         seed of the offline model (default 42)
  --speed MS       milliseconds per simulated model call (default 25)
  -h, --help       show this help`;

/**
 * `token-kernel demo`: runs the simulated multi-agent demo.
 * @throws KernelError `INVALID_ARGUMENT` for a bad option value (as a rejection)
 */
export async function demoCommand(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    'demo',
    DEMO_USAGE,
    args,
    {
      agents: { type: 'string' },
      budget: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
    },
    io,
    { min: 0, max: 0 },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const agents = intOption('agents', stringOption(values, 'agents'), 5);
  const budget = intOption('budget', stringOption(values, 'budget'), 1);
  const seed = intOption('seed', stringOption(values, 'seed'), 0);
  const speed = intOption('speed', stringOption(values, 'speed'), 0);
  await runDemo({
    write: (line) => io.stdout.write(`${line}\n`),
    ...(io.stdout.isTTY === true && { terminal: (chunk: string) => io.stdout.write(chunk) }),
    ...(agents !== undefined && { agents }),
    ...(budget !== undefined && { budget }),
    ...(seed !== undefined && { seed }),
    ...(speed !== undefined && { speed }),
  });
  return 0;
}
