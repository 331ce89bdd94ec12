import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The built package, through its `exports`, in a plain Node process (no tsx): a kernel, a
 * governed call, and a token count large enough to go to a real worker thread from dist/.
 * `npm test` builds first (the `pretest` script).
 */
describe('the built package', () => {
  it('works through its exports with a real worker', () => {
    expect(
      existsSync('dist/src/index.js'),
      'dist/ is missing: run `npm run build` (npm test does)',
    ).toBe(true);
    const script = `
      const { createKernel, countText } = await import('token-kernel');
      const kernel = createKernel({ totalBudget: 100000 });
      const agent = kernel.spawn({ id: 'smoke', maxTokens: 50000, model: 'gpt-4o' });
      const big = 'The quarterly report covers revenue, churn and pipeline. '.repeat(4000);
      const counted = await kernel.tokens.count(big, 'gpt-4o');
      const stats = kernel.tokens.stats();
      const res = await agent.call({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 10 },
        async () => ({ output: 'ok', usage: { inputTokens: 8, outputTokens: 1 } }));
      await kernel.close();
      console.log(JSON.stringify({ tokens: counted.tokens, exact: counted.exact, expected: countText(big, 'o200k_base'), threads: stats.threads, cost: res.costNano, state: agent.state }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(result).toMatchObject({ exact: true, state: 'active' });
    expect(result['tokens']).toBe(result['expected']);
    expect(result['threads']).toBeGreaterThan(0);
    expect(result['cost']).toBeGreaterThan(0);
  });
});
