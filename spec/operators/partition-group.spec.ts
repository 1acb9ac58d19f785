import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import type { PartitionStatus } from '../../lib/model/source.js';
import { partitionGroup, type HeldRecords } from '../../lib/operators/partition-group.js';
import { newTestScheduler } from '../helpers/marbles.js';

interface Ev {
  readonly kind: 'ev';
  readonly p: number;
  readonly t: number;
  readonly id: string;
}
const ev = (p: number, t: number, id = `${p}@${t}`): Ev => ({ kind: 'ev', p, t, id });
const word = (partition: number, caughtUp: boolean): PartitionStatus => ({ kind: 'partition-status', partition, idle: caughtUp });
const behind = (p: number) => word(p, false);
const caughtUp = (p: number) => word(p, true);

describe('partitionGroup', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  const op = (onHeld?: (read: (partition: number) => HeldRecords<Ev>) => void) =>
    partitionGroup<Ev>({ timestampOf: (e) => e.t, partitionOf: (e) => e.p, ...(onHeld ? { onHeld } : {}) });

  it('lets every record through as it comes while the source has said nothing (one file, one partition)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const values = { a: ev(0, 30), b: ev(0, 10), c: ev(1, 5), d: ev(0, 20) };
      expectObservable(cold<Ev | PartitionStatus>('-a-b-c-d-|', values).pipe(op())).toBe('-a-b-c-d-|', values);
    });
  });

  it('holds records while a partition with records to read has none queued, then takes the earliest head first', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10);
      const c = ev(0, 20);
      const b = ev(1, 5);
      const d = ev(1, 15);
      const B = behind(1);
      // p1 has records to read: a and c wait; once b and d come, the heads go out in event-time order.
      expectObservable(cold<Ev | PartitionStatus>('-B-a-c-b-d-----|', { B, a, b, c, d }).pipe(op())).toBe('-B-----b-(ad)--(c|)', { B, a, b, c, d });
    });
  });

  it('stops waiting for a partition once the source says it is caught up, and passes that word on after its records', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10);
      const b = ev(1, 5);
      const c = ev(0, 20);
      const values = { P: behind(0), Q: behind(1), a, b, c, i: caughtUp(1) };
      // a waits for p1; b arrives and goes first (a still waits: p1 may have more); p1 says it is caught up
      // (i): that word goes out, then a; c no longer waits for anyone.
      expectObservable(cold<Ev | PartitionStatus>('-PQ-a-b-i----c-|', values).pipe(op())).toBe('-PQ---b-(ia)-c-|', values);
    });
  });

  it('breaks ties of event time by partition number, whichever came first', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const x = ev(1, 10, 'x');
      const y = ev(0, 10, 'y');
      const values = { P: behind(0), Q: behind(1), x, y };
      // x (p1) waits for p0's head; y (p0) has the same time and goes first; x goes at the end.
      expectObservable(cold<Ev | PartitionStatus>('-PQ-x-y-|', values).pipe(op())).toBe('-PQ---y-(x|)', values);
    });
  });

  it("replaces a word still queued after a partition's last record with a newer one", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10);
      const b = ev(1, 5);
      const values = { P: behind(0), Q: behind(1), a, b, i: caughtUp(0), R: behind(0) };
      // p0's "caught up" (i) is queued behind a; before it goes out p0 has records again (R): only R goes
      // out, after a, at the end (b goes first, then p1 holds a back again).
      expectObservable(cold<Ev | PartitionStatus>('-PQ-a-i-R-b-|', values).pipe(op())).toBe('-PQ-------b-(aR|)', values);
    });
  });

  it('lets everything out in order at completion, even with a partition still to be heard from', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 20);
      const b = ev(2, 10);
      const values = { Q: behind(1), a, b };
      expectObservable(cold<Ev | PartitionStatus>('-Q-a-b-|', values).pipe(op())).toBe('-Q-----(ba|)', values);
    });
  });

  it('tells how many records a partition has waiting, and the oldest', () => {
    let read: (partition: number) => HeldRecords<Ev> = () => ({ count: -1, first: undefined });
    const seen: Array<[number, string | undefined]> = [];
    scheduler.run(({ cold, expectObservable }) => {
      const a = ev(0, 10, 'a');
      const c = ev(0, 20, 'c');
      const b = ev(1, 5, 'b');
      const values = { Q: behind(1), a, b, c };
      const source = cold<Ev | PartitionStatus>('-Q-a-c-b-|', values);
      expectObservable(source.pipe(op((r) => (read = r)))).toBe('-Q-----b-(ac|)', values);
      // Frame 6: a and c wait for p1's head.
      scheduler.schedule(() => seen.push([read(0).count, read(0).first?.id]), 6);
    });
    expect(seen).to.deep.equal([[2, 'a']]);
    expect(read(0)).to.deep.equal({ count: 0, first: undefined });
  });

  it('forwards errors, including a throwing timestamp reader, and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<Ev | PartitionStatus>('-#').pipe(op())).toBe('-#');
      const throwing = partitionGroup<Ev>({
        timestampOf: () => {
          throw new Error('no time');
        },
        partitionOf: (e) => e.p,
      });
      const values = { Q: behind(1), a: ev(0, 1), b: ev(1, 2) };
      expectObservable(cold<Ev | PartitionStatus>('-Q-a-b-', values).pipe(throwing)).toBe('-Q-#', values, new Error('no time'));
      expectObservable(cold<Ev | PartitionStatus>('-a-b-', { a: ev(0, 1), b: ev(0, 2) }).pipe(op()), '^--!').toBe('-a-', { a: ev(0, 1) });
    });
  });
});
