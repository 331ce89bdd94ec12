import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/cli-io.js';

/** A CLI IO that records what is written; stdin is `input`, stderr a TTY when asked. */
export function capture(options: { input?: string; tty?: boolean; signal?: AbortSignal } = {}): {
  io: CliIO;
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: (s: string) => ((err += s), true), isTTY: options.tty === true },
      stdin: Readable.from([Buffer.from(options.input ?? '')]),
      ...(options.signal !== undefined && { signal: options.signal }),
    },
    out: () => out,
    err: () => err,
  };
}

/** A temporary directory with a `file(name, text)` writer and a `remove()`. */
export function scratch(prefix: string): {
  dir: string;
  file: (name: string, text: string) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
