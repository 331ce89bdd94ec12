import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PeriodKind } from '../../src/budget/limit-spec.js';
import { periodBounds, periodKey } from '../../src/budget/period.js';

const KINDS: PeriodKind[] = ['hour', 'day', 'week', 'month'];
const kind = fc.constantFrom(...KINDS);
const DAY = 86_400_000;

/** Independent UTC computation with Date's UTC getters. */
function utcExpected(k: PeriodKind, t: number): { start: number; end: number; key: string } {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const iso = d.toISOString();
  switch (k) {
    case 'hour':
      return {
        start: Date.UTC(y, m, day, d.getUTCHours()),
        end: Date.UTC(y, m, day, d.getUTCHours() + 1),
        key: iso.slice(0, 13),
      };
    case 'day':
      return { start: Date.UTC(y, m, day), end: Date.UTC(y, m, day + 1), key: iso.slice(0, 10) };
    case 'week': {
      const back = (d.getUTCDay() + 6) % 7;
      const thursday = new Date(Date.UTC(y, m, day - back + 3));
      const weekYear = thursday.getUTCFullYear();
      const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * DAY)) + 1;
      return {
        start: Date.UTC(y, m, day - back),
        end: Date.UTC(y, m, day - back + 7),
        key: `${weekYear}-W${String(week).padStart(2, '0')}`,
      };
    }
    case 'month':
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1), key: iso.slice(0, 7) };
  }
}

/** Local wall-clock fields of an instant, read with a separate formatter. */
function local(zone: string, t: number) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}:${get('second')}`,
    minuteSecond: `${get('minute')}:${get('second')}`,
    weekday: get('weekday'),
    day: get('day'),
  };
}

describe('UTC periods', () => {
  // 1900–2200: the span where Date.UTC's two-digit-year quirk cannot interfere.
  const time = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) });

  it('match an independent computation with Date UTC getters', () => {
    fc.assert(
      fc.property(kind, time, (k, t) => {
        const expected = utcExpected(k, t);
        expect(periodBounds(k, t)).toEqual({ start: expected.start, end: expected.end });
        expect(periodKey(k, t)).toBe(expected.key);
      }),
      { numRuns: 2000, seed: 20261122 },
    );
  });

  it('contain the time and tile time without gap or overlap', () => {
    fc.assert(
      fc.property(kind, time, (k, t) => {
        const { start, end } = periodBounds(k, t);
        expect(start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(end);
        expect(periodBounds(k, end).start).toBe(end);
        expect(periodBounds(k, start - 1).end).toBe(start);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

describe('periods in DST and fractional-offset zones', () => {
  const zone = fc.constantFrom(
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
  );
  const time = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });
  // Instants near a DST change are where mistakes live: aim there half of the time.
  const nearChange = fc
    .tuple(
      fc.integer({ min: 2000, max: 2039 }),
      fc.constantFrom(2, 3, 3, 9, 10, 10),
      fc.integer({ min: 0, max: 31 * 24 }),
    )
    .map(([y, m, h]) => Date.UTC(y, m, 1) + h * 3_600_000);
  const instant = fc.oneof(time, nearChange);

  it('contain the time and tile time without gap or overlap', () => {
    fc.assert(
      fc.property(kind, zone, instant, (k, z, t) => {
        const { start, end } = periodBounds(k, t, z);
        expect(start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(end);
        expect(periodBounds(k, end, z).start).toBe(end);
        expect(periodBounds(k, start - 1, z).end).toBe(start);
        expect(periodBounds(k, start, z)).toEqual({ start, end });
        expect(periodKey(k, start, z)).toBe(periodKey(k, t, z));
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('start days, weeks and months at local midnight, weeks on Monday, months on the 1st', () => {
    fc.assert(
      fc.property(fc.constantFrom<PeriodKind>('day', 'week', 'month'), zone, instant, (k, z, t) => {
        const { start, end } = periodBounds(k, t, z);
        const first = local(z, start);
        expect(first.time).toBe('00:00:00');
        expect(local(z, start - 1).date).not.toBe(first.date);
        if (k === 'week') expect(first.weekday).toBe('Mon');
        if (k === 'month') expect(first.day).toBe('01');
        if (k === 'day') {
          const hours = (end - start) / 3_600_000;
          const allowed =
            z === 'Australia/Lord_Howe'
              ? [23.5, 24, 24.5]
              : z === 'Asia/Kathmandu'
                ? [24]
                : [23, 24, 25];
          expect(allowed).toContain(hours);
          expect(periodKey('day', t, z)).toBe(first.date);
        }
      }),
      { numRuns: 300, seed: 99 },
    );
  });

  it('start hours on a local full hour', () => {
    fc.assert(
      fc.property(zone, instant, (z, t) => {
        const { start, end } = periodBounds('hour', t, z);
        expect(local(z, start).minuteSecond).toBe('00:00');
        expect(local(z, end).minuteSecond).toBe('00:00');
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
