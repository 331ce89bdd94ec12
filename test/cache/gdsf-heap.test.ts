import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GdsfHeap } from '../../src/cache/gdsf-heap.js';

interface Item {
  id: number;
  priority: number;
  seq: number;
  heapIndex: number;
}

const item = (id: number, priority: number, seq = id): Item => ({
  id,
  priority,
  seq,
  heapIndex: -1,
});

describe('GdsfHeap', () => {
  it('pops by priority, then by age', () => {
    const heap = new GdsfHeap<Item>();
    for (const it of [item(1, 5), item(2, 1), item(3, 5, 0), item(4, 3)]) heap.push(it);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()].map((i) => i?.id)).toEqual([
      2, 4, 3, 1,
    ]);
    expect(heap.pop()).toBeUndefined();
  });

  it('updates and removes items in place', () => {
    const heap = new GdsfHeap<Item>();
    const items = [item(1, 1), item(2, 2), item(3, 3)];
    for (const it of items) heap.push(it);
    (items[0] as Item).priority = 10;
    heap.update(items[0] as Item);
    expect(heap.peek()?.id).toBe(2);
    expect(heap.remove(items[1] as Item)).toBe(true);
    expect(heap.remove(items[1] as Item)).toBe(false);
    expect((items[1] as Item).heapIndex).toBe(-1);
    expect([heap.pop()?.id, heap.pop()?.id]).toEqual([3, 1]);
  });

  it('behaves like a sorted list under any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), priority: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({
        kind: fc.constant('update' as const),
        pick: fc.nat(),
        priority: fc.integer({ min: 0, max: 20 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new GdsfHeap<Item>();
        let model: Item[] = [];
        let seq = 0;
        const order = (a: Item, b: Item): number => a.priority - b.priority || a.seq - b.seq;
        for (const o of ops) {
          if (o.kind === 'push') {
            const it = item(seq, o.priority, seq++);
            heap.push(it);
            model.push(it);
          } else if (o.kind === 'pop') {
            model.sort(order);
            expect(heap.pop()).toBe(model.shift());
          } else if (model.length > 0) {
            const target = model[o.pick % model.length] as Item;
            if (o.kind === 'remove') {
              expect(heap.remove(target)).toBe(true);
              model = model.filter((m) => m !== target);
            } else {
              target.priority = o.priority;
              target.seq = seq++;
              heap.update(target);
            }
          }
          expect(heap.size).toBe(model.length);
          model.sort(order);
          expect(heap.peek()).toBe(model[0]);
          heap.values().forEach((v, i) => expect(v.heapIndex).toBe(i));
        }
      }),
      { numRuns: 200 },
    );
  });
});
