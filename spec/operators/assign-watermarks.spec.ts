import { expect } from 'chai';
import { Subject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { PartitionStatus } from '../../lib/model/source.js';
import { assignWatermarks } from '../../lib/operators/assign-watermarks.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { boundedOutOfOrderness } from '../../lib/operators/watermark-generator.js';
import { newTestScheduler } from '../helpers/marbles.js';

interface Ev {
  readonly kind: 'ev';
  readonly p: number;
  readonly t: number;
}
const ev = (p: number, t: number): Ev => ({ kind: 'ev', p, t });
const idle = (partition: number, isIdle = true): PartitionStatus => ({ kind: 'partition-status', partition, idle: isIdle });

describe('assignWatermarks', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  const op = (idleTimeoutMs = 1_000, bound = 5) =>
    assignWatermarks<Ev>({
      timestampOf: (e) => e.t,
      partitionOf: (e) => e.p,
      generator: boundedOutOfOrderness(bound),
      idleTimeoutMs,
      scheduler,
    });

  it('emits each record, then the watermark it brings: max seen - bound - 1', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(0, 120);
      const source = cold<Ev | PartitionStatus>('-a---b---|', { a, b });
      expectObservable(source.pipe(op())).toBe('-(AW)(BV)(X|)', {
        A: record(a, 100),
        W: watermark(94),
        B: record(b, 120),
        V: watermark(114),
        X: watermark(Infinity),
      });
    });
  });

  it('never goes back: a record behind the newest brings no watermark', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(0, 97);
      const c = ev(0, 101);
      const source = cold<Ev | PartitionStatus>('-a---b-c---|', { a, b, c });
      expectObservable(source.pipe(op())).toBe('-(AW)B-(CV)(X|)', {
        A: record(a, 100),
        W: watermark(94),
        B: record(b, 97),
        C: record(c, 101),
        V: watermark(95),
        X: watermark(Infinity),
      });
    });
  });

  it('is the minimum over the active partitions, so disorder across partitions is not late', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 50);
      const c = ev(1, 200);
      const source = cold<Ev | PartitionStatus>('-b---a-c---|', { a, b, c });
      // p1 holds the watermark at 44 while p0 runs ahead; after c, p0 (94) is the lowest.
      expectObservable(source.pipe(op())).toBe('-(BW)A-(CV)(X|)', {
        A: record(a, 100),
        W: watermark(44),
        B: record(b, 50),
        C: record(c, 200),
        V: watermark(94),
        X: watermark(Infinity),
      });
    });
  });

  it('lets a quiet partition go idle after the idle timeout, and the others move on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 500);
      const c = ev(1, 600);
      // p0 speaks at frame 1 and then is silent; p1 speaks at frames 5 and 20.
      const source = cold<Ev | PartitionStatus>('-a---b--------------c----|', { a, b, c });
      // Idle timeout 10: p0 goes idle at frame 11, releasing p1's watermark 494; p1 idles at 15
      // (nothing moves: all are idle) and wakes at 20.
      expectObservable(source.pipe(op(10))).toBe('-(AW)B-----V--------(CU)-(X|)', {
        A: record(a, 100),
        W: watermark(94),
        B: record(b, 500),
        V: watermark(494),
        C: record(c, 600),
        U: watermark(594),
        X: watermark(Infinity),
      });
    });
  });

  it('holds the watermark while every partition is idle, and a partition that wakes never pulls it back', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 50);
      const c = ev(1, 300);
      const source = cold<Ev | PartitionStatus>('-a----------b-c---|', { a, b, c });
      // p0 idles at frame 6 (timeout 5): nothing moves, it was the only partition. p1 wakes with an old
      // record: it is emitted (downstream finds it late) and the watermark stays at 94; then p1 leads.
      expectObservable(source.pipe(op(5))).toBe('-(AW)-------B-(CV)(X|)', {
        A: record(a, 100),
        W: watermark(94),
        B: record(b, 50),
        C: record(c, 300),
        V: watermark(294),
        X: watermark(Infinity),
      });
    });
  });

  it("follows the source's word on idleness: a caught-up partition does not hold the watermark", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 50);
      const c = ev(0, 200);
      const source = cold<Ev | PartitionStatus>('-b---a-i-j-c-|', { a, b, c, i: idle(1), j: idle(1, false) });
      // i: p1 caught up, so p0 alone sets it (94); j: p1 has records again, the watermark holds.
      expectObservable(source.pipe(op())).toBe('-(BW)A-V---C-(X|)', {
        A: record(a, 100),
        B: record(b, 50),
        C: record(c, 200),
        W: watermark(44),
        V: watermark(94),
        X: watermark(Infinity),
      });
    });
  });

  it('waits for a partition the source says has records, before any arrives', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 200);
      const source = cold<Ev | PartitionStatus>('-j-a-b---|', { j: idle(1, false), a, b });
      expectObservable(source.pipe(op())).toBe('---A-(BW)(X|)', {
        A: record(a, 100),
        B: record(b, 200),
        W: watermark(94),
        X: watermark(Infinity),
      });
    });
  });

  it('never lets the idle timeout idle a partition the source says has records to read (a broker away is not an empty partition)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 100);
      const b = ev(1, 50);
      const c = ev(0, 900);
      // j: p1 has records to read, then nothing of it comes for far longer than the timeout (10). The
      // watermark waits for p1 however long (p0 idles by the timeout meanwhile), so p1's record at 50 is on
      // time when it comes; after p1's "caught up" (i) every partition is idle and the watermark holds.
      const source = cold<Ev | PartitionStatus>('-j-a-c-----------------------b----i-----|', { j: idle(1, false), a, c, b, i: idle(1) });
      expectObservable(source.pipe(op(10))).toBe('---A-C-----------------------(BW)-------(X|)', {
        A: record(a, 100),
        C: record(c, 900),
        B: record(b, 50),
        W: watermark(44),
        X: watermark(Infinity),
      });
    });
  });

  it('forwards errors, including a throwing timestamp assigner', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<Ev | PartitionStatus>('-#').pipe(op())).toBe('-#');
      const throwing = assignWatermarks<Ev>({
        timestampOf: () => {
          throw new Error('boom');
        },
        partitionOf: (e) => e.p,
        generator: boundedOutOfOrderness(5),
        idleTimeoutMs: 1000,
        scheduler,
      });
      expectObservable(cold<Ev | PartitionStatus>('-a-', { a: ev(0, 1) }).pipe(throwing)).toBe('-#', undefined, new Error('boom'));
    });
  });

  it('cancels its idleness timers when unsubscribed early', () => {
    scheduler.run(({ cold, expectObservable, flush }) => {
      const source = cold<Ev | PartitionStatus>('-a-----', { a: ev(0, 100) });
      expectObservable(source.pipe(op(3)), '^--!').toBe('-(AW)', { A: record(ev(0, 100), 100), W: watermark(94) });
      flush();
      expect(scheduler.actions.length).to.equal(0);
    });
  });

  it('sends Infinity once at completion even when the source sends nothing', () => {
    const seen: Array<StreamElement<Ev>> = [];
    const subject = new Subject<Ev | PartitionStatus>();
    subject.pipe(op(Infinity)).subscribe((e) => seen.push(e));
    subject.complete();
    expect(seen).to.deep.equal([watermark(Infinity)]);
  });
});
