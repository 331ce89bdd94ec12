import { KernelError } from '../errors.js';
import type { JournalEntry } from './journal-entry.js';
import { decodeJournalLine } from './journal-format.js';
import { errorCode, storeFailed, type JournalFs } from './journal-fs.js';

const NEWLINE = 0x0a;
const CHUNK_BYTES = 1 << 20;
const ENTRY_TYPES = new Set([
  'spawn',
  'record',
  'grant',
  'replenish',
  'release',
  'stop',
  'resume',
  'downgrade',
]);

/** What a scan of a journal file found. */
export interface JournalScan {
  /** Good entries numbered above the snapshot's, in file order. */
  readonly entries: JournalEntry[];
  /** The highest good entry number in the file, 0 when there is none. */
  readonly lastN: number;
  /** Byte offset just after the last good line: where appending must continue. */
  readonly goodEnd: number;
  /** The file's size when scanned. */
  readonly size: number;
  /** Lines skipped and why; a bad tail (at or after `goodEnd`) is marked as to be truncated. */
  readonly problems: string[];
}

interface BadSpan {
  readonly offset: number;
  readonly reason: string;
  readonly n: number | undefined;
}

function isEntry(value: unknown): value is JournalEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const t = (value as { t?: unknown }).t;
  return typeof t === 'string' && ENTRY_TYPES.has(t);
}

/**
 * Reads the journal open at `fd` from its start, verifying every line. Lines numbered at or below
 * `through` (already in the snapshot: a crash between writing the snapshot and starting the new
 * journal) count as good but are not returned. A bad line is skipped; later good lines still load.
 */
export function scanJournal(fs: JournalFs, fd: number, path: string, through: number): JournalScan {
  const size = fs.fstatSync(fd).size;
  const entries: JournalEntry[] = [];
  const bad: BadSpan[] = [];
  let lastN = 0;
  let goodEnd = 0;
  let badSinceGood = false;
  const gaps: string[] = [];

  const skip = (span: BadSpan): void => {
    bad.push(span);
    badSinceGood = true;
  };
  const take = (line: Buffer, offset: number, end: number): void => {
    const decoded = decodeJournalLine(line);
    if (!decoded.ok) {
      skip({ offset, reason: decoded.reason, n: decoded.n });
      return;
    }
    if (decoded.n <= lastN) {
      skip({ offset, reason: `entry number not above ${lastN}`, n: decoded.n });
      return;
    }
    if (!isEntry(decoded.value)) {
      skip({ offset, reason: 'not a journal entry', n: decoded.n });
      return;
    }
    const expected = Math.max(lastN, through) + 1;
    if (decoded.n > expected && !badSinceGood) {
      // No bad line explains the hole: entries were removed or the snapshot is older than the journal.
      gaps.push(
        `${path}: entries ${expected} to ${decoded.n - 1} are missing before byte ${offset}`,
      );
    }
    badSinceGood = false;
    lastN = decoded.n;
    goodEnd = end;
    if (decoded.n > through) entries.push(decoded.value);
  };

  // Lines may straddle chunks: the unfinished part waits in `carry` until its newline arrives.
  let carry: Buffer[] = [];
  let carryStart = 0;
  let position = 0;
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
    const read = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) break;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1 || nl >= read) break;
      const piece = chunk.subarray(start, nl);
      const line = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
      const offset = carry.length === 0 ? position + start : carryStart;
      carry = [];
      take(line, offset, position + nl + 1);
      start = nl + 1;
    }
    if (start < read) {
      if (carry.length === 0) carryStart = position + start;
      carry.push(chunk.subarray(start, read));
    }
    position += read;
  }
  if (carry.length > 0) {
    skip({ offset: carryStart, reason: 'torn line without a newline', n: undefined });
  }

  const problems = bad.map((span) => {
    const entry = span.n === undefined ? '' : ` (entry ${span.n})`;
    const action =
      span.offset >= goodEnd
        ? `truncated the journal to ${goodEnd} bytes`
        : 'skipped, later entries kept';
    return `${path}: ${span.reason} at byte ${span.offset}${entry}; ${action}`;
  });
  return { entries, lastN, goodEnd, size: position, problems: [...gaps, ...problems] };
}

/**
 * Reads the snapshot file: one framed line whose number is the last entry it covers. Undefined
 * when there is none.
 * @throws KernelError `STORE_FAILED` when it cannot be read or fails its checks
 */
export function readSnapshot(
  fs: JournalFs,
  path: string,
): { n: number; value: unknown } | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw storeFailed('read the snapshot', path, error);
  }
  const decoded =
    data.length > 0 && data[data.length - 1] === NEWLINE
      ? decodeJournalLine(data.subarray(0, data.length - 1))
      : ({ ok: false, reason: 'truncated' } as const);
  if (!decoded.ok) {
    // Snapshots are only ever published whole (rename), so this is outside damage. Starting
    // without it would silently drop the state it holds.
    throw new KernelError(
      'STORE_FAILED',
      `Could not read the snapshot ${path}: ${decoded.reason}`,
      {
        details: { path },
      },
    );
  }
  return { n: decoded.n, value: decoded.value };
}
