import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/report/progress-line.js';
import { formatBytes } from '../../src/report/report-text.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('ProgressLine', () => {
  it('draws a bar with the share, bytes and rates, at most once per interval, and erases itself', () => {
    const clock = new FakeClock(0);
    const out: string[] = [];
    const line = new ProgressLine({
      write: (s) => out.push(s),
      totalBytes: 4_000_000,
      clock,
      intervalMs: 100,
    });
    clock.advance(2_000);
    line.update({ bytes: 1_000_000, lines: 5_000, records: 4_000 });
    line.update({ bytes: 1_100_000, lines: 5_500, records: 4_400 });
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(
      `\r[${'█'.repeat(6)}${'░'.repeat(18)}]  25%  1.00 MB / 4.00 MB  4,000 records  2,000 records/s, 500 kB/s\u001b[K`,
    );
    clock.advance(100);
    line.update({ bytes: 4_000_000, lines: 20_000, records: 16_000 });
    expect(out[1]).toContain('100%');
    line.done();
    expect(out[2]).toBe('\r\u001b[K');
  });

  it('shows bytes read without a bar when the size is unknown, and erases nothing it did not draw', () => {
    const clock = new FakeClock(0);
    const out: string[] = [];
    const line = new ProgressLine({ write: (s) => out.push(s), clock });
    clock.advance(1_000);
    expect(line.render({ bytes: 2_500, lines: 10, records: 9 })).toBe(
      '2.50 kB read  9 records  9 records/s, 2.50 kB/s',
    );
    const idle = new ProgressLine({ write: (s) => out.push(s), clock });
    idle.done();
    expect(out).toEqual([]);
  });

  it('formats sizes in decimal units', () => {
    expect([0, 999, 1_000, 12_345, 1_073_741_824].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.00 kB',
      '12.3 kB',
      '1.07 GB',
    ]);
  });
});
