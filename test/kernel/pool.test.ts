import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { makeKernel, names } from '../helpers/kernel-fixture.js';

function conserved(k: ReturnType<typeof makeKernel>['kernel']): void {
  const { pool } = k.status();
  expect(pool.available + pool.allocated + pool.spent).toBe(pool.total);
}

describe('allocation', () => {
  it('grants exactly maxTokens when the pool covers it', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 20_000 });
    expect(a.state).toBe('active');
    expect(a.window.total).toBe(20_000);
    expect(kernel.status().pool.available).toBe(80_000);
    conserved(kernel);
  });

  it('grants a priority share of what is available, at least the priority minimum', () => {
    const { kernel } = makeKernel({ totalBudget: 100_000 });
    expect(kernel.spawn({ id: 'h', priority: 'high' }).window.total).toBe(50_000);
    expect(kernel.spawn({ id: 'n' }).window.total).toBe(12_500);
    expect(kernel.spawn({ id: 'l', priority: 'low' }).window.total).toBe(3_750);
    const { kernel: small } = makeKernel({ totalBudget: 3_000 });
    expect(small.spawn({ id: 'l', priority: 'low' }).window.total).toBe(500);
  });

  it('queues an agent when the pool cannot cover it and admits it when tokens return', async () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 8_000 });
    const b = kernel.spawn({ id: 'b', maxTokens: 5_000 });
    expect(b.state).toBe('waiting');
    expect(kernel.status().waiting).toEqual(['b']);
    expect(() => b.reserve({ model: 'test-small', inputTokens: 1, maxOutputTokens: 1 })).toThrow(
      /waiting/,
    );
    const runnable = b.whenRunnable();
    a.record({ inputTokens: 1_000, outputTokens: 0 }, { model: 'test-small' });
    expect(a.release()).toBe(7_000);
    await runnable;
    expect(b.state).toBe('active');
    expect(b.window.total).toBe(5_000);
    expect(kernel.status().pool).toMatchObject({
      available: 4_000,
      spent: 1_000,
      allocated: 5_000,
    });
    conserved(kernel);
  });

  it('serves the queue by priority, then first come first served', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    kernel.spawn({ id: 'low', priority: 'low', maxTokens: 3_000 });
    kernel.spawn({ id: 'n1', maxTokens: 3_000 });
    kernel.spawn({ id: 'n2', maxTokens: 3_000 });
    kernel.spawn({ id: 'hi', priority: 'high', maxTokens: 3_000 });
    expect(kernel.status().waiting).toEqual(['hi', 'n1', 'n2', 'low']);
    a.release();
    expect(kernel.status().waiting).toEqual(['low']);
    expect(kernel.agent('low').state).toBe('waiting');
  });

  it('rejects with POOL_EXHAUSTED in reject mode and leaves state unchanged', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000, onExhausted: 'reject' });
    kernel.spawn({ id: 'a', maxTokens: 9_500 });
    const before = kernel.status();
    expect(() => kernel.spawn({ id: 'b' })).toThrow(
      expect.objectContaining({ code: 'POOL_EXHAUSTED' }),
    );
    expect(kernel.has('b')).toBe(false);
    expect(kernel.status()).toEqual(before);
  });

  it('rejects a window larger than the whole pool instead of queueing forever', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    expect(() => kernel.spawn({ id: 'big', maxTokens: 10_001 })).toThrow(
      expect.objectContaining({ code: 'POOL_EXHAUSTED' }),
    );
    expect(kernel.has('big')).toBe(false);
  });

  it('refuses a live duplicate id and an unknown id', () => {
    const { kernel } = makeKernel();
    kernel.spawn({ id: 'a', maxTokens: 1_000 });
    expect(() => kernel.spawn({ id: 'a', maxTokens: 1_000 })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_AGENT' }),
    );
    expect(() => kernel.agent('zz')).toThrow(expect.objectContaining({ code: 'UNKNOWN_AGENT' }));
    expect(kernel.agent('a')).toBe(kernel.agent('a'));
  });
});

describe('the pool is a spend budget', () => {
  it('returns only the unused remainder on release, so allocate/release loops cannot spend without limit', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    let cycles = 0;
    for (;;) {
      let a;
      try {
        a = kernel.spawn({ id: `a${cycles}`, maxTokens: 1_000 });
      } catch {
        break;
      }
      if (a.state === 'waiting') {
        a.release();
        break;
      }
      a.record({ inputTokens: 1_000, outputTokens: 0 }, { model: 'test-small' });
      a.release();
      cycles++;
    }
    expect(cycles).toBe(10);
    expect(kernel.status().pool).toMatchObject({ available: 0, spent: 10_000 });
  });

  it('counts record() overshoot separately so conservation stays exact', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    a.record({ inputTokens: 1_500, outputTokens: 0 }, { model: 'test-small' });
    expect(a.state).toBe('stopped');
    expect(a.window.used).toBe(1_500);
    a.release();
    expect(kernel.status().pool).toMatchObject({ available: 9_000, spent: 1_000, overshoot: 500 });
    conserved(kernel);
  });
});

describe('critical preemption', () => {
  it('reclaims the free part of low, then normal windows, with SIGWARN or SIGSTOP', () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const low = kernel.spawn({ id: 'low', priority: 'low', maxTokens: 3_000 });
    const normal = kernel.spawn({ id: 'normal', maxTokens: 6_000 });
    low.record({ inputTokens: 1_000, outputTokens: 0 }, { model: 'test-small' });
    const crit = kernel.spawn({ id: 'crit', priority: 'critical', maxTokens: 5_000 });
    expect(crit.state).toBe('active');
    expect(low.window).toMatchObject({ total: 1_000, used: 1_000, free: 0, preempted: 2_000 });
    expect(low.state).toBe('stopped');
    expect(normal.window).toMatchObject({ total: 4_000, preempted: 2_000 });
    expect(names(signals)).toEqual(['low:SIGWARN', 'low:SIGSTOP', 'normal:SIGWARN']);
    expect(low.stopCauses).toEqual(['window']);
    conserved(kernel);
  });

  it('restores preempted tokens first when the pool is replenished, with SIGRESUME', () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const low = kernel.spawn({ id: 'low', priority: 'low', maxTokens: 6_000 });
    kernel.spawn({ id: 'crit', priority: 'critical', maxTokens: 10_000 });
    expect(low.state).toBe('stopped');
    kernel.replenish(6_000);
    expect(low.state).toBe('active');
    expect(low.window.total).toBe(6_000);
    expect(names(signals)).toEqual(['low:SIGSTOP', 'low:SIGRESUME']);
    conserved(kernel);
  });

  it('does not preempt at all when even all free tokens would not be enough', () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const low = kernel.spawn({ id: 'low', priority: 'low', maxTokens: 6_000 });
    low.reserve({ model: 'test-small', inputTokens: 5_000, maxOutputTokens: 0 });
    const crit = kernel.spawn({ id: 'crit', priority: 'critical', maxTokens: 6_000 });
    expect(crit.state).toBe('waiting');
    expect(low.window.total).toBe(6_000);
    expect(signals).toEqual([]);
  });
});

describe('sub-agents', () => {
  it('carve their window from the parent and return the unused part to it', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const parent = kernel.spawn({ id: 'p', maxTokens: 5_000, userId: 'u1', task: 't' });
    const child = parent.spawn({ id: 'c', maxTokens: 2_000 });
    expect(child.parentId).toBe('p');
    expect(child.userId).toBe('u1');
    expect(parent.window).toMatchObject({ total: 5_000, reserved: 2_000, free: 3_000 });
    child.record({ inputTokens: 500, outputTokens: 100 }, { model: 'test-small' });
    expect(child.release()).toBe(1_400);
    expect(parent.window).toMatchObject({ total: 5_000, used: 600, reserved: 0, free: 4_400 });
    conserved(kernel);
  });

  it('refuses a child larger than the parent has free', () => {
    const { kernel } = makeKernel();
    const parent = kernel.spawn({ id: 'p', maxTokens: 1_000 });
    expect(() => parent.spawn({ id: 'c', maxTokens: 2_000 })).toThrow(
      expect.objectContaining({ code: 'POOL_EXHAUSTED' }),
    );
    expect(kernel.has('c')).toBe(false);
    expect(parent.window.reserved).toBe(0);
  });

  it('releases children with their parent', () => {
    const { kernel } = makeKernel({ totalBudget: 10_000 });
    const parent = kernel.spawn({ id: 'p', maxTokens: 5_000 });
    const child = parent.spawn({ id: 'c', maxTokens: 2_000 });
    const grandchild = child.spawn({ id: 'g', maxTokens: 500 });
    grandchild.record({ inputTokens: 100, outputTokens: 0 }, { model: 'test-small' });
    parent.release();
    expect([parent.state, child.state, grandchild.state]).toEqual([
      'released',
      'released',
      'released',
    ]);
    expect(kernel.status().pool).toMatchObject({ available: 9_900, spent: 100, allocated: 0 });
  });
});

describe('grant, stop, resume and release', () => {
  it('grant moves pool tokens into a window and resumes a stopped agent', () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    a.record({ inputTokens: 1_000, outputTokens: 0 }, { model: 'test-small' });
    expect(a.state).toBe('stopped');
    kernel.grant('a', 4_000);
    expect(a.state).toBe('active');
    expect(a.window.total).toBe(5_000);
    expect(names(signals)).toEqual(['a:SIGWARN', 'a:SIGSTOP', 'a:SIGRESUME']);
    expect(() => kernel.grant('a', 6_000)).toThrow(
      expect.objectContaining({ code: 'POOL_EXHAUSTED' }),
    );
    conserved(kernel);
  });

  it('stop and resume by hand', () => {
    const { kernel, signals } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    kernel.stop('a', 'maintenance');
    expect(a.state).toBe('stopped');
    expect(a.stopCauses).toEqual(['manual']);
    expect(() => a.reserve({ model: 'test-small', inputTokens: 1, maxOutputTokens: 1 })).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_RUNNABLE' }),
    );
    expect(kernel.resume('a')).toBe(true);
    expect(names(signals)).toEqual(['a:SIGSTOP', 'a:SIGRESUME']);
    expect(signals[0]?.reason).toBe('maintenance');
  });

  it('release is idempotent and a released agent cannot act', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    expect(a.release()).toBe(1_000);
    expect(a.release()).toBe(0);
    expect(a.state).toBe('released');
    expect(kernel.has('a')).toBe(false);
    expect(() => a.record({ inputTokens: 1, outputTokens: 1 }, { model: 'test-small' })).toThrow(
      expect.objectContaining({ code: 'AGENT_RELEASED' }),
    );
    expect(() => a.reserve({ model: 'test-small', inputTokens: 1, maxOutputTokens: 1 })).toThrow(
      expect.objectContaining({ code: 'AGENT_RELEASED' }),
    );
  });

  it('kill delivers SIGKILL and reclaims the window', async () => {
    const { kernel, signals } = makeKernel({ totalBudget: 10_000 });
    const a = kernel.spawn({ id: 'a', maxTokens: 4_000 });
    a.reserve({ model: 'test-small', inputTokens: 1_000, maxOutputTokens: 0 });
    a.record({ inputTokens: 500, outputTokens: 0 }, { model: 'test-small' });
    await kernel.kill('a');
    expect(a.state).toBe('killed');
    expect(names(signals)).toEqual(['a:SIGKILL']);
    expect(kernel.status().pool).toMatchObject({ available: 9_500, spent: 500 });
  });

  it('whenRunnable rejects on abort, on release and on close', async () => {
    const { kernel } = makeKernel({ totalBudget: 1_000 });
    kernel.spawn({ id: 'a', maxTokens: 1_000 });
    const b = kernel.spawn({ id: 'b', maxTokens: 1_000 });
    const controller = new AbortController();
    const aborted = b.whenRunnable({ signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    const released = b.whenRunnable();
    b.release();
    await expect(released).rejects.toMatchObject({ code: 'AGENT_RELEASED' });
    const c = kernel.spawn({ id: 'c', maxTokens: 1_000 });
    const closed = c.whenRunnable();
    await kernel.close();
    await expect(closed).rejects.toSatisfy((e: unknown) => isKernelError(e, 'KERNEL_CLOSED'));
    expect(() => kernel.spawn({ id: 'd' })).toThrow(
      expect.objectContaining({ code: 'KERNEL_CLOSED' }),
    );
  });
});
