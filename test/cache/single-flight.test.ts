import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/cache/single-flight.js';
import { isKernelError } from '../../src/errors.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one upstream call for concurrent identical keys and shares its value', async () => {
    const flights = new SingleFlight<string>();
    const upstream = deferred<string>();
    let calls = 0;
    const fn = (): Promise<string> => {
      calls++;
      return upstream.promise;
    };
    const runs = [flights.run('k', fn), flights.run('k', fn), flights.run('k', fn)];
    expect(flights.size).toBe(1);
    upstream.resolve('answer');
    const results = await Promise.all(runs);
    expect(calls).toBe(1);
    expect(results).toEqual([
      { value: 'answer', shared: false },
      { value: 'answer', shared: true },
      { value: 'answer', shared: true },
    ]);
    expect(flights.size).toBe(0);
  });

  it('keeps different keys independent', async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    const [a, b] = await Promise.all([
      flights.run('a', async () => ++calls),
      flights.run('b', async () => ++calls),
    ]);
    expect(calls).toBe(2);
    expect(a.shared || b.shared).toBe(false);
  });

  it('shares a rejection with every waiter and does not remember it', async () => {
    const flights = new SingleFlight<string>();
    const upstream = deferred<string>();
    let calls = 0;
    const failing = (): Promise<string> => {
      calls++;
      return upstream.promise;
    };
    const first = flights.run('k', failing);
    const second = flights.run('k', failing);
    const boom = new Error('rate limited');
    upstream.reject(boom);
    await expect(first).rejects.toBe(boom);
    await expect(second).rejects.toBe(boom);
    expect(flights.has('k')).toBe(false);
    const retry = await flights.run('k', async () => {
      calls++;
      return 'ok';
    });
    expect(retry).toEqual({ value: 'ok', shared: false });
    expect(calls).toBe(2);
  });

  it('turns a synchronous throw into a shared rejection and frees the key', async () => {
    const flights = new SingleFlight<string>();
    const boom = new Error('sync');
    await expect(
      flights.run('k', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(flights.size).toBe(0);
  });

  it('starts a new call once the previous one settled', async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    await flights.run('k', async () => ++calls);
    const again = await flights.run('k', async () => ++calls);
    expect(again).toEqual({ value: 2, shared: false });
  });

  it('rejects bad arguments with INVALID_ARGUMENT', async () => {
    const flights = new SingleFlight<number>();
    await expect(flights.run('', async () => 1)).rejects.toSatisfy((e: unknown) =>
      isKernelError(e, 'INVALID_ARGUMENT'),
    );
    await expect(flights.run('k', 'nope' as never)).rejects.toThrow(
      'Expected `fn` to be a function, got `"nope"` (string)',
    );
  });

  it('calls upstream once per overlapping group under any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 12 }),
        async (s, keys) => {
          const flights = new SingleFlight<string>();
          const inFlight = new Map<string, number>();
          const calls: string[] = [];
          const results = keys.map((key, i) =>
            s.schedule(Promise.resolve(`caller ${i}`)).then(() =>
              flights.run(key, () => {
                calls.push(key);
                inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
                // Never two upstream calls for one key at the same time.
                expect(inFlight.get(key)).toBe(1);
                return s.schedule(Promise.resolve(`${key}#${calls.length}`)).finally(() => {
                  inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
                });
              }),
            ),
          );
          await s.waitAll();
          const settled = await Promise.all(results);
          // Every caller got the value of the call it started or joined; sharers = callers − calls.
          const sharers = settled.filter((r) => r.shared).length;
          expect(sharers).toBe(keys.length - calls.length);
          for (let i = 0; i < keys.length; i++) {
            expect(settled[i]?.value.startsWith(`${keys[i]}#`)).toBe(true);
          }
          expect(flights.size).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
