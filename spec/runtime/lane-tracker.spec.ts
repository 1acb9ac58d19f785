import { expect } from 'chai';
import { decodeOrder, isOrderRecord } from '../../lib/model/decode-order.js';
import { tumblingWindows } from '../../lib/operators/window-assigner.js';
import { LaneTracker } from '../../lib/runtime/lane-tracker.js';
import { sourceRecord } from '../../lib/testing.js';
import type { RoutedOrder, UpstreamMark } from '../../lib/topology/messages.js';

const HOUR = 3_600_000;

/** An order of input partition `lane` at input offset `offset`, read at `at` in the task's log. */
function routed(lane: number, offset: number, at: number, timestamp: number, before: number, watermark: number, rises?: Array<[number, number]>): RoutedOrder {
  const decoded = decodeOrder(sourceRecord(lane, offset, { timestamp }));
  if (!isOrderRecord(decoded)) throw new Error('test order is invalid');
  return { kind: 'routed', record: decoded, before, watermark, at: { partition: lane, offset: at }, ...(rises ? { rises } : {}) };
}
const mark = (lane: number, watermark: number): UpstreamMark => ({ kind: 'partition-status', partition: lane, idle: false, watermark, latest: watermark });

describe('LaneTracker', () => {
  it("commits each lane's watermark where its re-read starts: before the first order still needed", () => {
    const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0);
    const a = routed(0, 0, 0, 10, -Infinity, 5);
    const b = routed(0, 1, 1, 20, 5, 15, [[18, 13]]);
    for (const [m, at] of [[a, 0], [b, 1]] as const) {
      tracker.onRead(at);
      tracker.onMessage(m);
      tracker.onTaken(m, m.record.source.offset - 1);
    }
    tracker.onOrder(a);
    tracker.onOrder(b);
    const lane = tracker.snapshot().lanes.get(0);
    expect(lane).to.deep.include({ from: 0, watermark: -Infinity });
    // The first hour closed: both orders are done with (velocity span passed too), nothing left to re-read.
    tracker.onWatermark(HOUR);
    expect(tracker.snapshot().lanes.get(0)).to.deep.include({ from: 2, watermark: 15 });
  });

  it('counts as held the orders of a lane taken and not processed yet, and nothing else', () => {
    const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0);
    const orders = [0, 1, 2].map((i) => routed(1, i, i, 10 + i, -Infinity, 10 + i, [[10 + i, 10 + i]]));
    for (const o of orders) {
      tracker.onRead(o.at.offset);
      tracker.onMessage(o);
    }
    // Read, not taken yet (a repeat would be dropped here): not held. Marks and rises never are.
    tracker.onMessage(mark(1, 30));
    expect(tracker.heldOf(1)).to.equal(0);
    for (const o of orders) tracker.onTaken(o, o.record.source.offset - 1);
    expect([tracker.heldOf(1), tracker.heldOf(0)]).to.deep.equal([3, 0]);
    tracker.onOrder(orders[0]!);
    tracker.onOrder(orders[1]!);
    expect(tracker.heldOf(1)).to.equal(1);
    tracker.onOrder(orders[2]!);
    expect(tracker.heldOf(1)).to.equal(0);
  });

  it('counts the rises and the marks of a lane that has nothing to re-read', () => {
    const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0);
    tracker.onRead(0);
    tracker.onMessage({ ...mark(1, 40), rises: [[50, 45]] });
    expect(tracker.snapshot().lanes.get(1)).to.deep.include({ from: 1, watermark: 45 });
  });

  it('starts a restored lane at its restored watermark', () => {
    const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 7, new Map([[2, { taken: 3, watermark: 99 }]]));
    expect(tracker.snapshot().lanes.get(2)).to.deep.equal({ from: 7, taken: 3, readUpTo: 7, watermark: 99 });
  });

  it('never commits a restored lane as processed less far than before the restart, while its re-read is behind', () => {
    // Restored from a commit that had processed the lane up to offset 12; the re-read starts at 5.
    const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 5, new Map([[0, { taken: 3, watermark: 0, readUpTo: 12 }]]));
    const a = routed(0, 4, 5, 10, 0, 5);
    tracker.onRead(5);
    tracker.onMessage(a);
    tracker.onTaken(a, 3);
    tracker.onOrder(a);
    // Offsets 6 to 11 were processed before the restart: their results are out, they are no new orders.
    expect(tracker.snapshot().lanes.get(0)).to.deep.include({ from: 5, readUpTo: 12 });
    for (let at = 6; at <= 20; at++) tracker.onRead(at);
    expect(tracker.snapshot().lanes.get(0)).to.deep.include({ readUpTo: 21 });
  });

  describe('the local lane (its source task beside it, offsets of its input partition)', () => {
    /** A local order: read where it is in the input partition. */
    const local = (offset: number, timestamp: number, before: number, watermark: number, rises?: Array<[number, number]>): RoutedOrder =>
      routed(1, offset, offset, timestamp, before, watermark, rises);
    const localMark = (next: number, watermark: number): UpstreamMark => ({ ...mark(1, watermark), next, at: { partition: 1, offset: next } });

    it("starts a re-read just after the lane's message before the first order still needed, with the lane's watermark there", () => {
      const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0, new Map(), 1);
      tracker.onMessage(localMark(10, 5));
      // Offsets 10 to 13 went to other tasks; their rises ride on the order at 14.
      const a = local(14, HOUR + 100, 30, 95, [[40, 30]]);
      tracker.onMessage(a);
      tracker.onTaken(a, 9);
      tracker.onOrder(a);
      expect(tracker.snapshot().lanes.get(1)).to.deep.equal({ from: 10, taken: 9, readUpTo: 15, watermark: 5 });
    });

    it("is left out of the log's offset, which only the other lanes hold back", () => {
      const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0, new Map(), 1);
      tracker.onMessage(localMark(500, 5));
      const a = local(500, HOUR + 100, 5, 95);
      tracker.onMessage(a);
      tracker.onTaken(a, 499);
      tracker.onOrder(a);
      tracker.onRead(0);
      tracker.onRead(1);
      expect(tracker.snapshot().offset).to.equal(2);
    });

    it('with nothing to re-read, starts after its last message', () => {
      const tracker = new LaneTracker(tumblingWindows(HOUR), 60_000, 0, new Map(), 1);
      tracker.onMessage(localMark(20, 5));
      tracker.onMessage(localMark(35, 7));
      expect(tracker.snapshot().lanes.get(1)).to.deep.include({ from: 35, readUpTo: 35, watermark: 7 });
    });
  });
});
