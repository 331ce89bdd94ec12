import { afterEach, describe, expect, test } from 'vitest';
import { spawnIsolated, type IsolatedAgent } from '../../src/isolation/isolated-agent.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { conserved, fixture, next, nextRecord } from './isolation-fixture.js';

const MODEL = 'test-small';
const live: IsolatedAgent[] = [];

async function spawn(
  kernel: Kernel,
  name: string,
  options: Parameters<typeof spawnIsolated>[2],
): Promise<IsolatedAgent> {
  const isolated = await spawnIsolated(kernel, fixture(name), options);
  live.push(isolated);
  return isolated;
}

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.kill('test ended')));
});

describe('a cooperative isolated agent', () => {
  test('reserves, commits and records through the boundary; its usage is attributed to it', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'cooperative', {
      id: 'coop',
      maxTokens: 10_000,
      model: MODEL,
      data: {
        model: MODEL,
        calls: 3,
        used: { inputTokens: 90, outputTokens: 30 },
        recorded: { inputTokens: 40, outputTokens: 10 },
        oversized: 50_000,
      },
    });
    const outcome = await isolated.done;
    expect(outcome.status).toBe('returned');
    const value = (outcome as { value: Record<string, unknown> }).value;
    expect(value['id']).toBe('coop');
    expect(value['reservationIds']).toHaveLength(3);
    const [row] = kernel.usage({ by: 'agent' }).filter((r) => r.key === 'coop');
    expect(row).toMatchObject({ calls: 4, inputTokens: 3 * 90 + 40, outputTokens: 3 * 30 + 10 });
    // The records carry the kernel's reservation ids the worker saw.
    const ids = kernel
      .records()
      .map((r) => r.reservationId)
      .filter((id) => id !== undefined);
    expect(ids).toEqual(value['reservationIds']);
    expect(value['status']).toMatchObject({ id: 'coop', window: { used: 3 * 120 + 50 } });
  });

  test('the worker sees a budget refusal as a KernelError with code BUDGET_EXCEEDED', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'cooperative', {
      id: 'coop',
      maxTokens: 1_000,
      data: {
        model: MODEL,
        calls: 0,
        used: { inputTokens: 0, outputTokens: 0 },
        recorded: { inputTokens: 1, outputTokens: 0 },
        oversized: 5_000,
      },
    });
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({
      status: 'returned',
      value: { refusal: { code: 'BUDGET_EXCEEDED', isKernelError: true, limit: 'window' } },
    });
  });

  test('returning releases the agent: unused tokens go back to the pool', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'cooperative', {
      id: 'coop',
      maxTokens: 10_000,
      data: {
        model: MODEL,
        calls: 1,
        used: { inputTokens: 100, outputTokens: 20 },
        recorded: { inputTokens: 0, outputTokens: 0 },
        oversized: 1e6,
      },
    });
    await isolated.done;
    expect(isolated.agent.state).toBe('released');
    expect(kernel.status().pool).toMatchObject({ available: 100_000 - 120, spent: 120 });
    expect(conserved(kernel)).toBe(true);
  });
});

describe('SIGSTOP and SIGRESUME', () => {
  test('a record past the window is booked at once, but its answer waits until a grant resumes the agent', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'stop-aware', {
      id: 'sa',
      maxTokens: 1_000,
      data: { model: MODEL, exhaust: 1_000, reserve: 200 },
    });
    expect(await next(isolated, 'blocked')).toMatchObject({ agentId: 'sa', method: 'record' });
    expect(isolated.agent.state).toBe('stopped');
    expect(kernel.usage({ by: 'agent' })).toMatchObject([{ key: 'sa', inputTokens: 1_000 }]);
    kernel.grant('sa', 500);
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({
      status: 'returned',
      value: {
        recordError: undefined,
        error: undefined,
        reserved: expect.stringMatching(/^r\d+$/),
      },
    });
    const { signals } = (outcome as { value: { signals: string[] } }).value;
    expect(signals).toContain('SIGSTOP');
    expect(signals.at(-1)).toBe('SIGRESUME');
  });

  test('a reservation made while stopped by hand waits until kernel.resume', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'stop-aware', {
      id: 'sa',
      maxTokens: 1_000,
      data: { model: MODEL, exhaust: 0, reserve: 200 },
    });
    // Synchronously after the spawn: the worker has not run any code yet.
    kernel.stop('sa', 'operator');
    expect(await next(isolated, 'blocked')).toMatchObject({ method: 'reserve' });
    expect(kernel.status().reservations).toBe(0);
    kernel.resume('sa');
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({
      status: 'returned',
      value: { reserved: expect.stringMatching(/^r\d+$/) },
    });
    // SIGSTOP may reach the worker before the module subscribes; SIGRESUME comes after.
    expect((outcome as { value: { signals: string[] } }).value.signals.at(-1)).toBe('SIGRESUME');
    expect(kernel.status().reservations).toBe(0);
  });

  test("with onStop 'reject' a reservation fails with AGENT_NOT_RUNNABLE at once; a record is still booked", async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'stop-aware', {
      id: 'sa',
      maxTokens: 1_000,
      onStop: 'reject',
      data: { model: MODEL, exhaust: 1_000, reserve: 200 },
    });
    expect(await isolated.done).toMatchObject({
      status: 'returned',
      value: { recordError: undefined, reserved: undefined, error: 'AGENT_NOT_RUNNABLE' },
    });
    expect(kernel.usage({ by: 'agent' })).toMatchObject([{ key: 'sa', inputTokens: 1_000 }]);
  });

  test('callTimeoutMs ends the wait with AGENT_NOT_RUNNABLE', async () => {
    const { kernel, clock } = makeKernel();
    const isolated = await spawn(kernel, 'stop-aware', {
      id: 'sa',
      maxTokens: 1_000,
      callTimeoutMs: 5_000,
      clock,
      data: { model: MODEL, exhaust: 0, reserve: 200 },
    });
    kernel.stop('sa', 'operator');
    await next(isolated, 'blocked');
    clock.advance(4_999);
    expect(isolated.heldReservations).toBe(0);
    clock.advance(1);
    expect(await isolated.done).toMatchObject({
      status: 'returned',
      value: { reserved: undefined, error: 'AGENT_NOT_RUNNABLE' },
    });
    expect(isolated.agent.state).toBe('released');
  });
});

describe('ending an isolated agent', () => {
  test('kernel.kill terminates a spinning agent; its reservation and window are reclaimed', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'spinning', {
      id: 'spin',
      maxTokens: 8_000,
      data: { model: MODEL },
    });
    await nextRecord(kernel, 'spin');
    expect(kernel.status().reservations).toBe(1);
    await kernel.kill('spin', 'runaway');
    expect(await isolated.done).toEqual({ status: 'killed', reason: 'runaway' });
    expect(isolated.agent.state).toBe('killed');
    const status = kernel.status();
    expect(status.reservations).toBe(0);
    expect(status.agents['spin']).toBeUndefined();
    expect(status.pool).toMatchObject({ available: 100_000 - 10, spent: 10, allocated: 0 });
    expect(conserved(kernel)).toBe(true);
  });

  test('a runaway spender is killed mid-loop; what it recorded stays spent, the rest returns to the pool', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'runaway', {
      id: 'runaway',
      maxTokens: 50_000,
      data: { model: MODEL, tokens: 100 },
    });
    let records = 0;
    const fifth = new Promise<void>((resolve) =>
      kernel.on('record', (e) => {
        if (e.record.agentId === 'runaway' && ++records === 5) resolve();
      }),
    );
    await fifth;
    await kernel.kill('runaway', 'rule: runaway spend');
    expect(await isolated.done).toEqual({ status: 'killed', reason: 'rule: runaway spend' });
    const spent = kernel.usage({ by: 'agent' })[0]?.inputTokens as number;
    expect(spent).toBe(records * 100);
    expect(kernel.status().pool).toMatchObject({ available: 100_000 - spent, spent, allocated: 0 });
    expect(conserved(kernel)).toBe(true);
  });

  test('isolated.kill ends it the same way and is idempotent', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'spinning', {
      id: 'spin',
      maxTokens: 8_000,
      data: { model: MODEL },
    });
    await nextRecord(kernel, 'spin');
    const outcome = await isolated.kill('enough');
    expect(outcome).toEqual({ status: 'killed', reason: 'enough' });
    expect(await isolated.kill('again')).toEqual(outcome);
    expect(kernel.status().reservations).toBe(0);
    expect(conserved(kernel)).toBe(true);
  });

  test('a throwing agent crashes with its error; nothing of it is left in the kernel', async () => {
    const { kernel, signals } = makeKernel();
    const isolated = await spawn(kernel, 'throwing', {
      id: 'thrower',
      maxTokens: 8_000,
      data: { model: MODEL },
    });
    const outcome = await isolated.done;
    expect(outcome.status).toBe('crashed');
    const error = (outcome as { error: Error & { code?: string } }).error;
    expect(error).toMatchObject({
      name: 'RangeError',
      message: 'agent logic failed',
      code: 'E_AGENT_LOGIC',
    });
    expect(isolated.agent.state).toBe('killed');
    expect(signals.at(-1)).toMatchObject({
      agentId: 'thrower',
      signal: 'SIGKILL',
      reason: 'crashed: agent logic failed',
    });
    const status = kernel.status();
    expect(status.reservations).toBe(0);
    expect(status.agents['thrower']).toBeUndefined();
    expect(status.pool).toMatchObject({ available: 100_000 - 300, spent: 300 });
    expect(conserved(kernel)).toBe(true);
  });

  test('an agent that exits its thread ends as exited with WORKER_FAILED; its window is reclaimed', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'exiting', {
      id: 'quitter',
      maxTokens: 8_000,
      data: { model: MODEL },
    });
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({
      status: 'exited',
      exitCode: 3,
      error: { code: 'WORKER_FAILED' },
    });
    expect(isolated.agent.state).toBe('killed');
    expect(kernel.status().reservations).toBe(0);
    expect(kernel.status().pool.available).toBe(100_000);
    expect(conserved(kernel)).toBe(true);
  });

  test('an agent past its heap limit dies with ERR_WORKER_OUT_OF_MEMORY; its window is reclaimed', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'allocating', {
      id: 'hog',
      maxTokens: 8_000,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
      data: { model: MODEL },
    });
    const outcome = await isolated.done;
    expect(outcome).toMatchObject({
      status: 'crashed',
      error: { code: 'ERR_WORKER_OUT_OF_MEMORY' },
    });
    expect(isolated.agent.state).toBe('killed');
    expect(kernel.status().reservations).toBe(0);
    expect(kernel.status().pool.available).toBe(100_000);
    expect(conserved(kernel)).toBe(true);
  });

  test('releasing the agent from the main thread ends its worker', async () => {
    const { kernel } = makeKernel();
    const isolated = await spawn(kernel, 'spinning', {
      id: 'spin',
      maxTokens: 8_000,
      data: { model: MODEL },
    });
    await nextRecord(kernel, 'spin');
    isolated.agent.release();
    expect(await isolated.done).toEqual({ status: 'killed', reason: 'released' });
    expect(conserved(kernel)).toBe(true);
  });
});
