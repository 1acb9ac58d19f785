import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import { scanByKey } from '../../lib/operators/scan-by-key.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { newTestScheduler } from '../helpers/marbles.js';

interface Count {
  n: number;
  last: number;
}

describe('scanByKey', () => {
  let scheduler: TestScheduler;
  let sizes: number[];
  beforeEach(() => {
    scheduler = newTestScheduler();
    sizes = [];
  });

  /** Counts records per key; a key's state lasts 100 ms of event time after its last record. */
  const counting = () =>
    scanByKey<string, string, Count, string>({
      keyOf: (v) => v,
      seed: () => ({ n: 0, last: 0 }),
      step: (s, v, t) => {
        s.n += 1;
        s.last = t;
        return `${v}${s.n}`;
      },
      expiresAt: (s) => s.last + 100,
      onSize: (n) => sizes.push(n),
    });

  it('scans each key separately', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<string>>('-a-b-a-|', { a: record('a', 1), b: record('b', 2) });
      expectObservable(source.pipe(counting())).toBe('-x-y-z-|', { x: 'a1', y: 'b1', z: 'a2' });
    });
  });

  it("releases a quiet key's state once the watermark passes its expiry, and starts it afresh after", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<string>>('-a-b-v-w-a-b-|', {
        a: record('a', 10),
        b: record('b', 150),
        v: watermark(109), // a expires at 110: still live
        w: watermark(110), // now a is released, b (expires at 250) is not
      });
      expectObservable(source.pipe(counting())).toBe('-x-y-----z-u-|', { x: 'a1', y: 'b1', z: 'a1', u: 'b2' });
    });
    expect(sizes).to.deep.equal([1, 2, 1, 2]);
  });

  it('keeps a key whose expiry moved on since it was queued', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<string>>('-a-a-w-a-|', { a: record('a', 10), w: watermark(110) });
      // The second a is at 10 too; make it later to move the expiry past the watermark:
      const moved = cold<StreamElement<string>>('-a-c-w-a-|', { a: record('a', 10), c: record('a', 50), w: watermark(110) });
      expectObservable(source.pipe(counting())).toBe('-x-y---z-|', { x: 'a1', y: 'a2', z: 'a1' });
      expectObservable(moved.pipe(counting())).toBe('-x-y---z-|', { x: 'a1', y: 'a2', z: 'a3' });
    });
  });

  it('forwards errors from the source and from step, and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<StreamElement<string>>('-#').pipe(counting())).toBe('-#');
      const failing = scanByKey<string, string, Count, string>({
        keyOf: (v) => v,
        seed: () => ({ n: 0, last: 0 }),
        step: () => {
          throw new Error('step');
        },
        expiresAt: () => 0,
      });
      expectObservable(cold<StreamElement<string>>('-a-', { a: record('a', 1) }).pipe(failing)).toBe('-#', undefined, new Error('step'));
      expectObservable(cold<StreamElement<string>>('-a-a-', { a: record('a', 1) }).pipe(counting()), '^-!').toBe('-x-', { x: 'a1' });
    });
  });
});
