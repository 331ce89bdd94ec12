import type * as nodeFs from 'node:fs';
import { KernelError } from '../errors.js';

/**
 * The part of `node:fs` the journal store uses. Inject a wrapper (`{ ...fs, fdatasyncSync }`) to
 * count syncs or simulate I/O errors; the default is `node:fs` itself.
 */
export type JournalFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'readSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'fdatasyncSync'
  | 'ftruncateSync'
  | 'fstatSync'
  | 'closeSync'
  | 'readFileSync'
  | 'renameSync'
  | 'rmSync'
  | 'promises'
>;

/**
 * Makes a rename or a file creation in `dir` durable: a renamed file can otherwise come back
 * under its old name after a power loss, even when its contents were synced.
 */
export function syncDirectory(fs: JournalFs, dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (error) {
    // Windows cannot open a directory for syncing; NTFS journals the rename itself.
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `data` to a new file at `path` and syncs it before resolving, so a later rename of it
 * publishes complete contents.
 */
export async function writeFileDurably(fs: JournalFs, path: string, data: string): Promise<void> {
  const handle = await fs.promises.open(path, 'w');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The `code` of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `STORE_FAILED` for a failed file operation: "Could not <action> <path>: <reason>". */
export function storeFailed(action: string, path: string, cause: unknown): KernelError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KernelError('STORE_FAILED', `Could not ${action} ${path}: ${reason}`, {
    cause,
    details: { path },
  });
}

/** Writes all of `data` at the end of the append-mode file `fd`, across short writes. */
export function writeAll(fs: JournalFs, fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
}

/**
 * Copies bytes `[from, from + length)` of the journal open at `fd` into a new file at `tmp`,
 * syncs it and renames it over `path`; returns the new file's descriptor (append mode). On
 * failure the old journal is untouched and `tmp` removed.
 * @throws KernelError `STORE_FAILED`
 */
export function rewriteJournalTail(
  fs: JournalFs,
  job: { fd: number; from: number; length: number; tmp: string; path: string },
): number {
  let next = -1;
  try {
    const tail = Buffer.allocUnsafe(job.length);
    let read = 0;
    while (read < tail.length) {
      const got = fs.readSync(job.fd, tail, read, tail.length - read, job.from + read);
      if (got === 0) throw new Error('the journal is shorter than what was appended');
      read += got;
    }
    fs.rmSync(job.tmp, { force: true });
    next = fs.openSync(job.tmp, 'a+');
    writeAll(fs, next, tail);
    fs.fdatasyncSync(next);
    fs.renameSync(job.tmp, job.path);
    return next;
  } catch (error) {
    try {
      if (next >= 0) fs.closeSync(next);
      fs.rmSync(job.tmp, { force: true });
    } catch {
      // Removed on the next load; the old journal is still complete and in use.
    }
    throw storeFailed('start a fresh journal at', job.path, error);
  }
}
