import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { periodBounds, periodKey, validateTimeZone } from '../../src/budget/period.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('periodKey', () => {
  it('names UTC hours, days, ISO weeks and months', () => {
    const t = Date.UTC(2026, 10, 22, 14, 5, 6);
    expect(periodKey('hour', t)).toBe('2026-11-22T14');
    expect(periodKey('day', t)).toBe('2026-11-22');
    expect(periodKey('week', t)).toBe('2026-W47');
    expect(periodKey('month', t)).toBe('2026-11');
  });

  it('puts the days around new year in the ISO week-year of their Thursday', () => {
    expect(periodKey('week', Date.UTC(2020, 11, 31))).toBe('2020-W53');
    expect(periodKey('week', Date.UTC(2021, 0, 3))).toBe('2020-W53');
    expect(periodKey('week', Date.UTC(2021, 0, 4))).toBe('2021-W01');
    expect(periodKey('week', Date.UTC(2019, 11, 30))).toBe('2020-W01');
    expect(periodKey('week', Date.UTC(2026, 0, 1))).toBe('2026-W01');
  });

  it('uses local wall-clock time in other zones', () => {
    // 23:30 UTC on 22 Nov is already the 23rd in Berlin (UTC+1).
    const t = Date.UTC(2026, 10, 22, 23, 30);
    expect(periodKey('day', t, 'Europe/Berlin')).toBe('2026-11-23');
    expect(periodKey('hour', t, 'Europe/Berlin')).toBe('2026-11-23T00');
    expect(periodKey('hour', t, 'Asia/Kathmandu')).toBe('2026-11-23T05');
    expect(periodKey('month', Date.UTC(2026, 10, 30, 23), 'Asia/Tokyo')).toBe('2026-12');
  });
});

describe('periodBounds in UTC', () => {
  it('returns half-open calendar periods', () => {
    const t = Date.UTC(2026, 10, 22, 14, 5, 6);
    expect(periodBounds('hour', t)).toEqual({
      start: Date.UTC(2026, 10, 22, 14),
      end: Date.UTC(2026, 10, 22, 15),
    });
    expect(periodBounds('week', t)).toEqual({
      start: Date.UTC(2026, 10, 16),
      end: Date.UTC(2026, 10, 23),
    });
    expect(periodBounds('month', t)).toEqual({
      start: Date.UTC(2026, 10, 1),
      end: Date.UTC(2026, 11, 1),
    });
    expect(periodBounds('month', Date.UTC(2028, 1, 29, 23))).toEqual({
      start: Date.UTC(2028, 1, 1),
      end: Date.UTC(2028, 2, 1),
    });
  });

  it('starts the next period exactly at an end', () => {
    const { end } = periodBounds('day', Date.UTC(2026, 11, 31, 12));
    expect(periodBounds('day', end).start).toBe(end);
    expect(periodBounds('day', end - 1).end).toBe(end);
    expect(periodKey('month', end)).toBe('2027-01');
  });

  it('treats UTC aliases like UTC', () => {
    const t = Date.UTC(2026, 5, 1, 1);
    expect(periodBounds('day', t, 'Etc/UTC')).toEqual(periodBounds('day', t));
    expect(periodKey('hour', t, 'GMT')).toBe('2026-06-01T01');
  });
});

describe('periodBounds across DST changes', () => {
  it('makes the spring-forward day 23 h and the fall-back day 25 h in New York', () => {
    const spring = periodBounds('day', Date.UTC(2026, 2, 8, 12), 'America/New_York');
    expect(iso(spring.start)).toBe('2026-03-08T05:00:00.000Z');
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = periodBounds('day', Date.UTC(2026, 10, 1, 12), 'America/New_York');
    expect(iso(fall.start)).toBe('2026-11-01T04:00:00.000Z');
    expect(fall.end - fall.start).toBe(25 * HOUR);
  });

  it('starts Berlin weeks at local Monday midnight on both sides of a change', () => {
    const week = periodBounds('week', Date.UTC(2026, 2, 30, 12), 'Europe/Berlin');
    expect(iso(week.start)).toBe('2026-03-29T22:00:00.000Z');
    const before = periodBounds('week', week.start - 1, 'Europe/Berlin');
    expect(iso(before.start)).toBe('2026-03-22T23:00:00.000Z');
    expect(week.start - before.start).toBe(7 * 24 * HOUR - HOUR);
  });

  it('skips the missing hour and keeps the repeated one in the hour already running', () => {
    const skipped = periodBounds('hour', Date.UTC(2026, 2, 8, 6, 30), 'America/New_York');
    expect(skipped.end - skipped.start).toBe(HOUR);
    expect(periodKey('hour', skipped.end, 'America/New_York')).toBe('2026-03-08T03');
    const repeated = periodBounds('hour', Date.UTC(2026, 10, 1, 6, 30), 'America/New_York');
    expect(repeated).toEqual({ start: Date.UTC(2026, 10, 1, 5), end: Date.UTC(2026, 10, 1, 7) });
    expect(periodKey('hour', Date.UTC(2026, 10, 1, 6, 30), 'America/New_York')).toBe(
      '2026-11-01T01',
    );
  });

  it('handles Lord Howe’s 30-minute DST: 23.5 h and 24.5 h days', () => {
    const ends = periodBounds('day', Date.UTC(2026, 3, 5, 6), 'Australia/Lord_Howe');
    expect(ends.end - ends.start).toBe(24.5 * HOUR);
    const starts = periodBounds('day', Date.UTC(2026, 9, 4, 6), 'Australia/Lord_Howe');
    expect(starts.end - starts.start).toBe(23.5 * HOUR);
  });

  it('aligns hours to the local wall clock in +05:45 Kathmandu', () => {
    const hour = periodBounds('hour', Date.UTC(2026, 0, 5, 10, 0), 'Asia/Kathmandu');
    expect(hour).toEqual({ start: Date.UTC(2026, 0, 5, 9, 15), end: Date.UTC(2026, 0, 5, 10, 15) });
  });

  it('gives a day no period when the zone skipped it (Samoa, 30 Dec 2011)', () => {
    const before = periodBounds('day', Date.UTC(2011, 11, 29, 12), 'Pacific/Apia');
    expect(periodKey('day', before.end, 'Pacific/Apia')).toBe('2011-12-31');
    expect(periodBounds('day', before.end, 'Pacific/Apia').start).toBe(before.end);
  });
});

describe('validation', () => {
  it('returns the canonical zone name', () => {
    expect(validateTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(validateTimeZone('Etc/UTC')).toBe('UTC');
  });

  it.each([['Mars/Olympus'], ['+05:30'], [''], [42], [undefined]])(
    'rejects the time zone %j with INVALID_ARGUMENT',
    (zone) => {
      let caught: unknown;
      try {
        validateTimeZone(zone);
      } catch (error) {
        caught = error;
      }
      expect(isKernelError(caught, 'INVALID_ARGUMENT')).toBe(true);
      expect((caught as Error).message).toMatch(/^Expected `timeZone` to be an IANA time zone/);
    },
  );

  it('rejects unknown kinds, zones and non-finite times', () => {
    expect(() => periodBounds('year' as never, 0)).toThrow(/Expected `kind`/);
    expect(() => periodKey('day', Number.NaN)).toThrow(/Expected `time`/);
    expect(() => periodBounds('day', Number.POSITIVE_INFINITY, 'Europe/Berlin')).toThrow(
      /Expected `time`/,
    );
    expect(() => periodBounds('day', 0, 'Nowhere/Land')).toThrow(/Expected `timeZone`/);
  });
});
