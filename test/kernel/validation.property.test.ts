import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../../src/kernel/kernel.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

/** Values that are never a valid token count. */
const badTokens = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, 1e300),
  fc.string(),
  fc.constantFrom(null, undefined, true, {}, [], 10n),
);

/** Values that are never a valid id. */
const badId = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 257, maxLength: 300 }),
  fc.integer(),
  fc.constantFrom(null, undefined, {}, [], true),
);

type Scenario = (k: ReturnType<typeof makeKernel>, bad: unknown) => unknown;

const scenarios: Array<[string, fc.Arbitrary<unknown>, Scenario]> = [
  [
    'reserve.inputTokens',
    badTokens,
    (k, bad) =>
      k.kernel
        .agent('a')
        .reserve({ model: 'test-small', inputTokens: bad as number, maxOutputTokens: 10 }),
  ],
  [
    'reserve.maxOutputTokens',
    badTokens,
    (k, bad) =>
      k.kernel
        .agent('a')
        .tryReserve({ model: 'test-small', inputTokens: 10, maxOutputTokens: bad as number }),
  ],
  [
    'reserve.model',
    badId,
    (k, bad) =>
      k.kernel.agent('a').reserve({ model: bad as string, inputTokens: 10, maxOutputTokens: 10 }),
  ],
  [
    'reserve.ttlMs',
    badTokens.filter((v) => v !== undefined),
    (k, bad) =>
      k.kernel.agent('a').reserve({
        model: 'test-small',
        inputTokens: 10,
        maxOutputTokens: 10,
        ttlMs: bad as number,
      }),
  ],
  [
    'commit.inputTokens',
    badTokens,
    (k, bad) =>
      k.kernel
        .agent('a')
        .reserve({ model: 'test-small', inputTokens: 10, maxOutputTokens: 10 })
        .commit({ inputTokens: bad as number, outputTokens: 1 }),
  ],
  [
    'record.outputTokens',
    badTokens,
    (k, bad) =>
      k.kernel
        .agent('a')
        .record({ inputTokens: 1, outputTokens: bad as number }, { model: 'test-small' }),
  ],
  [
    'record.cacheReadTokens',
    badTokens.filter((v) => v !== undefined),
    (k, bad) =>
      k.kernel
        .agent('a')
        .record(
          { inputTokens: 100, outputTokens: 1, cacheReadTokens: bad as number },
          { model: 'test-small' },
        ),
  ],
  ['grant.tokens', badTokens, (k, bad) => k.kernel.grant('a', bad as number)],
  ['replenish.tokens', badTokens, (k, bad) => k.kernel.replenish(bad as number)],
  [
    'spawn.maxTokens',
    badTokens.filter((v) => v !== undefined),
    (k, bad) => k.kernel.spawn({ id: 'new', maxTokens: bad as number }),
  ],
  ['spawn.id', badId, (k, bad) => k.kernel.spawn({ id: bad as string })],
  [
    'spawn.priority',
    fc.string(),
    (k, bad) => k.kernel.spawn({ id: 'new', priority: bad as 'low' }),
  ],
  [
    'child.maxTokens',
    badTokens.filter((v) => v !== undefined),
    (k, bad) => k.kernel.agent('a').spawn({ id: 'child', maxTokens: bad as number }),
  ],
  ['grant.id', badId, (k, bad) => k.kernel.grant(bad as string, 10)],
  [
    'headroom.inputTokens',
    badTokens,
    (k, bad) => k.kernel.agent('a').headroom({ model: 'test-small', inputTokens: bad as number }),
  ],
  ['usage.by', fc.string(), (k, bad) => k.kernel.usage({ by: bad as 'agent' })],
];

describe('invalid input', () => {
  for (const [name, arb, run] of scenarios) {
    it(`rejects a bad ${name} with INVALID_ARGUMENT and leaves state unchanged`, () => {
      fc.assert(
        fc.property(arb, (bad) => {
          const k = makeKernel({
            totalBudget: 50_000,
            limits: [{ scope: 'user', tokens: 20_000 }],
          });
          const a = k.kernel.spawn({ id: 'a', maxTokens: 10_000, userId: 'u' });
          a.record({ inputTokens: 100, outputTokens: 10 }, { model: 'test-small' });
          const before = JSON.stringify(k.kernel.status());
          const records = k.kernel.records().length;
          let thrown: unknown;
          try {
            run(k, bad);
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toMatchObject({
            code: 'INVALID_ARGUMENT',
            message: expect.stringMatching(/^Expected `.+` to be .+, got .+/),
          });
          // The commit scenario reserves first; that open reservation is the only difference allowed.
          const after = k.kernel.status();
          if (name === 'commit.inputTokens') expect(after.reservations).toBe(1);
          else expect(JSON.stringify(after)).toBe(before);
          expect(k.kernel.records()).toHaveLength(records);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('rejects bad kernel options naming the option', () => {
    const bad: Array<Record<string, unknown>> = [
      { totalBudget: 0 },
      { totalBudget: -1 },
      { totalBudget: 1.5 },
      { totalBudget: 100, warnThresholds: [1.2] },
      { totalBudget: 100, onExhausted: 'wait' },
      { totalBudget: 100, timeZone: 'Mars/Olympus' },
      { totalBudget: 100, lookupRatio: 2 },
      { totalBudget: 100, reservationTtlMs: 0 },
      { totalBudget: 100, userTiers: { a: 'gold' } },
      { totalBudget: 100, surprise: true },
    ];
    for (const options of bad) {
      expect(() => createKernel(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});
