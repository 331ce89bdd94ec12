import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/telemetry/kernel-metrics.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const AGENTS = ['alpha', 'beta', 'gamma'] as const;
const USERS = ['user-7f3a', 'user-91bc', 'user-c0de'] as const;
const MODELS = ['test-small', 'test-large'] as const;

const call = fc.record({
  agent: fc.integer({ min: 0, max: AGENTS.length - 1 }),
  model: fc.constantFrom(...MODELS),
  input: fc.integer({ min: 0, max: 5_000 }),
  read: fc.integer({ min: 0, max: 5_000 }),
  output: fc.integer({ min: 0, max: 2_000 }),
  reasoning: fc.integer({ min: 0, max: 2_000 }),
});

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe('createMetrics (properties)', () => {
  it('token and cost counters equal the sums of the settled records; no user id is ever a label', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 40 }), async (calls) => {
        const { kernel } = makeKernel({
          totalBudget: 10_000_000,
          limits: [{ scope: 'user', tokens: 50_000, hard: false }],
        });
        const metrics = createMetrics(kernel);
        const agents = AGENTS.map((id, i) =>
          kernel.spawn({ id, userId: USERS[i]!, sessionId: `${USERS[i]}-s`, maxTokens: 1_000_000 }),
        );
        const expected = new Map<string, number>();
        const cost = new Map<string, number>();
        const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
        for (const c of calls) {
          const usage = {
            inputTokens: c.input + c.read,
            outputTokens: c.output + c.reasoning,
            cacheReadTokens: c.read,
            reasoningTokens: c.reasoning,
          };
          const record = agents[c.agent]!.record(usage, { model: c.model });
          const labels = `agent="${AGENTS[c.agent]}",model="${c.model}"`;
          add(expected, `${labels},type="input"`, usage.inputTokens);
          add(expected, `${labels},type="output"`, usage.outputTokens);
          if (c.read > 0) add(expected, `${labels},type="cache_read"`, c.read);
          if (c.reasoning > 0) add(expected, `${labels},type="reasoning"`, c.reasoning);
          add(cost, labels, record.costNano);
        }
        const text = await metrics.text();
        const s = samples(text);
        for (const [labels, value] of expected)
          expect(s.get(`token_kernel_tokens_total{${labels}}`)).toBe(value);
        const tokenSeries = [...s.keys()].filter((k) => k.startsWith('token_kernel_tokens_total{'));
        expect(tokenSeries).toHaveLength(expected.size);
        for (const [labels, nano] of cost)
          expect(s.get(`token_kernel_cost_usd_total{${labels}}`)).toBe(nano / 1e9);
        for (const user of USERS) expect(text).not.toContain(user);
        metrics.close();
      }),
      { numRuns: 60, seed: 20_260_105 },
    );
  });
});
