import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { UsageReport } from '../../src/report/usage-report.js';
import { anthropicMessage, openAIChatCompletion } from '../pricing/fixtures/payloads.js';
import {
  NOON,
  consoleExporterSpan,
  jsonl,
  kernelRecord,
  otlpExportRequest,
} from '../report/report-fixtures.js';
import { capture, scratch } from './cli-capture.js';

const tmp = scratch('tk-cli-report-');
afterAll(() => tmp.remove());

const LINES = jsonl(
  kernelRecord,
  { ...openAIChatCompletion, agent: 'researcher', user: 'alice', time: NOON + 60_000 },
  {
    ...anthropicMessage,
    metadata: { agent: 'writer', user: 'bob' },
    timestamp: new Date(NOON + 120_000).toISOString(),
  },
  otlpExportRequest,
  { ...consoleExporterSpan, timestamp: (NOON + 180_000) * 1000 },
);
const usage = tmp.file('usage.jsonl', LINES);
const broken = tmp.file('broken.jsonl', `${LINES}not json\n{"model":"gpt-4o"}\n`);

async function json(args: string[], input?: string): Promise<UsageReport> {
  const c = capture(input === undefined ? {} : { input });
  expect(await runCli(['report', ...args, '--json'], c.io)).toBe(0);
  return JSON.parse(c.out()) as UsageReport;
}

describe('token-kernel report', () => {
  it('prints the text report of a file with every input shape', async () => {
    const c = capture();
    expect(await runCli(['report', usage], c.io)).toBe(0);
    const text = c.out();
    expect(text).toContain('token-kernel usage report (lifetime, UTC)');
    expect(text).toContain('5 records (kernel 1, openai 1, anthropic 1, otel 2)');
    expect(text).toContain('2 spans without model usage ignored');
    for (const agent of ['planner', 'researcher', 'writer', 'triage'])
      expect(text).toContain(agent);
    expect(c.err()).toBe('');
  });

  it('prints JSON that parses, with sums that agree, from a file and from stdin', async () => {
    const fromFile = await json([usage]);
    expect(fromFile.input.records).toBe(5);
    expect(fromFile.now).toBe(NOON + 180_000);
    const total = fromFile.total.costNano;
    expect(fromFile.byAgent.reduce((s, r) => s + r.costNano, 0)).toBe(total);
    expect(fromFile.byUser.reduce((s, r) => s + r.costNano, 0)).toBe(total);
    expect(fromFile.byModel.reduce((s, r) => s + r.costNano, 0)).toBe(total);
    const fromStdin = await json(['-'], LINES);
    expect(fromStdin.total).toEqual(fromFile.total);
    expect(fromStdin.input.bytes).toBe(Buffer.byteLength(LINES));
  });

  it('applies --period, --by-period, --tz, --top and --max-keys', async () => {
    const r = await json([
      usage,
      '--period',
      'day',
      '--by-period',
      'hour',
      '--tz',
      'Asia/Tokyo',
      '--top',
      '1',
      '--max-keys',
      '2',
    ]);
    expect(r).toMatchObject({ period: 'day', timeZone: 'Asia/Tokyo' });
    expect(r.series.period).toBe('hour');
    expect(r.series.rows[0]!.period).toBe('2026-01-31T21');
    expect(r.top.agents).toHaveLength(1);
    expect(r.byAgent.map((a) => a.key)).toContain('(other)');
  });

  it('forecasts against limit flags and a YAML config', async () => {
    const config = tmp.file(
      'limits.yaml',
      'limits:\n  - scope: agent\n    id: "*"\n    period: day\n    tokens: 1000\n',
    );
    const r = await json([
      usage,
      '--limit-usd-day',
      '0.5',
      '--limit-tokens-month',
      '100000',
      '--config',
      config,
    ]);
    expect(r.limits.find((l) => l.name === 'org:day')).toMatchObject({ unit: 'usd', limit: 0.5 });
    expect(r.limits.find((l) => l.name === 'org:month')).toMatchObject({
      unit: 'tokens',
      limit: 100_000,
    });
    expect(r.limits.filter((l) => l.scope === 'agent').length).toBeGreaterThan(0);
    const c = capture();
    expect(await runCli(['report', usage, '--limit-usd-day', '0.01'], c.io)).toBe(0);
    expect(c.out()).toMatch(/org:day: \$[\d.]+ of \$0\.01 USD .* — EXCEEDED/);
  });

  it('prices unknown models per --unknown-model and user prices per --prices', async () => {
    const lines = tmp.file(
      'unknown.jsonl',
      jsonl({
        model: 'acme-llm',
        usage: { prompt_tokens: 1_000_000, completion_tokens: 0 },
        time: NOON,
      }),
    );
    expect((await json([lines])).unknownModels[0]).toMatchObject({ model: 'acme-llm', calls: 1 });
    const fallback = await json([lines, '--unknown-model', 'fallback:gpt-4o']);
    expect(fallback.total.costNano).toBe(2_500_000_000);
    const prices = tmp.file(
      'prices.json',
      JSON.stringify({ 'acme-llm': { input: 0.5, output: 1 } }),
    );
    expect((await json([lines, '--prices', prices])).total.costNano).toBe(500_000_000);
    const c = capture();
    expect(await runCli(['report', lines, '--unknown-model', 'error'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^token-kernel report: Line 1: No price for model "acme-llm"/);
  });

  it('reports malformed lines with their numbers and skips them, or exits 2 with --on-error fail', async () => {
    const c = capture();
    expect(await runCli(['report', broken, '--json'], c.io)).toBe(0);
    expect(c.err()).toContain('token-kernel report: line 6: invalid JSON');
    expect(c.err()).toContain('token-kernel report: line 7: Expected `usage` to be a usage object');
    expect(c.err()).toContain('2 malformed lines skipped');
    expect((JSON.parse(c.out()) as UsageReport).input.malformedLines).toBe(2);
    const f = capture();
    expect(await runCli(['report', broken, '--on-error', 'fail'], f.io)).toBe(2);
    expect(f.err()).toMatch(/Malformed record on line 6/);
    expect(f.out()).toBe('');
  });

  it('shows a progress line on a terminal only, and erases it', async () => {
    const tty = capture({ tty: true });
    expect(await runCli(['report', usage], tty.io)).toBe(0);
    expect(tty.err()).toMatch(/\r\[[█░]+\] +\d+%.*records\/s/);
    expect(tty.err().endsWith('\r\u001b[K')).toBe(true);
    const quiet = capture({ tty: true });
    expect(await runCli(['report', usage, '--no-progress'], quiet.io)).toBe(0);
    expect(quiet.err()).toBe('');
  });

  it('exits 2 for bad files, flags and configs, and prints help', async () => {
    const cases: [string[], RegExp][] = [
      [['report'], /expected 1 argument, got 0/],
      [['report', usage, usage], /expected 1 argument, got 2/],
      [['report', tmp.dir + '/missing.jsonl'], /Cannot read .*no such file/],
      [['report', tmp.dir], /it is a directory/],
      [['report', usage, '--bogus'], /Unknown option '--bogus'/],
      [
        ['report', usage, '--period', 'year'],
        /`--period` to be one of hour, day, week, month, lifetime/,
      ],
      [['report', usage, '--by-period', 'lifetime'], /`--by-period`/],
      [['report', usage, '--top', '0'], /`--top` to be an integer of at least 1/],
      [['report', usage, '--max-keys', 'many'], /`--max-keys`/],
      [['report', usage, '--on-error', 'ignore'], /`--on-error`/],
      [['report', usage, '--unknown-model', 'warn'], /`--unknown-model`/],
      [['report', usage, '--limit-usd-day=-5'], /`--limit-usd-day` to be a positive number/],
      [['report', usage, '--limit-tokens-week', '1.5'], /`--limit-tokens-week`/],
      [['report', usage, '--tz', 'Mars/Base'], /`timeZone`/],
      [['report', usage, '--config', tmp.file('bad.json', '{"limits": 3}')], /Invalid config/],
      [['report', usage, '--prices', tmp.file('badprices.json', '{"m": 1}')], /Invalid config/],
      [['report', usage, '--unknown-model', 'fallback:no-such-model'], /onUnknownModel.fallback/],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
      expect(c.err(), args.join(' ')).toMatch(message);
    }
    const h = capture();
    expect(await runCli(['report', '--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: token-kernel report <file|-> [options]');
    expect(h.out()).toContain('--on-error');
  });
});
