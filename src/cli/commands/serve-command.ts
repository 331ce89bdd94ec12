import { createKernel } from '../../kernel/kernel.js';
import { serveDashboard, type DashboardServer } from '../../telemetry/dashboard-server.js';
import type { DashboardOptions } from '../../telemetry/dashboard-options.js';
import { runDemo } from '../../demo/demo-run.js';
import type { Kernel } from '../../kernel/kernel.js';
import { intOption, parseCommand, stringOption } from '../cli-args.js';
import type { CliIO } from '../cli-io.js';

/** Help text of `token-kernel serve`. */
export const SERVE_USAGE = `Usage: token-kernel serve [--port N] [--host HOST] [--token TOKEN] [--budget TOKENS] [--demo]

Starts a kernel and serves its live dashboard over HTTP until interrupted (Ctrl-C):
/ the page, /events server-sent events, /status JSON, /metrics Prometheus.

Options:
  --port N         TCP port; 0 picks a free one (default 0)
  --host HOST      interface to bind (default 127.0.0.1); a non-loopback host needs --token
  --token TOKEN    require "Authorization: Bearer TOKEN" (the page also accepts ?token=);
                   visible ASCII, 16 to 1,024 characters
  --budget TOKENS  pool size of the kernel in tokens (default 1000000)
  --demo           run the demo's agents (slowly) on the served kernel, to watch it live
  -h, --help       show this help

Exit codes: 0 stopped, 2 bad usage or a port that cannot be bound.`;

/** Resolves when `signal` aborts, or on SIGINT/SIGTERM when there is none. */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal !== undefined) {
    return signal.aborted
      ? Promise.resolve()
      : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `token-kernel serve`: an idle kernel with its dashboard; prints the URL, closes both on stop.
 * @throws KernelError `INVALID_ARGUMENT` (as a rejection) for bad options or an unbindable port
 */
export async function serveCommand(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    'serve',
    SERVE_USAGE,
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      budget: { type: 'string' },
      demo: { type: 'boolean' },
    },
    io,
    { min: 0, max: 0 },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = intOption('port', stringOption(values, 'port'), 0);
  const budget = intOption('budget', stringOption(values, 'budget'), 1) ?? 1_000_000;
  const host = stringOption(values, 'host');
  const token = stringOption(values, 'token');
  const options = {
    ...(port !== undefined && { port }),
    ...(host !== undefined && { host }),
    ...(token !== undefined && { token }),
  };
  if (values['demo'] === true) return serveDemo(options, budget, io);
  const kernel = createKernel({ totalBudget: budget });
  try {
    const server = await serveDashboard(kernel, options);
    io.stdout.write(`token-kernel dashboard at ${server.url} (Ctrl-C to stop)\n`);
    await stopped(io.signal);
    await server.close();
  } finally {
    await kernel.close();
  }
  return 0;
}

/** Serves the dashboard of the demo's kernel while the demo runs slowly, then until stopped. */
async function serveDemo(options: DashboardOptions, budget: number, io: CliIO): Promise<number> {
  let serving: Promise<DashboardServer> | undefined;
  let kernel: Kernel | undefined;
  const run = runDemo({
    budget: Math.max(budget, 80_000),
    speed: 400,
    keepOpen: true,
    write: () => undefined,
    onKernel: (k) => {
      kernel = k;
      serving = serveDashboard(k, options);
      void serving.then((server) =>
        io.stdout.write(
          `token-kernel dashboard at ${server.url}, running the demo (Ctrl-C to stop)\n`,
        ),
      );
    },
  });
  try {
    const stop = stopped(io.signal);
    await Promise.race([run, stop]);
    await stop;
  } finally {
    await (await serving)?.close();
    await kernel?.close();
  }
  return 0;
}
