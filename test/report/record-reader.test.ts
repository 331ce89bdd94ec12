import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/report/record-reader.js';
import { chunks } from './report-fixtures.js';

async function collect(source: AsyncIterable<Uint8Array | string>, maxLineLength?: number) {
  const lines: [number, string][] = [];
  const long: [number, number][] = [];
  const progress: number[] = [];
  const result = await readLines(source, (line, n) => lines.push([n, line]), {
    ...(maxLineLength !== undefined && { maxLineLength }),
    onLongLine: (n, length) => long.push([n, length]),
    onProgress: (bytes) => progress.push(bytes),
  });
  return { lines, long, progress, result };
}

describe('readLines', () => {
  it('numbers lines from 1 across chunk boundaries, strips CR and a BOM, keeps a last line without newline', async () => {
    const text = '\uFEFFalpha\r\nbeta\n\ngamma';
    const { lines, result } = await collect(chunks(text, 3));
    expect(lines).toEqual([
      [1, 'alpha'],
      [2, 'beta'],
      [3, ''],
      [4, 'gamma'],
    ]);
    expect(result).toEqual({ lines: 4, bytes: Buffer.byteLength(text) });
  });

  it('decodes multi-byte characters split between chunks', async () => {
    const text = 'héllo→wörld 🙂\nnext ✓\n';
    for (const size of [1, 2, 3, 5]) {
      const { lines } = await collect(chunks(text, size));
      expect(lines.map(([, l]) => l)).toEqual(['héllo→wörld 🙂', 'next ✓']);
    }
  });

  it('reports a line over the limit with its number and length instead of buffering it', async () => {
    const text = `short\n${'x'.repeat(50)}\nafter\n${'y'.repeat(30)}`;
    const { lines, long } = await collect(chunks(text, 4), 20);
    expect(lines).toEqual([
      [1, 'short'],
      [3, 'after'],
    ]);
    expect(long).toEqual([
      [2, 50],
      [4, 30],
    ]);
  });

  it('reads string chunks and an empty source, and reports progress after every chunk', async () => {
    async function* strings() {
      yield 'a\nb';
      yield 'c\n';
    }
    const { lines, progress } = await collect(strings());
    expect(lines).toEqual([
      [1, 'a'],
      [2, 'bc'],
    ]);
    expect(progress).toEqual([3, 5, 5]);
    const empty = await collect(chunks(''));
    expect(empty.lines).toEqual([]);
    expect(empty.result.lines).toBe(0);
  });

  it('stops and rejects when the line handler throws', async () => {
    await expect(
      readLines(chunks('a\nb\n'), (line) => {
        if (line === 'b') throw new Error('stop at b');
      }),
    ).rejects.toThrow('stop at b');
  });

  it('rejects a bad maxLineLength', async () => {
    await expect(
      readLines(chunks('a'), () => undefined, { maxLineLength: 0 }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('yields the same lines as split("\\n") for any text and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'é', '🙂', '\n', '\r\n', ' ', '{', '"'), { maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        async (parts, size) => {
          const text = parts.join('');
          const expected = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          if (text.endsWith('\n') || text === '') expected.pop();
          const { lines } = await collect(chunks(text, size));
          expect(lines.map(([, l]) => l)).toEqual(expected);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
