import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { KernelError } from '../errors.js';

/** An input opened for streaming. */
export interface OpenedInput {
  /** Chunks of the file or of stdin. */
  readonly stream: Readable;
  /** Size in bytes of a regular file; undefined for stdin, pipes and devices. */
  readonly size: number | undefined;
  /** The path, or `'-'`/`'stdin'` for standard input. */
  readonly name: string;
}

/** Chunk size of file reads: big chunks make fewer event-loop turns per gigabyte. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Opens `path` for streaming in 1 MiB chunks, or `stdin` for `'-'`. Errors surface here, before
 * reading starts, as a {@link KernelError}.
 * @throws KernelError `INVALID_ARGUMENT` (as a rejection) for a missing, unreadable or directory
 *   path, naming it and the system error
 */
export async function openInput(path: string, stdin: Readable): Promise<OpenedInput> {
  if (path === '-') return { stream: stdin, size: undefined, name: '-' };
  let handle;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return {
      stream: handle.createReadStream({ highWaterMark: CHUNK_BYTES }),
      size: stats.isFile() ? stats.size : undefined,
      name: path,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new KernelError('INVALID_ARGUMENT', `Cannot read ${JSON.stringify(path)}: ${why}`, {
      cause: error,
      details: { path },
    });
  }
}
