import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { NO_KEY } from '../../src/budget/usage-record.js';
import type { JournalEntry } from '../../src/store/journal-entry.js';
import type { JournalFs } from '../../src/store/journal-fs.js';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test; returns the journal path inside it. */
export function journalPath(name = 'ledger.journal'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tk-store-'));
  dirs.push(dir);
  return join(dir, name);
}

/** A record entry whose seq and usage identify it. */
export function recordEntry(seq: number, agentId = 'a1'): JournalEntry {
  return {
    t: 'record',
    record: {
      seq,
      time: 1_767_614_400_000 + seq,
      agentId,
      taskId: NO_KEY,
      userId: NO_KEY,
      sessionId: NO_KEY,
      model: 'test-small',
      usage: { inputTokens: 100 + seq, outputTokens: 7 },
      costNano: 128_000 + seq,
      priceSource: 'user',
      cached: false,
      reservationId: undefined,
    },
  };
}

/** The seqs of the record entries, in order. */
export function seqs(entries: readonly JournalEntry[]): number[] {
  return entries.flatMap((e) => (e.t === 'record' ? [e.record.seq] : []));
}

/**
 * node:fs with every sync counted (`counts.fdatasync`, `counts.fsync`); with `now`, the time of
 * each file sync is kept in `times`.
 */
export function countingFs(now?: () => number): {
  fs: JournalFs;
  counts: { fdatasync: number; fsync: number };
  times: number[];
} {
  const counts = { fdatasync: 0, fsync: 0 };
  const times: number[] = [];
  return {
    counts,
    times,
    fs: {
      ...fs,
      fdatasyncSync: (fd) => {
        counts.fdatasync++;
        if (now !== undefined) times.push(now());
        fs.fdatasyncSync(fd);
      },
      fsyncSync: (fd) => {
        counts.fsync++;
        fs.fsyncSync(fd);
      },
    },
  };
}

const MUTATING = [
  'openSync',
  'writeSync',
  'fsyncSync',
  'fdatasyncSync',
  'ftruncateSync',
  'renameSync',
  'rmSync',
] as const;

/** Thrown by {@link crashingFs} once it has "crashed". */
export class SimulatedCrash extends Error {}

/**
 * node:fs that performs the first `survive` mutating operations (open, write, sync, truncate,
 * rename, remove; the snapshot's async open/write/sync included) and then fails every operation,
 * as if the process died at that point: what was done stays on disk, nothing after it happens.
 * `steps` counts the mutating operations attempted.
 */
export function crashingFs(survive: number): { fs: JournalFs; steps: () => number } {
  let steps = 0;
  const step = (): void => {
    steps++;
    if (steps > survive) throw new SimulatedCrash(`crashed at step ${steps}`);
  };
  const guarded: Record<string, unknown> = { ...fs };
  for (const name of MUTATING) {
    const real = fs[name] as (...args: unknown[]) => unknown;
    guarded[name] = (...args: unknown[]) => {
      step();
      return real(...args);
    };
  }
  const open = async (...args: Parameters<typeof fs.promises.open>) => {
    step();
    const handle = await fs.promises.open(...args);
    return new Proxy(handle, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        if (key === 'writeFile' || key === 'sync') {
          return (...a: unknown[]) => {
            step();
            return (value as (...b: unknown[]) => unknown).apply(target, a);
          };
        }
        return (value as (...b: unknown[]) => unknown).bind(target);
      },
    });
  };
  guarded.promises = { ...fs.promises, open };
  return { fs: guarded as unknown as JournalFs, steps: () => steps };
}
