import { describe, expect, it } from 'vitest';
import { exitCodeFor, runCli } from '../../src/cli/run-cli.js';
import type { KernelErrorCode } from '../../src/errors.js';
import { capture } from './cli-capture.js';

describe('token-kernel', () => {
  it('lists every command in its help', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const c = capture();
      expect(await runCli(args, c.io)).toBe(0);
      for (const command of [
        'demo',
        'report <file|->',
        'count <file|->',
        'prices [pattern]',
        'serve',
      ])
        expect(c.out()).toContain(command);
    }
  });

  it('gives every command a --help', async () => {
    for (const command of ['demo', 'report', 'count', 'prices', 'serve']) {
      const c = capture();
      expect(await runCli([command, '--help'], c.io)).toBe(0);
      expect(c.out()).toContain(`Usage: token-kernel ${command}`);
    }
  });

  it('maps error codes to exit codes: 2 bad usage, 3 budget outcomes, 4 runtime failures', () => {
    const codes: [KernelErrorCode, number][] = [
      ['INVALID_ARGUMENT', 2],
      ['INVALID_CONFIG', 2],
      ['UNKNOWN_MODEL', 2],
      ['BUDGET_EXCEEDED', 3],
      ['POOL_EXHAUSTED', 3],
      ['WORKER_FAILED', 4],
      ['KERNEL_CLOSED', 4],
      ['ABORTED', 4],
    ];
    for (const [code, exit] of codes) expect(exitCodeFor(code)).toBe(exit);
  });
});
