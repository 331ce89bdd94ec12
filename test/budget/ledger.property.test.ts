import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Ledger,
  type Attribution,
  type Dimension,
  type UsageRow,
} from '../../src/budget/ledger.js';
import type { PeriodKind } from '../../src/budget/limit-spec.js';
import { periodBounds } from '../../src/budget/period.js';
import { NO_KEY } from '../../src/budget/usage-record.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';

const DIMENSIONS: Dimension[] = ['agent', 'task', 'user', 'session', 'model'];
const KINDS: PeriodKind[] = ['hour', 'day', 'week', 'month'];
const RETAINED: Record<PeriodKind, number> = { hour: 48, day: 62, week: 14, month: 24 };

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
  freshHandle: boolean;
}

const usage = fc
  .record({
    input: fc.integer({ min: 0, max: 200_000 }),
    output: fc.integer({ min: 0, max: 50_000 }),
    read: fc.double({ min: 0, max: 1, noNaN: true }),
    write: fc.double({ min: 0, max: 1, noNaN: true }),
    reasoning: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ input, output, read, write, reasoning }): Usage => {
    const cacheReadTokens = Math.floor(input * read);
    return {
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens,
      cacheWriteTokens: Math.floor((input - cacheReadTokens) * write),
      reasoningTokens: Math.floor(output * reasoning),
    };
  });

/** Who calls: a few profiles per run, so the same agent/task/user/session/model recurs. */
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
  // Seconds, hours or days apart: streams cross hours, DST changes, weeks, months and retention.
  gap: fc.oneof(
    fc.integer({ min: 0, max: 90_000 }),
    fc.integer({ min: 0, max: 5 * 3_600_000 }),
    fc.integer({ min: 0, max: 12 * 86_400_000 }),
  ),
  freshHandle: fc.boolean(),
});

interface Booked {
  readonly keys: Record<Dimension, string>;
  readonly step: Step;
  readonly time: number;
}

function keysOf(p: Profile, model: number): Record<Dimension, string> {
  return {
    agent: `agent-${p.agent}`,
    task: p.task === undefined ? NO_KEY : `task-${p.task}`,
    user: p.user === undefined ? NO_KEY : `user-${p.user}`,
    session: p.session === undefined ? NO_KEY : `session-${p.session}`,
    model: `model-${model}`,
  };
}

function emptyRow(key: string): UsageRow {
  return {
    key,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNano: 0,
    cachedCalls: 0,
    savedNano: 0,
  };
}

/** The reference: scan the records and group them, the way the ledger must never do. */
function naive(records: readonly Booked[], keyOf: (b: Booked) => string): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const b of records) {
    const key = keyOf(b);
    const r = rows.get(key) ?? emptyRow(key);
    const u = b.step.usage;
    rows.set(key, {
      key,
      calls: r.calls + 1,
      inputTokens: r.inputTokens + u.inputTokens,
      outputTokens: r.outputTokens + u.outputTokens,
      cacheReadTokens: r.cacheReadTokens + (u.cacheReadTokens ?? 0),
      cacheWriteTokens: r.cacheWriteTokens + (u.cacheWriteTokens ?? 0),
      reasoningTokens: r.reasoningTokens + (u.reasoningTokens ?? 0),
      costNano: r.costNano + b.step.cost,
      cachedCalls: r.cachedCalls + (b.step.cached ? 1 : 0),
      savedNano: r.savedNano + (b.step.cached ? b.step.saved : 0),
    });
  }
  return [...rows.values()].sort(
    (a, b) => b.costNano - a.costNano || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

function sumRows(rows: readonly UsageRow[]): UsageRow {
  const total = { ...emptyRow('total') } as Record<string, number | string>;
  for (const row of rows) {
    for (const [field, value] of Object.entries(row)) {
      if (field !== 'key') total[field] = (total[field] as number) + (value as number);
    }
  }
  return total as unknown as UsageRow;
}

function run(zone: string, who: readonly Profile[], steps: readonly Step[]) {
  const clock = new FakeClock(Date.UTC(2026, 0, 30, 22, 0));
  const ledger = new Ledger({ clock, timeZone: zone });
  const handles = new Map<string, Attribution>();
  const booked: Booked[] = [];
  for (const s of steps) {
    clock.advance(s.gap);
    const p = who[s.profile]!;
    const keys = keysOf(p, s.model);
    const ids = {
      agentId: keys.agent,
      ...(p.task === undefined ? {} : { taskId: keys.task }),
      ...(p.user === undefined ? {} : { userId: keys.user }),
      ...(p.session === undefined ? {} : { sessionId: keys.session }),
    };
    const handleKey = JSON.stringify(ids);
    let handle = handles.get(handleKey);
    if (handle === undefined || s.freshHandle) handle = ledger.attribution(ids);
    handles.set(handleKey, handle);
    const time = clock.now();
    ledger.add(handle, keys.model, s.usage, s.cost, 'test', s.cached, undefined, time, s.saved);
    booked.push({ keys, step: s, time });
  }
  return { ledger, booked, now: clock.now() };
}

describe('Ledger attribution sums (property)', () => {
  it('agree by agent, task, user, session, model and total, lifetime and per period, with a scan of the records', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', 'America/New_York', 'Asia/Kathmandu'),
        profiles,
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (zone, who, steps) => {
          const { ledger, booked, now } = run(zone, who, steps);
          const total = naive(booked, () => 'total')[0]!;
          expect(ledger.total()).toEqual(total);
          expect(ledger.size).toBe(booked.length);
          for (const by of DIMENSIONS) {
            const rows = ledger.usage({ by });
            expect(rows).toEqual(naive(booked, (b) => b.keys[by]));
            expect({ ...sumRows(rows), key: 'total' }).toEqual(total);
          }

          const times = [...new Set([...booked.map((b) => b.time), now])];
          for (const kind of KINDS) {
            // Retention: N whole periods back; for hours, the hour 47.5 h before the current one.
            let cutoff = periodBounds(kind, now, zone).start;
            if (kind === 'hour') cutoff = periodBounds(kind, cutoff - 47.5 * 3_600_000, zone).start;
            else
              for (let i = 0; i < RETAINED[kind]; i++)
                cutoff = periodBounds(kind, cutoff - 1, zone).start;
            for (const at of times) {
              const { start, end } = periodBounds(kind, at, zone);
              const inPeriod = booked.filter((b) => b.time >= start && b.time < end);
              const retained = start >= cutoff;
              const periodTotal = ledger.total(kind, at);
              expect(periodTotal).toEqual(
                retained && inPeriod.length > 0
                  ? naive(inPeriod, () => 'total')[0]
                  : emptyRow('total'),
              );
              for (const by of DIMENSIONS) {
                const rows = ledger.usage({ by, period: kind, at });
                expect(rows).toEqual(retained ? naive(inPeriod, (b) => b.keys[by]) : []);
                expect({ ...sumRows(rows), key: 'total' }).toEqual(periodTotal);
              }
            }
          }
        },
      ),
      { numRuns: 60, seed: 1122 },
    );
  });

  it('keeps the recent ring bounded and in order for any stream', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(step, { maxLength: 30 }),
        (cap, steps) => {
          const clock = new FakeClock();
          const ledger = new Ledger({ clock, recentCapacity: cap });
          const who = ledger.attribution({ agentId: 'a' });
          const added = steps.map((s) =>
            ledger.add(who, 'm', s.usage, s.cost, 'test', false, undefined, clock.now()),
          );
          expect(ledger.recent()).toEqual(added.slice(Math.max(0, added.length - cap)));
          expect(ledger.recent(3)).toEqual(
            added.slice(Math.max(0, added.length - Math.min(3, cap))),
          );
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });
});
