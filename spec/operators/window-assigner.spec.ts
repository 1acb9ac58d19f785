import { expect } from 'chai';
import fc from 'fast-check';
import { tumblingWindows } from '../../lib/operators/window-assigner.js';
import { eventTimeTrigger } from '../../lib/operators/trigger.js';

describe('tumblingWindows', () => {
  const HOUR = 3_600_000;

  it('aligns hours to the epoch (UTC), start inclusive and end exclusive', () => {
    const at = Date.UTC(2024, 5, 1, 13, 0, 0);
    expect(tumblingWindows(HOUR).assign(at)).to.deep.equal({ start: at, end: at + HOUR });
    expect(tumblingWindows(HOUR).assign(at - 1)).to.deep.equal({ start: at - HOUR, end: at });
    expect(tumblingWindows(HOUR).assign(0)).to.deep.equal({ start: 0, end: HOUR });
  });

  it('puts every timestamp in exactly the window that contains it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: 1, max: 10 * HOUR }), (t, size) => {
        const w = tumblingWindows(size).assign(t);
        return w.start <= t && t < w.end && w.end - w.start === size && w.start % size === 0;
      }),
    );
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => tumblingWindows(0)).to.throw(RangeError);
    expect(() => tumblingWindows(1.5)).to.throw(RangeError);
  });

  it('fires at end - 1', () => {
    const w = { start: 0, end: HOUR };
    expect(eventTimeTrigger.fires(w, HOUR - 2)).to.equal(false);
    expect(eventTimeTrigger.fires(w, HOUR - 1)).to.equal(true);
  });
});
