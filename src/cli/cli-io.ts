import type { Readable } from 'node:stream';

/** Where the CLI reads and writes. */
export interface CliIO {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean };
  /** A TTY stderr gets progress lines. */
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** Read for the `-` input. @default process.stdin */
  readonly stdin?: Readable;
  /** Ends long-running commands (`serve`). @default SIGINT or SIGTERM */
  readonly signal?: AbortSignal;
}
