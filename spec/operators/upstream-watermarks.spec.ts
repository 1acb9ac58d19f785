import type { TestScheduler } from 'rxjs/testing';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { upstreamWatermarks, type WatermarkWord } from '../../lib/operators/upstream-watermarks.js';
import { newTestScheduler } from '../helpers/marbles.js';

/** A record from upstream partition `p` at time `t`, with the partition's watermark before and after it; or a tick. */
interface Item {
  readonly kind: 'item' | 'tick';
  readonly p: number;
  readonly t: number;
  readonly before: number;
  readonly after: number;
}
const item = (p: number, t: number, before: number, after: number): Item => ({ kind: 'item', p, t, before, after });
const tick = (p: number, t: number, after: number): Item => ({ kind: 'tick', p, t, before: after, after });
const word = (partition: number, w: number, idle = false): WatermarkWord => ({ kind: 'partition-status', partition, idle, watermark: w });
const options = {
  timestampOf: (i: Item) => i.t,
  partitionOf: (i: Item) => i.p,
  watermarkBefore: (i: Item) => i.before,
  watermarkOf: (i: Item) => i.after,
  isTick: (i: Item) => i.kind === 'tick',
};

describe('upstreamWatermarks', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('goes out as the minimum over the partitions heard from, each at the watermark it had before its record', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = item(0, 10, -Infinity, 4);
      const b = item(1, 20, -Infinity, 14);
      const c = item(0, 30, 4, 24);
      // p0 alone is heard of after a: 4. b brings p1 in at -∞ (no fall), then 14. c takes p0 to 24: min 14.
      const source = cold<Item | WatermarkWord>('-a----b----c----|', { a, b, c });
      expectObservable(source.pipe(upstreamWatermarks(options))).toBe('-(aw)-b----(cv)-(x|)', {
        a: record(a, 10),
        w: watermark(4),
        b: record(b, 20),
        c: record(c, 30),
        v: watermark(14),
        x: watermark(Infinity),
      } satisfies Record<string, StreamElement<Item>>);
    });
  });

  it('holds until every expected partition is heard from', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = item(0, 10, 4, 4);
      const source = cold<Item | WatermarkWord>('-a-w-|', { a, w: word(1, 9) });
      expectObservable(source.pipe(upstreamWatermarks({ ...options, expected: 2 }))).toBe('-a-v-(x|)', { a: record(a, 10), v: watermark(4), x: watermark(Infinity) });
    });
  });

  it('moves on a tick without sending it on, and leaves a caught-up partition out of the minimum', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // p0 at 5; p1 at 3 never lowers it; the tick takes p1 to 35 (min still 5); p0 caught up leaves 35.
      const source = cold<Item | WatermarkWord>('-a-b-t-i-|', { a: word(0, 5), b: word(1, 3), t: tick(1, 40, 35), i: word(0, 5, true) });
      expectObservable(source.pipe(upstreamWatermarks(options))).toBe('-a-----v-(x|)', {
        a: watermark(5),
        v: watermark(35),
        x: watermark(Infinity),
      });
    });
  });

  it('starts at a restored watermark and never goes below it', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = item(0, 10, 4, 8);
      // 4 before a is below 6: nothing; 8 after it goes out.
      const source = cold<Item | WatermarkWord>('-a----|', { a });
      expectObservable(source.pipe(upstreamWatermarks({ ...options, initialWatermark: 6 }))).toBe('r(av)-(x|)', {
        r: watermark(6),
        a: record(a, 10),
        v: watermark(8),
        x: watermark(Infinity),
      });
    });
  });
});
