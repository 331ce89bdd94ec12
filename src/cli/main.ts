#!/usr/bin/env node
import { isKernelError } from '../errors.js';
import { exitCodeFor, runCli } from './run-cli.js';

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
