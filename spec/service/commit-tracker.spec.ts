import { expect } from 'chai';
import { CommitTracker } from '../../lib/service/commit-tracker.js';
import { tumblingWindows } from '../../lib/operators/window-assigner.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('CommitTracker', () => {
  const tracker = () => new CommitTracker(tumblingWindows(HOUR), MINUTE);
  const read = (t: CommitTracker, partition: number, offset: number, timestamp?: number) => {
    t.onRead({ partition, offset });
    if (timestamp !== undefined) t.onOrder({ partition, offset }, timestamp);
  };

  it('commits past dead letters and everything read when nothing is held', () => {
    const t = tracker();
    read(t, 0, 0);
    read(t, 0, 1);
    expect(t.snapshot().partitions.get(0)).to.deep.equal({ offset: 2, readUpTo: 2 });
  });

  it('never commits past an order still waiting for the other partitions, nor counts it as processed for a restart', () => {
    const t = tracker();
    // Offsets 0-1 processed; 2 read and held back by the partition group; 3 (a dead letter) read after it.
    read(t, 0, 0);
    read(t, 0, 1);
    read(t, 0, 2);
    read(t, 0, 3);
    let held: { count: number; first: { partition: number; offset: number } | undefined } = { count: 1, first: { partition: 0, offset: 2 } };
    t.onHeld((partition) => (partition === 0 ? held : { count: 0, first: undefined }));
    expect(t.snapshot().partitions.get(0)).to.deep.equal({ offset: 2, readUpTo: 2 });
    held = { count: 0, first: undefined };
    t.onOrder({ partition: 0, offset: 2 }, 1_000);
    expect(t.snapshot().partitions.get(0)).to.deep.equal({ offset: 2, readUpTo: 4 });
  });

  it('holds the commit at the first record of an open window until the window fires (to the second)', () => {
    const t = tracker();
    read(t, 0, 10, 1_000);
    read(t, 0, 11, 2_000);
    read(t, 1, 5, 3_000);
    expect(t.snapshot().partitions.get(0)).to.deep.equal({ offset: 10, readUpTo: 12 });
    t.onWatermark(HOUR - 2);
    expect(t.snapshot().partitions.get(0)?.offset).to.equal(10);
    t.onWatermark(HOUR);
    expect(t.snapshot()).to.deep.equal({
      watermark: HOUR,
      partitions: new Map([
        [0, { offset: 12, readUpTo: 12 }],
        [1, { offset: 6, readUpTo: 6 }],
      ]),
    });
  });

  it('holds a record at the end of an hour for its velocity span too', () => {
    const t = tracker();
    read(t, 0, 1, HOUR - 10_000);
    t.onWatermark(HOUR);
    expect(t.snapshot().partitions.get(0)?.offset).to.equal(1);
    t.onWatermark(HOUR - 10_000 + MINUTE);
    expect(t.snapshot().partitions.get(0)?.offset).to.equal(2);
  });

  it('never commits past an earlier record still needed, even when later ones are done', () => {
    const t = tracker();
    read(t, 0, 1, 2 * HOUR + 5); // hour 2
    read(t, 0, 2, HOUR + 5); // hour 1, out of order
    t.onWatermark(2 * HOUR); // hour 1 fired, hour 2 open
    expect(t.snapshot().partitions.get(0)?.offset).to.equal(1);
  });

  it('keeps a run per growing retention, not a run per record', () => {
    const t = tracker();
    for (let i = 0; i < 10_000; i++) read(t, 0, i, i * 100);
    expect(t.size).to.be.lessThan(100);
  });
});
