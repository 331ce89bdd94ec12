import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentCore } from '../../src/agents/agent-core.js';
import { ReservationCore } from '../../src/agents/reservation-core.js';
import type { ResolvedPrice } from '../../src/pricing/resolved-price.js';
import { ReservationBook } from '../../src/kernel/reservation-book.js';
import { FakeClock } from '../helpers/fake-clock.js';

// The book lives in src/kernel; its test is here with the other hot-path structures' tests.

type Op =
  | { kind: 'take'; agent: number; ttl: number; count: number }
  | { kind: 'settle'; pick: number }
  | { kind: 'release'; agent: number }
  | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('take' as const),
      agent: fc.integer({ min: 0, max: 2 }),
      // Mostly one TTL (the kernel's default), sometimes shorter or longer ones.
      ttl: fc.oneof(fc.constant(1_000), fc.integer({ min: 1, max: 3_000 })),
      // Up to a few hundred at once, so that batches fill up between sweeps.
      count: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 100, max: 400 })),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      agent: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.integer({ min: 0, max: 1_500 }),
    }),
  },
);

function listOf(agent: AgentCore): ReservationCore[] {
  const out: ReservationCore[] = [];
  for (let r = agent.firstReservation; r !== undefined; r = r.agentNext) out.push(r);
  return out;
}

describe('ReservationBook', () => {
  it('expires exactly the open reservations that are due, earliest first (ties in order taken), and lists each agent’s open ones', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const clock = new FakeClock();
        const expired: ReservationCore[] = [];
        const book = new ReservationBook(clock, (r) => {
          r.state = 'expired';
          expired.push(r);
        });
        const agents = [0, 1, 2].map(() => ({ firstReservation: undefined }) as AgentCore);
        const price = {} as ResolvedPrice;
        /** The reference: open reservations in the order taken. */
        let open: ReservationCore[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'take') {
            for (let i = 0; i < o.count; i++) {
              const r = new ReservationCore(
                ++seq,
                agents[o.agent]!,
                'm',
                price,
                1,
                1,
                0,
                [],
                clock.now() + o.ttl,
              );
              book.add(r);
              open.push(r);
            }
          } else if (o.kind === 'settle') {
            if (open.length === 0) continue;
            const r = open[o.pick % open.length]!;
            book.remove(r);
            r.state = 'committed';
            open = open.filter((x) => x !== r);
          } else if (o.kind === 'release') {
            const agent = agents[o.agent]!;
            for (let r = agent.firstReservation; r !== undefined; r = agent.firstReservation) {
              book.remove(r);
              r.state = 'released';
            }
            open = open.filter((x) => x.agent !== agent);
          } else {
            const before = expired.length;
            clock.advance(o.ms);
            const due = open
              .map((r, i) => ({ r, i }))
              .filter(({ r }) => r.expiresAt <= clock.now())
              .sort((a, b) => a.r.expiresAt - b.r.expiresAt || a.i - b.i)
              .map(({ r }) => r);
            expect(expired.slice(before)).toEqual(due);
            open = open.filter((r) => r.state === 'open');
          }
          expect(book.size).toBe(open.length);
          for (const agent of agents) {
            const listed = listOf(agent);
            expect(new Set(listed)).toEqual(new Set(open.filter((r) => r.agent === agent)));
            expect(listed).toHaveLength(open.filter((r) => r.agent === agent).length);
          }
        }
        // Everything still open expires once its time has come.
        const before = expired.length;
        clock.advance(10_000);
        expect(new Set(expired.slice(before))).toEqual(new Set(open));
        expect(book.size).toBe(0);
      }),
      { numRuns: 150, seed: 20261122 },
    );
  });
});
