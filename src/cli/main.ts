#!/usr/bin/env node
import { isKernelError } from '../errors.js';
import { exitCodeFor, runCli } from './run-cli.js';

// A reader that stops early (`token-kernel prices | head`) closes the pipe: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `token-kernel: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = isKernelError(error) ? exitCodeFor(error.code) : 1;
  },
);
