import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInput } from '../../src/report/open-input.js';
import { loadPriceTable, loadReportConfig } from '../../src/report/report-config.js';
import { parseUnknownModel, resolveUsageReportOptions } from '../../src/report/report-options.js';

const dir = mkdtempSync(join(tmpdir(), 'tk-report-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadReportConfig', () => {
  it('reads limits and prices from JSON and from YAML', async () => {
    const json = file(
      'limits.json',
      JSON.stringify({
        limits: [{ scope: 'org', period: 'day', usd: 50 }],
        prices: { 'acme-llm': { input: 1, output: 2 } },
      }),
    );
    expect(await loadReportConfig(json)).toEqual({
      limits: [{ scope: 'org', period: 'day', usd: 50 }],
      prices: { 'acme-llm': { input: 1, output: 2 } },
    });
    const yaml = file(
      'limits.yaml',
      'limits:\n  - scope: user\n    id: "*"\n    period: month\n    tokens: 2000000\n',
    );
    expect(await loadReportConfig(yaml)).toEqual({
      limits: [{ scope: 'user', id: '*', period: 'month', tokens: 2_000_000 }],
      prices: undefined,
    });
  });

  it('rejects a missing file, bad syntax, unknown keys, bad limits and bad prices with INVALID_CONFIG', async () => {
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.json'), /ENOENT/],
      [file('bad.yaml', 'limits: [\n'), /limits|flow|Missing|Unexpected/i],
      [file('list.json', '[]'), /expected an object/],
      [file('typo.json', '{"limit": []}'), /unknown key `limit`/],
      [file('notarray.json', '{"limits": {}}'), /`limits` to be an array/],
      [
        file('badlimit.json', '{"limits": [{"scope": "org", "period": "day"}]}'),
        /limits\[0\]\.tokens or limits\[0\]\.usd/,
      ],
      [file('badprice.json', '{"prices": {"m": {"input": -1, "output": 1}}}'), /prices/],
    ];
    for (const [path, message] of cases) {
      await expect(loadReportConfig(path)).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(message),
      });
    }
  });

  it('loads a price table and rejects a bad one', async () => {
    const good = file('prices.yaml', 'acme-llm:\n  input: 0.5\n  output: 1.5\n  cacheRead: 0.05\n');
    expect(await loadPriceTable(good)).toEqual({
      'acme-llm': { input: 0.5, output: 1.5, cacheRead: 0.05 },
    });
    await expect(loadPriceTable(file('p.json', '{"m": {"input": "cheap"}}'))).rejects.toMatchObject(
      {
        code: 'INVALID_CONFIG',
      },
    );
  });
});

describe('report options and inputs', () => {
  it('parses --unknown-model values', () => {
    expect(parseUnknownModel('skip')).toBe('skip');
    expect(parseUnknownModel('error')).toBe('error');
    expect(parseUnknownModel('fallback:gpt-4o')).toEqual({ fallback: 'gpt-4o' });
    for (const bad of ['fallback:', 'warn', ''])
      expect(() => parseUnknownModel(bad)).toThrow(/'error', 'skip' or 'fallback:<model>'/);
  });

  it('validates options, naming the bad one', () => {
    expect(resolveUsageReportOptions({})).toMatchObject({
      unknownModel: 'skip',
      period: 'lifetime',
      seriesPeriod: 'day',
      top: 10,
      maxKeys: 10_000,
      timeZone: 'UTC',
    });
    expect(resolveUsageReportOptions({ timeZone: 'US/Eastern' }).timeZone).toBe('America/New_York');
    for (const [options, name] of [
      [{ period: 'year' }, 'period'],
      [{ seriesPeriod: 'lifetime' }, 'seriesPeriod'],
      [{ top: 0 }, 'top'],
      [{ maxKeys: 1.5 }, 'maxKeys'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ limits: [{ scope: 'galaxy', usd: 1 }] }, 'limits[0].scope'],
      [{ unknownModel: 'warn' }, 'unknownModel'],
    ] as const) {
      expect(() => resolveUsageReportOptions(options as never)).toThrow(
        new RegExp(`\`${name.replace(/[[\]]/g, '\\$&')}\``),
      );
    }
  });

  it('opens a file with its size, stdin for -, and names a path it cannot read', async () => {
    const path = file('in.jsonl', '{}\n');
    const opened = await openInput(path, process.stdin);
    expect(opened.size).toBe(3);
    opened.stream.destroy();
    expect((await openInput('-', process.stdin)).stream).toBe(process.stdin);
    await expect(openInput(join(dir, 'nope.jsonl'), process.stdin)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no such file'),
    });
    await expect(openInput(dir, process.stdin)).rejects.toMatchObject({
      message: expect.stringContaining('it is a directory'),
    });
  });
});
