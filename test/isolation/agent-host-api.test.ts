import { describe, expect, test } from 'vitest';
import type { GovernedAgent } from '../../src/agents/governed-agent.js';
import { AgentHostApi, type AgentHostApiOptions } from '../../src/isolation/agent-host-api.js';
import type { Envelope, ReservationTicket } from '../../src/isolation/isolated-protocol.js';
import { MAX_BATCH } from '../../src/isolation/isolated-protocol.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const MODEL = 'test-small';

function setup(
  options: Partial<AgentHostApiOptions> = {},
  agentFor?: (a: GovernedAgent) => GovernedAgent,
) {
  const k = makeKernel();
  const agent = k.kernel.spawn({ id: 'iso', maxTokens: 10_000, model: MODEL });
  const blocked: string[] = [];
  const refused: string[] = [];
  const api = new AgentHostApi(agentFor === undefined ? agent : agentFor(agent), {
    onStop: 'wait',
    callTimeoutMs: undefined,
    maxTtlMs: 60_000,
    invoke: undefined,
    clock: k.clock,
    onBlocked: (m) => blocked.push(m),
    onRefused: (m) => refused.push(m),
    ...options,
  });
  return { ...k, agent, api, blocked, refused };
}

function value<T>(answer: Envelope<T> | Promise<Envelope<T>>): T {
  if (answer instanceof Promise) throw new Error('expected a synchronous answer');
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.value;
}

function code(answer: Envelope<unknown> | Promise<Envelope<unknown>>): string | undefined {
  if (answer instanceof Promise) throw new Error('expected a synchronous answer');
  return answer.ok ? undefined : answer.error.code;
}

describe('AgentHostApi', () => {
  test('reserve gives a ticket; commit settles it once, by id', () => {
    const { api, kernel } = setup();
    const t = value(api.reserve({ inputTokens: 100, maxOutputTokens: 50 }));
    expect(t).toMatchObject({ model: MODEL, inputTokens: 100, maxOutputTokens: 50, tokens: 150 });
    expect(api.held).toBe(1);
    const record = value(api.commit(t.id, { inputTokens: 80, outputTokens: 10 }));
    expect(record).toMatchObject({
      agentId: 'iso',
      reservationId: t.id,
      usage: { inputTokens: 80 },
    });
    expect(api.held).toBe(0);
    expect(code(api.commit(t.id, { inputTokens: 1, outputTokens: 1 }))).toBe('INVALID_ARGUMENT');
    expect(kernel.status().agents['iso']).toMatchObject({ used: 90, reserved: 0 });
  });

  test("another agent's reservation id is unknown here; that reservation stays open", () => {
    const { api, kernel } = setup();
    const other = kernel.spawn({ id: 'other', maxTokens: 5_000, model: MODEL });
    const r = other.reserve({ inputTokens: 10, maxOutputTokens: 10 });
    expect(code(api.commit(r.id, { inputTokens: 0, outputTokens: 0 }))).toBe('INVALID_ARGUMENT');
    expect(code(api.cancel(r.id))).toBe('INVALID_ARGUMENT');
    expect(r.state).toBe('open');
  });

  test('ttlMs is capped at maxTtlMs', () => {
    const { api, clock } = setup();
    expect(code(api.reserve({ inputTokens: 1, maxOutputTokens: 1, ttlMs: 60_001 }))).toBe(
      'INVALID_ARGUMENT',
    );
    const t = value(api.reserve({ inputTokens: 1, maxOutputTokens: 1, ttlMs: 60_000 }));
    expect(t.expiresAt).toBe(clock.now() + 60_000);
  });

  test('an expired reservation is released by the kernel; a late commit still books the usage', () => {
    const { api, clock, kernel } = setup();
    const t = value(api.reserve({ inputTokens: 100, maxOutputTokens: 100, ttlMs: 1_000 }));
    clock.advance(1_001);
    expect(kernel.status().agents['iso']).toMatchObject({ reserved: 0 });
    value(api.commit(t.id, { inputTokens: 100, outputTokens: 3 }));
    expect(kernel.status().agents['iso']).toMatchObject({ used: 103 });
  });

  test('status reports only the agent itself', () => {
    const { api } = setup();
    expect(Object.keys(value(api.status())).sort()).toEqual([
      'id',
      'runnable',
      'state',
      'stopCauses',
      'window',
    ]);
    expect(code(api.status('other'))).toBe('INVALID_ARGUMENT');
  });

  test('batch runs operations in order; a refused one does not stop the rest', () => {
    const { api, refused } = setup();
    const results = value(
      api.batch([
        { op: 'reserve', request: { inputTokens: 10, maxOutputTokens: 10 } },
        { op: 'reserve', request: { inputTokens: 10, maxOutputTokens: 10, agentId: 'x' } as never },
        { op: 'record', usage: { inputTokens: 5, outputTokens: 5 } },
        { op: 'grant' } as never,
      ]),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'INVALID_ARGUMENT',
      'ok',
      'INVALID_ARGUMENT',
    ]);
    const ticket = (results[0] as { value: ReservationTicket }).value;
    const settled = value(
      api.batch([
        { op: 'commit', id: ticket.id, usage: { inputTokens: 10, outputTokens: 1 } },
        { op: 'cancel', id: ticket.id },
      ]),
    );
    expect(settled.map((r) => r.ok)).toEqual([true, false]);
    expect(refused).toEqual(['reserve', 'batch', 'cancel']);
    expect(
      code(api.batch(Array.from({ length: MAX_BATCH + 1 }, () => ({ op: 'cancel', id: 'r1' })))),
    ).toBe('INVALID_ARGUMENT');
  });

  test('while stopped, reserve waits and reports blocked; it goes through on resume', async () => {
    const { api, kernel, blocked } = setup();
    kernel.stop('iso');
    const answer = api.reserve({ inputTokens: 10, maxOutputTokens: 10 });
    expect(answer).toBeInstanceOf(Promise);
    expect(blocked).toEqual(['reserve']);
    expect(kernel.status().reservations).toBe(0);
    kernel.resume('iso');
    expect(await answer).toMatchObject({ ok: true, value: { tokens: 20 } });
  });

  test('a waiting call is answered AGENT_RELEASED when the API closes', async () => {
    const { api, kernel } = setup();
    kernel.stop('iso');
    const answer = api.reserve({ inputTokens: 10, maxOutputTokens: 10 });
    api.close();
    expect(await answer).toMatchObject({ ok: false, error: { code: 'AGENT_RELEASED' } });
  });

  test('a record whose wait times out says it was booked', async () => {
    const { api, kernel, clock } = setup({ callTimeoutMs: 100 });
    kernel.stop('iso');
    const answer = api.record({ inputTokens: 10, outputTokens: 0 });
    clock.advance(100);
    const settled = await answer;
    expect(settled).toMatchObject({
      ok: false,
      error: { code: 'AGENT_NOT_RUNNABLE', details: { recordSeq: 1 } },
    });
    expect(kernel.status().agents['iso']).toMatchObject({ used: 10 });
  });

  test('has no call method without an invoke', () => {
    const { api } = setup();
    expect(api.methods).not.toContain('call');
    expect(code(api.call({ messages: [] }))).toBe('INVALID_ARGUMENT');
  });

  test("forwards call to the kernel's governed call with the spawner's invoke, refusing other options", async () => {
    const seen: unknown[] = [];
    const invoke = async () => ({ output: 'hi' });
    // The kernel's `agent.call(request, invoke, options)`, as the call path defines it.
    const withCall = (agent: GovernedAgent): GovernedAgent =>
      new Proxy(agent, {
        get(target, prop) {
          if (prop === 'call')
            return async (request: unknown, fn: unknown, options: { signal?: AbortSignal }) => {
              seen.push({
                request,
                sameInvoke: fn === invoke,
                signal: options.signal instanceof AbortSignal,
                options,
              });
              return { output: 'hi', usage: { inputTokens: 3, outputTokens: 1 }, cached: false };
            };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const { api } = setup({ invoke }, withCall);
    expect(api.methods).toContain('call');
    const answer = await api.call(
      { messages: [{ role: 'user', content: 'hello' }] },
      { cache: false },
    );
    expect(answer).toMatchObject({ ok: true, value: { output: 'hi', cached: false } });
    expect(seen).toMatchObject([{ sameInvoke: true, signal: true, options: { cache: false } }]);
    expect(code(await api.call({ messages: [] }, { cacheScope: 'tenant-b' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(await api.call({ messages: [] }, { cache: 'force' }))).toBe('INVALID_ARGUMENT');
    expect(code(await api.call({ messages: [] }, { downgrade: false }))).toBe('INVALID_ARGUMENT');
    expect(seen).toHaveLength(1);
  });
});
