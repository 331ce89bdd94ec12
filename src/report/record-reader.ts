import { expectPositiveInt } from '../validate.js';

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /**
   * Longest line kept, in UTF-8 bytes. A longer line is not buffered: it is reported to
   * `onLongLine` and skipped, so one runaway line cannot exhaust memory.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxLineLength?: number;
  /** Called for a line longer than `maxLineLength`, with its number and length in bytes. */
  readonly onLongLine?: (lineNumber: number, length: number) => void;
  /** Called after each chunk with the bytes and lines read so far. */
  readonly onProgress?: (bytes: number, lines: number) => void;
}

/** What {@link readLines} read. */
export interface ReadLinesResult {
  /** Lines seen, blank and overlong ones included. */
  readonly lines: number;
  /** Bytes read (of the UTF-8 encoding, for a source of strings). */
  readonly bytes: number;
}

/** Default {@link ReadLinesOptions.maxLineLength}. */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * Streams the lines of a UTF-8 source (a file or stdin `Readable`, or any async iterable of
 * chunks) to `onLine`, synchronously, with 1-based line numbers, in memory bounded by the chunk
 * size plus the longest line: nothing else is kept. A line ends at `\n`; a trailing `\r` and a
 * leading byte-order mark are removed; a last line without `\n` counts; multi-byte characters
 * split across chunks are decoded whole (lines are cut on bytes, and `\n` never occurs inside a
 * UTF-8 sequence). Exceptions from `onLine` stop the read and reject.
 * @returns lines and bytes read
 * @throws KernelError `INVALID_ARGUMENT` for a bad `maxLineLength`; rejects with the source's
 *   errors
 */
export async function readLines(
  source: AsyncIterable<Uint8Array | string>,
  onLine: (line: string, lineNumber: number) => void,
  options: ReadLinesOptions = {},
): Promise<ReadLinesResult> {
  const max = expectPositiveInt('maxLineLength', options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  const { onLongLine, onProgress } = options;
  // The current line's bytes from earlier chunks (copied: a source may reuse its buffers), joined
  // once at its end: linear in its length.
  let pending: Buffer[] = [];
  let pendingLength = 0;
  /** Length of the current line while it is being skipped for being too long, else -1. */
  let skipped = -1;
  let lineNumber = 0;
  let bytes = 0;

  const finishLine = (chunk: Buffer, start: number, end: number): void => {
    lineNumber++;
    const length = Math.max(skipped, 0) + pendingLength + (end - start);
    if (skipped >= 0 || length > max) {
      onLongLine?.(lineNumber, length);
    } else {
      if (end > start && chunk[end - 1] === 13) end--;
      else if (end === start && pendingLength > 0 && pending.at(-1)!.at(-1) === 13) {
        pending[pending.length - 1] = pending.at(-1)!.subarray(0, -1);
      }
      // Lines are decoded one by one, never a whole chunk: a chunk-sized string would land in
      // V8's large-object space and stay there until a full collection.
      let line =
        pendingLength === 0
          ? chunk.toString('utf8', start, end)
          : Buffer.concat([...pending, chunk.subarray(start, end)]).toString('utf8');
      if (lineNumber === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      onLine(line, lineNumber);
    }
    skipped = -1;
    if (pendingLength > 0) {
      pending = [];
      pendingLength = 0;
    }
  };

  const take = (chunk: Buffer): void => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      finishLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start === chunk.length) return;
    const rest = chunk.length - start;
    if (skipped >= 0) skipped += rest;
    else if (pendingLength + rest > max) {
      skipped = pendingLength + rest;
      pending = [];
      pendingLength = 0;
    } else {
      pending.push(Buffer.from(chunk.subarray(start)));
      pendingLength += rest;
    }
  };

  for await (const chunk of source) {
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buffer.length;
    take(buffer);
    onProgress?.(bytes, lineNumber);
  }
  if (pendingLength > 0 || skipped >= 0) finishLine(Buffer.alloc(0), 0, 0);
  onProgress?.(bytes, lineNumber);
  return { lines: lineNumber, bytes };
}
