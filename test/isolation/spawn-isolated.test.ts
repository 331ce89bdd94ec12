import { afterEach, describe, expect, test } from 'vitest';
import { spawnIsolated, type IsolatedAgent } from '../../src/isolation/isolated-agent.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { conserved, fixture, next } from './isolation-fixture.js';

const MODEL = 'test-small';
const live: IsolatedAgent[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.kill('test ended')));
});

function track(isolated: IsolatedAgent): IsolatedAgent {
  live.push(isolated);
  return isolated;
}

describe('spawnIsolated', () => {
  test.each([
    ['an unknown isolation option value', { id: 'a', onStop: 'pause' }],
    ['a bad resource limit', { id: 'a', resourceLimits: { maxOldGenerationSizeMb: -1 } }],
    ['an unknown resource limit', { id: 'a', resourceLimits: { heapMb: 10 } }],
    ['uncloneable data', { id: 'a', data: { fn: () => 1 } }],
    ['a bad callTimeoutMs', { id: 'a', callTimeoutMs: 0 }],
    ['a bad maxTtlMs', { id: 'a', maxTtlMs: 1.5 }],
    ['an unknown spawn option', { id: 'a', agentIdOverride: 'b' }],
  ])('refuses %s with INVALID_ARGUMENT and spawns nothing', async (_name, options) => {
    const { kernel } = makeKernel();
    await expect(
      spawnIsolated(kernel, fixture('cooperative'), options as never),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(kernel.agents()).toEqual([]);
    expect(kernel.status().pool.available).toBe(100_000);
  });

  test.each([
    ['a relative path', 'fixtures/isolated/cooperative.ts'],
    ['an http URL', 'https://example.com/agent.js'],
    ['a missing file', new URL('../fixtures/isolated/no-such-agent.ts', import.meta.url)],
  ])('refuses %s as the module and spawns nothing', async (_name, url) => {
    const { kernel } = makeKernel();
    await expect(spawnIsolated(kernel, url, { id: 'a' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(kernel.agents()).toEqual([]);
  });

  test('runs a data: URL module with its data', async () => {
    const { kernel } = makeKernel();
    const source = 'export default (agent, data) => ({ id: agent.id, twice: data.x * 2 });';
    const isolated = track(
      await spawnIsolated(kernel, `data:text/javascript,${encodeURIComponent(source)}`, {
        id: 'inline',
        maxTokens: 1_000,
        data: { x: 21 },
      }),
    );
    expect(await isolated.done).toEqual({ status: 'returned', value: { id: 'inline', twice: 42 } });
  });

  test('a module without a default-exported function crashes; the agent is killed', async () => {
    const { kernel } = makeKernel();
    const isolated = track(
      await spawnIsolated(kernel, 'data:text/javascript,export const notDefault = 1;', {
        id: 'bad',
        maxTokens: 1_000,
      }),
    );
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({ status: 'crashed', error: { name: 'TypeError' } });
    expect(isolated.agent.state).toBe('killed');
    expect(conserved(kernel)).toBe(true);
  });

  test('a return value that cannot cross the boundary is a crash', async () => {
    const { kernel } = makeKernel();
    const isolated = track(
      await spawnIsolated(kernel, 'data:text/javascript,export default () => () => 1;', {
        id: 'fn',
        maxTokens: 1_000,
      }),
    );
    expect(await isolated.done).toMatchObject({
      status: 'crashed',
      error: { name: 'DataCloneError' },
    });
  });

  test('an agent spawned into a full pool waits for its window, then runs', async () => {
    const { kernel } = makeKernel();
    const big = kernel.spawn({ id: 'big', maxTokens: 100_000 });
    const isolated = track(
      await spawnIsolated(kernel, fixture('stop-aware'), {
        id: 'late',
        maxTokens: 1_000,
        data: { model: MODEL, exhaust: 0, reserve: 100 },
      }),
    );
    expect(isolated.agent.state).toBe('waiting');
    expect(await next(isolated, 'blocked')).toMatchObject({ method: 'reserve' });
    big.release();
    expect(await isolated.done).toMatchObject({
      status: 'returned',
      value: { reserved: expect.stringMatching(/^r\d+$/) },
    });
    expect(conserved(kernel)).toBe(true);
  });

  test('kill after kernel.close still ends the worker and releases the agent', async () => {
    const { kernel } = makeKernel();
    const isolated = track(
      await spawnIsolated(kernel, fixture('spinning'), {
        id: 'spin',
        maxTokens: 5_000,
        data: { model: MODEL },
      }),
    );
    await kernel.close();
    expect(await isolated.kill('shutdown')).toEqual({ status: 'killed', reason: 'shutdown' });
    expect(isolated.agent.state).toBe('released');
  });
});
