import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AgentHostApi } from '../../src/isolation/agent-host-api.js';
import type { Envelope } from '../../src/isolation/isolated-protocol.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const MODEL = 'test-small';
const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
];
const REQUEST_KEYS = ['model', 'inputTokens', 'maxOutputTokens', 'ttlMs'];
const MAX_TTL = 60_000;

const count = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The oracle: what the public API accepts as a usage, with no key beyond the five counts. */
function validUsage(u: Record<string, unknown>): boolean {
  if (Object.keys(u).some((k) => !USAGE_KEYS.includes(k))) return false;
  if (!count(u['inputTokens']) || !count(u['outputTokens'])) return false;
  for (const k of USAGE_KEYS.slice(2)) if (u[k] !== undefined && !count(u[k])) return false;
  const cached = ((u['cacheReadTokens'] as number) ?? 0) + ((u['cacheWriteTokens'] as number) ?? 0);
  return cached <= u['inputTokens'] && ((u['reasoningTokens'] as number) ?? 0) <= u['outputTokens'];
}

function validRequest(r: Record<string, unknown>, free: number): boolean {
  if (Object.keys(r).some((k) => !REQUEST_KEYS.includes(k))) return false;
  if (r['model'] !== undefined && r['model'] !== MODEL) return false;
  if (!count(r['inputTokens']) || !count(r['maxOutputTokens'])) return false;
  if (r['ttlMs'] !== undefined && !(count(r['ttlMs']) && r['ttlMs'] > 0 && r['ttlMs'] <= MAX_TTL))
    return false;
  return r['inputTokens'] + r['maxOutputTokens'] <= free;
}

const countish = fc.oneof(
  fc.nat({ max: 2_000 }),
  fc.integer({ min: -2_000, max: -1 }),
  fc.double({ noNaN: false }),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.constant(undefined),
);
const extraKey = fc.constantFrom('agentId', 'userId', 'refund', 'limit', 'taskId', '__proto__x');

function shaped(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(Object.fromEntries(keys.map((k) => [k, countish])), { requiredKeys: [] }),
      fc.option(fc.tuple(extraKey, countish), { nil: undefined }),
    )
    .map(([base, extra]) => (extra === undefined ? base : { ...base, [extra[0]]: extra[1] }));
}

const validUsageArb = fc
  .record({ inputTokens: fc.nat({ max: 2_000 }), outputTokens: fc.nat({ max: 2_000 }) })
  .chain(({ inputTokens, outputTokens }) =>
    fc.record(
      {
        inputTokens: fc.constant(inputTokens),
        outputTokens: fc.constant(outputTokens),
        cacheReadTokens: fc.nat({ max: Math.floor(inputTokens / 2) }),
        cacheWriteTokens: fc.nat({ max: Math.floor(inputTokens / 2) }),
        reasoningTokens: fc.nat({ max: outputTokens }),
      },
      { requiredKeys: ['inputTokens', 'outputTokens'] },
    ),
  );
const validRequestArb = fc.record(
  {
    model: fc.constant(MODEL),
    inputTokens: fc.nat({ max: 6_000 }),
    maxOutputTokens: fc.nat({ max: 6_000 }),
    ttlMs: fc.integer({ min: 1, max: MAX_TTL }),
  },
  { requiredKeys: ['inputTokens', 'maxOutputTokens'] },
);

/** Half well-formed (so the accepting branch is exercised), half arbitrary. */
const usages = fc.oneof(validUsageArb as fc.Arbitrary<Record<string, unknown>>, shaped(USAGE_KEYS));
const requests = fc.oneof(
  validRequestArb as fc.Arbitrary<Record<string, unknown>>,
  shaped(REQUEST_KEYS),
);

function setup() {
  const { kernel, clock } = makeKernel();
  const agent = kernel.spawn({ id: 'iso', maxTokens: 10_000, model: MODEL });
  const api = new AgentHostApi(agent, {
    onStop: 'reject',
    callTimeoutMs: undefined,
    maxTtlMs: MAX_TTL,
    invoke: undefined,
    clock,
    onBlocked: () => undefined,
    onRefused: () => undefined,
  });
  return { kernel, agent, api };
}

function sync<T>(answer: Envelope<T> | Promise<Envelope<T>>): Envelope<T> {
  if (answer instanceof Promise) throw new Error('expected a synchronous answer');
  return answer;
}

describe('the boundary, for any input', () => {
  test('record books exactly the valid usages; anything else is INVALID_ARGUMENT and changes nothing', () => {
    fc.assert(
      fc.property(usages, (usage) => {
        const { kernel, api } = setup();
        const before = kernel.status();
        const answer = sync(api.record(usage));
        if (validUsage(usage)) {
          expect(answer.ok).toBe(true);
          const total = (usage['inputTokens'] as number) + (usage['outputTokens'] as number);
          expect(kernel.status().agents['iso']?.used).toBe(total);
        } else {
          expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
          const after = kernel.status();
          expect(after.agents).toEqual(before.agents);
          expect(after.records).toBe(before.records);
        }
      }),
      { numRuns: 300, seed: 20_260_105 },
    );
  });

  test('reserve holds exactly what a valid request asks; anything else changes nothing', () => {
    fc.assert(
      fc.property(requests, (request) => {
        const { kernel, api } = setup();
        const free = kernel.status().agents['iso']?.free as number;
        const answer = sync(api.reserve(request));
        if (validRequest(request, free)) {
          expect(answer.ok).toBe(true);
          const held = (request['inputTokens'] as number) + (request['maxOutputTokens'] as number);
          expect(kernel.status().agents['iso']?.reserved).toBe(held);
        } else {
          expect(answer.ok).toBe(false);
          expect(kernel.status().agents['iso']?.reserved).toBe(0);
          expect(kernel.status().reservations).toBe(0);
        }
      }),
      { numRuns: 300, seed: 20_260_106 },
    );
  });
});
