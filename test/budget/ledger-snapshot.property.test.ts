import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Ledger,
  type Attribution,
  type Dimension,
  type LedgerSnapshot,
  type LedgerSpan,
} from '../../src/budget/ledger.js';
import type { PeriodKind } from '../../src/budget/limit-spec.js';
import type { UsageRecord } from '../../src/budget/usage-record.js';
import { isKernelError } from '../../src/errors.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';

const DIMENSIONS: Dimension[] = ['agent', 'task', 'user', 'session', 'model'];
const KINDS: PeriodKind[] = ['hour', 'day', 'week', 'month'];
const SPANS: LedgerSpan[] = [...KINDS, 'lifetime'];
/** Friday 2026-01-30 22:00 UTC: streams soon cross a day, a week and a month. */
const START = Date.UTC(2026, 0, 30, 22);

interface Profile {
  agent: number;
  task: number | undefined;
  user: number | undefined;
  session: number | undefined;
}

interface Step {
  profile: number;
  model: number;
  usage: Usage;
  cost: number;
  cached: boolean;
  saved: number;
  gap: number;
  /** How far before the clock the record is dated (mostly 0: late records are rare). */
  late: number;
  reservation: boolean;
  freshHandle: boolean;
}

const usage: fc.Arbitrary<Usage> = fc
  .record({
    input: fc.integer({ min: 0, max: 200_000 }),
    output: fc.integer({ min: 0, max: 50_000 }),
    read: fc.double({ min: 0, max: 1, noNaN: true }),
    reasoning: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ input, output, read, reasoning }) => ({
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: Math.floor(input * read),
    cacheWriteTokens: 0,
    reasoningTokens: Math.floor(output * reasoning),
  }));

const profiles: fc.Arbitrary<Profile[]> = fc.array(
  fc.record({
    agent: fc.integer({ min: 0, max: 5 }),
    task: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    user: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    session: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  }),
  { minLength: 5, maxLength: 5 },
);

const step: fc.Arbitrary<Step> = fc.record({
  profile: fc.integer({ min: 0, max: 4 }),
  model: fc.integer({ min: 0, max: 2 }),
  usage,
  cost: fc.integer({ min: 0, max: 5_000_000_000 }),
  cached: fc.boolean(),
  saved: fc.integer({ min: 0, max: 1_000_000 }),
  // Seconds, hours or days apart: streams cross minutes, hours, DST changes, weeks, months.
  gap: fc.oneof(
    fc.integer({ min: 0, max: 90_000 }),
    fc.integer({ min: 0, max: 5 * 3_600_000 }),
    fc.integer({ min: 0, max: 12 * 86_400_000 }),
  ),
  late: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 * 3_600_000 }) },
  ),
  reservation: fc.boolean(),
  freshHandle: fc.boolean(),
});

/** Books a step into one ledger at the clock's time, keeping that ledger's handles per profile. */
function driver(ledger: Ledger, clock: FakeClock, who: readonly Profile[]) {
  const handles = new Map<number, Attribution>();
  return (s: Step): UsageRecord => {
    const p = who[s.profile]!;
    let handle = handles.get(s.profile);
    if (handle === undefined || s.freshHandle) {
      handle = ledger.attribution({
        agentId: `agent-${p.agent}`,
        ...(p.task === undefined ? {} : { taskId: `task-${p.task}` }),
        ...(p.user === undefined ? {} : { userId: `user-${p.user}` }),
        ...(p.session === undefined ? {} : { sessionId: `session-${p.session}` }),
      });
      handles.set(s.profile, handle);
    }
    const reservation = s.reservation ? `r-${clock.now()}` : undefined;
    const time = clock.now() - s.late;
    return ledger.add(
      handle,
      `model-${s.model}`,
      s.usage,
      s.cost,
      'test',
      s.cached,
      reservation,
      time,
      s.saved,
    );
  };
}

/** Every query the ledger answers, at the given times. */
function answers(ledger: Ledger, times: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    size: ledger.size,
    timeZone: ledger.timeZone,
    recent: ledger.recent(),
    recent3: ledger.recent(3),
    burn: [1, 60_000, 600_000, 3_600_000, 86_400_000].map((w) => ledger.burnRate(w)),
    forecast: KINDS.map((k) => [ledger.forecast(k), ledger.forecast(k, { tokens: 1e6, usd: 2 })]),
    topAgents: SPANS.map((span) => ledger.topAgents(3, span)),
    total: ledger.total(),
  };
  for (const by of DIMENSIONS) {
    const keys = ledger.usage({ by }).map((row) => row.key);
    out[`usage ${by}`] = ledger.usage({ by });
    for (const span of SPANS) {
      out[`usage ${by} ${span}`] = ledger.usage({ by, period: span });
      for (const at of times) {
        out[`usage ${by} ${span} ${at}`] = ledger.usage({ by, period: span, at });
        out[`usageOf ${by} ${span} ${at}`] = [...keys, 'unknown'].map((key) =>
          ledger.usageOf(by, key, span, at),
        );
      }
    }
  }
  for (const span of SPANS)
    for (const at of times) out[`total ${span} ${at}`] = ledger.total(span, at);
  return out;
}

/** Times to query at: every record's, now, and points back into and beyond the retained history. */
function probes(records: readonly UsageRecord[], now: number): number[] {
  const back = [3_600_000, 50 * 3_600_000, 70 * 86_400_000, 800 * 86_400_000].map((d) => now - d);
  return [...new Set([...records.map((r) => r.time), now, ...back])];
}

function roundTrip(snapshot: LedgerSnapshot): unknown {
  return JSON.parse(JSON.stringify(snapshot)) as unknown;
}

describe('Ledger snapshot and restore (property)', () => {
  it('restores a ledger that answers every query like the original, before and after the same further records', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'),
        profiles,
        fc.array(step, { maxLength: 30 }),
        fc.array(step, { maxLength: 15 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (zone, who, before, after, recentCapacity, idle) => {
          const clock = new FakeClock(START);
          const options = { clock, timeZone: zone, recentCapacity };
          const original = new Ledger(options);
          const bookOriginal = driver(original, clock, who);
          const booked = before.map((s) => {
            clock.advance(s.gap);
            return bookOriginal(s);
          });
          clock.advance(idle);

          const snapshot = original.snapshot();
          expect(roundTrip(snapshot)).toStrictEqual(snapshot);
          const restored = Ledger.restore(roundTrip(snapshot), options);
          expect(answers(restored, probes(booked, clock.now()))).toStrictEqual(
            answers(original, probes(booked, clock.now())),
          );

          const bookRestored = driver(restored, clock, who);
          for (const s of after) {
            clock.advance(s.gap);
            const expected = bookOriginal(s);
            expect(bookRestored(s)).toStrictEqual(expected);
            booked.push(expected);
          }
          expect(answers(restored, probes(booked, clock.now()))).toStrictEqual(
            answers(original, probes(booked, clock.now())),
          );
          // Same cells, buckets, keys and history: known ids were booked into their old cells.
          expect(restored.snapshot()).toStrictEqual(original.snapshot());
        },
      ),
      { numRuns: 40, seed: 20_260_130 },
    );
  });
});

type Path = (string | number)[];

/** A ledger with records in every table: closed hours, days, a week and a month, late and cached records. */
function richSnapshot(): LedgerSnapshot {
  const clock = new FakeClock(START);
  const ledger = new Ledger({ clock, timeZone: 'Europe/Berlin', recentCapacity: 4 });
  const a = ledger.attribution({ agentId: 'a', taskId: 't', userId: 'u', sessionId: 's' });
  const b = ledger.attribution({ agentId: 'b' });
  for (let i = 0; i < 12; i++) {
    clock.advance(i % 3 === 0 ? 26 * 3_600_000 : 20 * 60_000);
    const used = { inputTokens: 100 + i, outputTokens: 10, cacheReadTokens: 5 };
    const reservation = i % 5 === 0 ? `r${i}` : undefined;
    const saved = i % 4 === 0 ? 77 : 0;
    const time = clock.now() - (i === 7 ? 3_600_000 : 0);
    ledger.add(
      i % 2 ? a : b,
      `m${i % 3}`,
      used,
      1000 * i,
      'test',
      i % 4 === 0,
      reservation,
      time,
      saved,
    );
  }
  return ledger.snapshot();
}

function emptySnapshot(): LedgerSnapshot {
  const ledger = new Ledger({ clock: new FakeClock(START), timeZone: 'Europe/Berlin' });
  ledger.attribution({ agentId: 'a' });
  return ledger.snapshot();
}

/** Every node of a JSON value (the root included), grouped by its path with indexes erased. */
function nodesByShape(value: unknown): Path[][] {
  const groups = new Map<string, Path[]>();
  const visit = (node: unknown, path: Path) => {
    const shape = path.map((p) => (typeof p === 'number' ? '[]' : p)).join('.');
    const group = groups.get(shape);
    if (group === undefined) groups.set(shape, [path]);
    else group.push(path);
    if (node !== null && typeof node === 'object')
      for (const [key, child] of Object.entries(node))
        visit(child, [...path, Array.isArray(node) ? Number(key) : key]);
  };
  visit(value, []);
  return [...groups.values()];
}

function pathName(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

/** A copy of `value` with the node at `path` replaced (`undefined` deletes it). */
function edit(value: unknown, path: Path, replace: (node: unknown) => unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  if (path.length === 0) return replace(copy);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const next = replace(parent[last]);
  if (next === undefined) delete parent[last];
  else parent[last] = next;
  return copy;
}

/** A value of another JSON type than `node`. */
function otherType(node: unknown): unknown {
  if (Array.isArray(node)) return {};
  if (node === null) return 'x';
  switch (typeof node) {
    case 'number':
      return 'x';
    case 'string':
      return 7;
    case 'boolean':
      return 0;
    default:
      return [];
  }
}

function rejection(snapshot: unknown): string {
  try {
    Ledger.restore(snapshot, { clock: new FakeClock(START), timeZone: 'Europe/Berlin' });
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the corrupted snapshot was accepted');
}

const OPTIONAL = new Set([
  'reservationId',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
]);
const bases = [richSnapshot(), emptySnapshot()];
const shapes = bases.map(nodesByShape);

describe('Ledger.restore of a corrupted snapshot (property)', () => {
  it('accepts both base snapshots unchanged', () => {
    for (const base of bases)
      expect(
        Ledger.restore(base, { clock: new FakeClock(START), timeZone: 'Europe/Berlin' }).snapshot(),
      ).toStrictEqual(base);
  });

  it('rejects any field replaced by a value of another type, naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.nat(), fc.nat(), (b, group, member) => {
        const base = bases[b]!;
        const groups = shapes[b]!;
        const paths = groups[group % groups.length]!;
        const path = paths[member % paths.length]!;
        expect(rejection(edit(base, path, otherType))).toContain(
          `Expected \`snapshot${pathName(path)}\` to be`,
        );
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('rejects any required field left out, naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.nat(), fc.nat(), (b, group, member) => {
        const base = bases[b]!;
        const groups = shapes[b]!.filter((g) => {
          const last = g[0]!.at(-1);
          return typeof last === 'string' && !OPTIONAL.has(last);
        });
        const paths = groups[group % groups.length]!;
        const path = paths[member % paths.length]!;
        expect(rejection(edit(base, path, () => undefined))).toContain(
          `Expected \`snapshot${pathName(path)}\` to be`,
        );
      }),
      { numRuns: 200, seed: 8 },
    );
  });
});
