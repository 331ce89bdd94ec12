import { afterEach, describe, expect, test } from 'vitest';
import {
  spawnIsolated,
  type IsolatedAgent,
  type IsolatedRefusedEvent,
} from '../../src/isolation/isolated-agent.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { fixture } from './isolation-fixture.js';

const MODEL = 'test-small';
const live: IsolatedAgent[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.kill('test ended')));
});

describe('the isolation boundary', () => {
  test('refuses every forgery with INVALID_ARGUMENT and leaves the kernel unchanged', async () => {
    const { kernel } = makeKernel();
    const victim = kernel.spawn({ id: 'victim', maxTokens: 20_000, model: MODEL });
    const held = victim.reserve({ inputTokens: 1_000, maxOutputTokens: 500 });
    const before = kernel.status();
    const isolated = await spawnIsolated(kernel, fixture('forger'), {
      id: 'forger',
      maxTokens: 10_000,
      data: { model: MODEL, victim: 'victim', victimReservation: held.id },
    });
    live.push(isolated);
    const refused: IsolatedRefusedEvent[] = [];
    isolated.on('refused', (e) => refused.push(e));

    const outcome = await isolated.done;
    expect(outcome.status).toBe('returned');
    const attempts = (outcome as { value: Record<string, string> }).value;
    expect(Object.keys(attempts)).toHaveLength(18);
    for (const [name, code] of Object.entries(attempts))
      expect([name, code]).toEqual([name, 'INVALID_ARGUMENT']);
    expect(refused.length).toBeGreaterThanOrEqual(18);
    expect(refused.filter((e) => e.method === 'boundary')).toHaveLength(6);

    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(held.state).toBe('open');
    const after = kernel.status();
    expect(after.pool).toEqual({ ...before.pool, available: before.pool.available });
    expect(after.agents['victim']).toEqual(before.agents['victim']);
    expect(after.reservations).toBe(before.reservations);
    expect(after.records).toBe(before.records);
    expect(kernel.usage({ by: 'agent' })).toEqual([]);
  });
});
