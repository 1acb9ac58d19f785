import type { TestScheduler } from 'rxjs/testing';
import type { PartitionStatus } from '../../lib/model/source.js';
import { rejectFarAhead } from '../../lib/operators/reject-far-ahead.js';
import { boundedOutOfOrderness } from '../../lib/operators/watermark-generator.js';
import { newTestScheduler } from '../helpers/marbles.js';

interface Ev {
  readonly kind: 'ev';
  readonly p: number;
  readonly t: number;
}
interface Refused {
  readonly kind: 'refused';
  readonly t: number;
  readonly watermark: number;
}
const ev = (p: number, t: number): Ev => ({ kind: 'ev', p, t });

describe('rejectFarAhead', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  const op = (maxAheadMs: number, initialWatermark?: number) =>
    rejectFarAhead<Ev, Refused>({
      maxAheadMs,
      timestampOf: (e) => e.t,
      partitionOf: (e) => e.p,
      generator: boundedOutOfOrderness(5),
      ...(initialWatermark !== undefined ? { initialWatermark } : {}),
      reject: (e, watermark) => ({ kind: 'refused', t: e.t, watermark }),
    });

  it("refuses a record stamped more than the span ahead of its partition's watermark, which it leaves where it was", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10);
      const b = ev(0, 10_000);
      const c = ev(0, 105);
      const d = ev(0, 106);
      // a sets the watermark to 4 (bound 5). With a span of 100: b (9,996 ahead), c (101) and d (102) are
      // refused and move nothing. With a span of 101: c passes (101 is not more than 101) and moves the
      // watermark to 99, so d is only 7 ahead.
      expectObservable(cold<Ev | PartitionStatus>('-a-b-c-d-|', { a, b, c, d }).pipe(op(100))).toBe('-a-B-C-D-|', {
        a,
        B: { kind: 'refused', t: 10_000, watermark: 4 },
        C: { kind: 'refused', t: 105, watermark: 4 },
        D: { kind: 'refused', t: 106, watermark: 4 },
      });
      expectObservable(cold<Ev | PartitionStatus>('-a-c-d-|', { a, c, d }).pipe(op(101))).toBe('-a-c-d-|', { a, c, d });
    });
  });

  it('lets the first record of a partition pass, judges each partition by its own watermark, and passes words on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10);
      const b = ev(1, 1_000_000);
      const c = ev(0, 1_000_000);
      const i: PartitionStatus = { kind: 'partition-status', partition: 1, idle: true };
      expectObservable(cold<Ev | PartitionStatus>('-a-b-i-c-|', { a, b, c, i }).pipe(op(1_000))).toBe('-a-b-i-C-|', {
        a,
        b,
        i,
        C: { kind: 'refused', t: 1_000_000, watermark: 4 },
      });
    });
  });

  it('judges a partition without a watermark of its own by the restored one, after a restart', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const far = ev(2, 1_000_000);
      expectObservable(cold<Ev | PartitionStatus>('-f-|', { f: far }).pipe(op(1_000, 50_000))).toBe('-F-|', {
        F: { kind: 'refused', t: 1_000_000, watermark: 50_000 },
      });
    });
  });

  it('forwards errors, including a throwing timestamp reader, and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<Ev>('-#').pipe(op(10))).toBe('-#');
      const throwing = rejectFarAhead<Ev, Refused>({
        maxAheadMs: 1,
        timestampOf: () => {
          throw new Error('no time');
        },
        partitionOf: (e) => e.p,
        generator: boundedOutOfOrderness(5),
        reject: (e, watermark) => ({ kind: 'refused', t: e.t, watermark }),
      });
      expectObservable(cold<Ev>('-a-', { a: ev(0, 1) }).pipe(throwing)).toBe('-#', {}, new Error('no time'));
      expectObservable(cold<Ev>('-a-b-', { a: ev(0, 1), b: ev(0, 2) }).pipe(op(10)), '^--!').toBe('-a-', { a: ev(0, 1) });
    });
  });
});
