import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import { decodeOrder, isOrderRecord, type OrderRecord } from '../../lib/model/decode-order.js';
import type { RoutedOrder, UpstreamMark } from '../../lib/topology/messages.js';
import { stampRises } from '../../lib/topology/stamp-rises.js';
import { newTestScheduler } from '../helpers/marbles.js';
import { sourceRecord } from '../../lib/testing.js';

const orderRecord = (partition: number, offset: number, customerId: string, timestamp: number): OrderRecord => {
  const decoded = decodeOrder(sourceRecord(partition, offset, { customerId, timestamp }));
  if (!isOrderRecord(decoded)) throw new Error('test order is invalid');
  return decoded;
};
const routed = (r: OrderRecord, before: number, watermark: number): RoutedOrder => ({ kind: 'routed', record: r, before, watermark, at: r.source });
const mark = (partition: number, watermark: number, latest: number): UpstreamMark => ({ kind: 'partition-status', partition, idle: false, watermark, latest });
// Customers named by the task they go to.
const destinationOf = (o: RoutedOrder): number => Number(o.record.order.customerId.slice(1));

describe('stampRises', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it("addresses each order to its task and carries every rise to the other tasks on their next message", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = routed(orderRecord(0, 0, 't0', 10), -Infinity, 4);
      const b = routed(orderRecord(0, 1, 't1', 20), 4, 14);
      const m = mark(0, 14, 20);
      const source = cold<RoutedOrder | UpstreamMark>('-a-b-m----|', { a, b, m });
      expectObservable(source.pipe(stampRises({ destinations: 2, destinationOf }))).toBe('-a-b-(xy)-|', {
        a: { ...a, destination: 0 },
        b: { ...b, destination: 1, rises: [[10, 4]] },
        x: { ...m, destination: 0, rises: [[20, 14]] },
        y: { ...m, destination: 1 },
      });
    });
  });

  it('repeats no order that raises nothing, and stamps a rise at its partition\'s newest event time', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = routed(orderRecord(0, 0, 't0', 30), -Infinity, 24);
      const b = routed(orderRecord(0, 1, 't0', 12), 24, 24);
      const c = routed(orderRecord(0, 2, 't1', 5), 24, 24);
      const source = cold<RoutedOrder | UpstreamMark>('-a-b-c-|', { a, b, c });
      expectObservable(source.pipe(stampRises({ destinations: 2, destinationOf }))).toBe('-a-b-c-|', {
        a: { ...a, destination: 0 },
        b: { ...b, destination: 0 },
        c: { ...c, destination: 1, rises: [[30, 24]] },
      });
    });
  });

  it('keeps the rises of each input partition apart', () => {
    const out: Array<RoutedOrder | UpstreamMark> = [];
    const a = routed(orderRecord(0, 0, 't0', 10), -Infinity, 4);
    const b = routed(orderRecord(1, 0, 't0', 50), -Infinity, 44);
    scheduler.run(({ cold }) => {
      cold<RoutedOrder | UpstreamMark>('-a-b-m-n-|', { a, b, m: mark(0, 4, 10), n: mark(1, 44, 50) })
        .pipe(stampRises({ destinations: 2, destinationOf }))
        .subscribe((e) => out.push(e));
    });
    const toTask1 = out.filter((e) => e.destination === 1 && e.kind === 'partition-status') as UpstreamMark[];
    expect(toTask1.map((e) => [e.partition, e.rises])).to.deep.equal([
      [0, [[10, 4]]],
      [1, [[50, 44]]],
    ]);
  });

  it('forwards errors and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<RoutedOrder | UpstreamMark>('-#').pipe(stampRises({ destinations: 2, destinationOf }))).toBe('-#');
      const source = cold<RoutedOrder | UpstreamMark>('-m-m-', { m: mark(0, 1, 5) });
      expectObservable(source.pipe(stampRises({ destinations: 1, destinationOf: () => 0 })), '^--!').toBe('-m-', { m: { ...mark(0, 1, 5), destination: 0 } });
    });
  });
});
