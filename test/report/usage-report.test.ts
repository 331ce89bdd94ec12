import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dimension } from '../../src/budget/ledger.js';
import { createPricing } from '../../src/pricing/pricing.js';
import { formatUsageReport } from '../../src/report/report-text.js';
import { readUsageRecords, runUsageReport } from '../../src/report/run-usage-report.js';
import { UsageAggregator } from '../../src/report/usage-aggregator.js';
import { buildUsageReport } from '../../src/report/usage-report.js';
import { NOON, chunks, jsonl, kernelRecord, otlpExportRequest } from './report-fixtures.js';

const HOUR = 3_600_000;

function call(i: number, over: Record<string, unknown> = {}) {
  return {
    model: 'gpt-4o',
    usage: {
      prompt_tokens: 1000,
      completion_tokens: 100,
      prompt_tokens_details: { cached_tokens: 0 },
    },
    agent: `agent-${i % 3}`,
    user: `user-${i % 2}`,
    time: NOON + i * 60_000,
    ...over,
  };
}

describe('runUsageReport', () => {
  it('prices records without a cost at list price and keeps a kernel record’s cost', async () => {
    const report = await runUsageReport(chunks(jsonl(call(0), kernelRecord)));
    // gpt-4o: $2.50 / $10.00 per million input / output tokens.
    const priced = 1000 * 2_500 + 100 * 10_000;
    expect(report.total.costNano).toBe(priced + kernelRecord.costNano);
    expect(report.total.calls).toBe(2);
    expect(report.input.formats).toEqual({ openai: 1, kernel: 1 });
  });

  it('agrees on the total across agents, users, tasks, sessions, models and the series', async () => {
    const record = fc.record({
      model: fc.constantFrom('gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514', 'gpt-4.1'),
      agent: fc.constantFrom('a', 'b', 'c', undefined),
      user: fc.constantFrom('u1', 'u2', undefined),
      task: fc.constantFrom('t1', undefined),
      session: fc.constantFrom('s1', 's2', 's3', undefined),
      input: fc.integer({ min: 0, max: 200_000 }),
      cached: fc.integer({ min: 0, max: 100 }),
      output: fc.integer({ min: 0, max: 20_000 }),
      gap: fc.integer({ min: 0, max: 5 * HOUR }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 40 }), async (records) => {
        let time = NOON;
        const lines = records.map((r) => {
          time += r.gap;
          const cached = Math.floor((r.input * r.cached) / 100);
          return {
            model: r.model,
            usage: { inputTokens: r.input, outputTokens: r.output, cacheReadTokens: cached },
            agent: r.agent,
            user: r.user,
            task: r.task,
            session: r.session,
            time,
          };
        });
        const report = await runUsageReport(chunks(jsonl(...lines), 64), { seriesPeriod: 'hour' });
        const pricing = createPricing();
        const expected = lines.reduce(
          (sum, l) => sum + pricing.cost(pricing.resolve(l.model), l.usage),
          0,
        );
        expect(report.total.costNano).toBe(expected);
        for (const rows of [
          report.byAgent,
          report.byUser,
          report.byTask,
          report.bySession,
          report.byModel,
        ]) {
          expect(rows.reduce((s, r) => s + r.costNano, 0)).toBe(expected);
          expect(rows.reduce((s, r) => s + r.calls, 0)).toBe(lines.length);
        }
        expect(report.series.rows.reduce((s, r) => s + r.costNano, 0)).toBe(expected);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('takes "now" from the last record: current period, burn rate and projections', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => call(i));
    const report = await runUsageReport(chunks(jsonl(...lines), 256), { period: 'hour' });
    const last = NOON + 29 * 60_000;
    expect(report.now).toBe(last);
    // The tables cover the hour containing the last record: 12:00–12:29.
    expect(report.total.calls).toBe(30);
    const [day, month] = report.projections;
    expect(day).toMatchObject({
      period: 'day',
      start: Date.UTC(2026, 0, 31),
      spentNano: report.total.costNano,
    });
    expect(month!.period).toBe('month');
    // 30 calls over the 30 minutes observed, projected over the 11.5 hours left in the day.
    expect(report.burnRate!.callsPerMinute).toBeCloseTo(30 / 29, 1);
    expect(day!.projectedNano).toBeGreaterThan(day!.spentNano * 20);
    expect(report.averageRate!.spanMs).toBe(29 * 60_000);
  });

  it('forecasts org, per-key, wildcard, lifetime and per-call limits', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => call(i));
    const perCall = (1000 * 2_500 + 100 * 10_000) / 1e9;
    const report = await runUsageReport(chunks(jsonl(...lines)), {
      limits: [
        { scope: 'org', period: 'day', usd: perCall * 100 },
        { scope: 'org', period: 'lifetime', tokens: 5_000 },
        { scope: 'agent', id: 'agent-0', period: 'day', tokens: 1_000_000 },
        { scope: 'user', id: '*', period: 'hour', tokens: 7_000, name: 'user-hourly' },
        { scope: 'call', tokens: 1_000 },
      ],
      top: 5,
    });
    const org = report.limits.find((l) => l.name === 'org:day')!;
    expect(org).toMatchObject({ unit: 'usd', used: perCall * 12, resetsAt: Date.UTC(2026, 1, 1) });
    expect(org.status).toBe('at-risk');
    expect(org.projected!).toBeGreaterThan(perCall * 100);
    const life = report.limits.find((l) => l.name === 'org:lifetime')!;
    expect(life).toMatchObject({ used: 13_200, status: 'exceeded', projected: undefined });
    const agent = report.limits.find((l) => l.name === 'agent:agent-0:day')!;
    expect(agent).toMatchObject({ key: 'agent-0', used: 4 * 1_100, status: 'ok' });
    const users = report.limits.filter((l) => l.name.startsWith('user-hourly'));
    expect(users.map((l) => l.key).sort()).toEqual(['user-0', 'user-1']);
    expect(users.every((l) => l.used === 6 * 1_100 && l.status === 'at-risk')).toBe(true);
    expect(report.callLimits).toEqual([
      {
        name: 'call#4',
        tokens: 1_000,
        usd: undefined,
        over: 12,
        maxTokens: 1_100,
        maxNano: perCall * 1e9,
      },
    ]);
    expect(report.opportunities.filter((o) => o.kind === 'limit').length).toBeGreaterThanOrEqual(4);
  });

  it('skips unknown models by default, lists them, and fails or charges a fallback on request', async () => {
    const text = jsonl(call(0), call(1, { model: 'acme-llm-9' }), call(2, { model: 'acme-llm-9' }));
    const skipped = await runUsageReport(chunks(text));
    expect(skipped.total.calls).toBe(1);
    expect(skipped.input.unpriced).toBe(2);
    expect(skipped.unknownModels).toEqual([
      { model: 'acme-llm-9', calls: 2, inputTokens: 2000, outputTokens: 200, pricedAs: undefined },
    ]);
    expect(skipped.opportunities.some((o) => o.kind === 'unknown-model')).toBe(true);
    await expect(runUsageReport(chunks(text), { unknownModel: 'error' })).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL',
      details: { line: 2, model: 'acme-llm-9' },
    });
    const fallback = await runUsageReport(chunks(text), { unknownModel: { fallback: 'gpt-4o' } });
    expect(fallback.total.calls).toBe(3);
    expect(fallback.total.costNano).toBe(3 * skipped.total.costNano);
    expect(fallback.unknownModels[0]!.pricedAs).toBe('fallback:gpt-4o');
  });

  it('skips and counts malformed lines with their numbers, or fails at the first', async () => {
    const text = jsonl(call(0), '{"model":', '', '   ', '[1]', call(1), '{"model":"gpt-4o"}');
    const report = await runUsageReport(chunks(text), { maxMalformed: 2 });
    expect(report.input).toMatchObject({ lines: 7, blankLines: 2, malformedLines: 3, records: 2 });
    expect(report.input.malformed.map((m) => m.line)).toEqual([2, 5]);
    expect(report.input.malformed[0]!.message).toMatch(/^invalid JSON/);
    await expect(runUsageReport(chunks(text), { onError: 'fail' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { line: 2 },
      message: expect.stringMatching(/^Malformed record on line 2: invalid JSON/),
    });
    const long = await runUsageReport(
      chunks(jsonl(call(0), { ...call(1), pad: 'x'.repeat(500) })),
      {
        maxLineLength: 300,
      },
    );
    expect(long.input.malformed).toEqual([
      { line: 2, message: expect.stringMatching(/over the limit/) },
    ]);
  });

  it('counts out-of-order and untimed records and books them so that the sums still agree', async () => {
    const report = await runUsageReport(
      chunks(jsonl(call(5), call(1), call(2, { time: undefined }), call(6))),
      { seriesPeriod: 'hour' },
    );
    expect(report.input).toMatchObject({
      outOfOrder: 1,
      maxLagMs: 4 * 60_000,
      untimed: 1,
      timed: 3,
    });
    expect(report.input.firstTime).toBe(NOON + 60_000);
    expect(report.series.rows.reduce((s, r) => s + r.calls, 0)).toBe(4);
  });

  it('ignores aggregate spans and finds optimization opportunities', async () => {
    const heavy = Array.from({ length: 6 }, (_, i) =>
      call(i, { agent: 'crawler', usage: { prompt_tokens: 50_000, completion_tokens: 2_000 } }),
    );
    const report = await runUsageReport(
      chunks(jsonl(otlpExportRequest, ...heavy, call(9, { agent: 'tiny' }))),
    );
    expect(report.input.ignoredSpans).toBe(2);
    const kinds = report.opportunities.map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['cheaper-model', 'hot-agent', 'prompt-cache']));
    const cheaper = report.opportunities.find((o) => o.kind === 'cheaper-model')!;
    expect(cheaper.message).toContain('gpt-4o-mini');
    expect(cheaper.savingNano!).toBeGreaterThan(0);
    const valued = report.opportunities
      .filter((o) => o.savingNano !== undefined)
      .map((o) => o.savingNano!);
    expect(valued).toEqual([...valued].sort((a, b) => b - a));
  });

  it('renders every section as text', async () => {
    const report = await runUsageReport(
      chunks(jsonl(...Array.from({ length: 5 }, (_, i) => call(i)), '}{')),
      {
        limits: [{ scope: 'org', period: 'day', usd: 1 }],
      },
    );
    const text = formatUsageReport(report);
    for (const part of [
      'token-kernel usage report (lifetime, UTC)',
      'Read 6 lines',
      '5 records (openai 5)',
      '1 malformed lines skipped',
      'Records from 2026-01-31 12:00 to 2026-01-31 12:04 UTC',
      'By agent:',
      'By user:',
      'By model:',
      'Spend by day:',
      '2026-01-31',
      'Burn rate',
      'Forecast for 2026-01-31 (day)',
      'Forecast for 2026-01 (month)',
      'Limits:',
      'org:day:',
      'Optimization opportunities:',
    ])
      expect(text).toContain(part);
  });

  it('reports an empty input without time-based sections', async () => {
    const report = await runUsageReport(chunks(''));
    expect(report).toMatchObject({
      now: undefined,
      burnRate: undefined,
      projections: [],
      byAgent: [],
    });
    expect(report.total.calls).toBe(0);
    expect(formatUsageReport(report)).toContain('(none found)');
  });
});

describe('UsageAggregator memory bounds', () => {
  it('streams 50,000 records with 50,000 distinct sessions and users without retaining them', async () => {
    async function* generated(): AsyncGenerator<string> {
      for (let i = 0; i < 50_000; i++) {
        yield `${JSON.stringify({
          model: i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
          usage: { prompt_tokens: 100 + (i % 7), completion_tokens: 10 },
          agent: `agent-${i % 5}`,
          user: `user-${i}`,
          session: `session-${i}`,
          task: `task-${i % 3}`,
          time: NOON + i * 10_000,
        })}\n`;
      }
    }
    const aggregator = new UsageAggregator({
      maxKeys: 100,
      seriesPeriod: 'hour',
      maxSeriesPeriods: 24,
    });
    const read = await readUsageRecords(generated(), aggregator);
    const stats = aggregator.stats();
    expect(stats.records).toBe(50_000);
    expect(stats.keys).toEqual({ agent: 5, task: 3, user: 100, session: 100, model: 2 });
    expect(stats.folded).toMatchObject({ user: 49_900, session: 49_900, agent: 0 });
    // 50,000 × 10 s is 139 hours: only the last 24 are kept.
    expect(stats.seriesPeriods).toBe(24);
    expect(aggregator.series.dropped).toBe(139 - 24);
    for (const d of ['agent', 'task', 'user', 'session', 'model'] as Dimension[]) {
      const rows = aggregator.ledgerFor(d)!.usage({ by: d });
      expect(rows.length).toBeLessThanOrEqual(101);
      expect(rows.reduce((s, r) => s + r.calls, 0)).toBe(50_000);
      expect(aggregator.ledgerFor(d)!.recent()).toEqual([]);
    }
    const report = buildUsageReport(aggregator, read);
    expect(report.byUser.find((r) => r.key === '(other)')!.calls).toBe(49_900);
    expect(report.input.folded.session).toBe(49_900);
    expect(formatUsageReport(report)).toContain('Distinct keys over the limit booked as (other)');
  });
});

describe('records without times', () => {
  it('are reported over the lifetime, without series, rates or projections', async () => {
    const untimed = { model: 'gpt-4o', usage: { prompt_tokens: 10, completion_tokens: 1 } };
    const report = await runUsageReport(chunks(jsonl(untimed, untimed)), { period: 'day' });
    expect(report).toMatchObject({
      period: 'lifetime',
      now: undefined,
      burnRate: undefined,
      projections: [],
    });
    expect(report.series.rows).toEqual([]);
    expect(report.total.calls).toBe(2);
    expect(report.input).toMatchObject({ untimed: 2, timed: 0, firstTime: undefined });
  });
});
