import { expect } from 'chai';
import fc from 'fast-check';
import { decodeRises, encodeRises } from '../../lib/runtime/wire.js';
import type { WatermarkRise } from '../../lib/topology/messages.js';

describe('the wire form of watermark rises', () => {
  it('writes steps between timestamps and each watermark as its offset, left out when it repeats', () => {
    expect(encodeRises([[1000, -4001], [1250, -3751], [1300, -3600]])).to.equal('1000:-5001,250,50:-4900');
  });

  it('reads back what it wrote, for any integer rises', () => {
    const time = fc.integer({ min: 0, max: 8_640_000_000_000 });
    const rise = fc.tuple(time, fc.integer({ min: -86_400_000, max: 0 })).map(([t, offset]): WatermarkRise => [t, t + offset]);
    fc.assert(
      fc.property(fc.array(rise, { minLength: 1, maxLength: 30 }), (rises) => {
        expect(decodeRises(encodeRises(rises))).to.deep.equal(rises.map((r) => [...r]));
      }),
      { numRuns: 500, seed: 20_261_205 },
    );
  });

  it('refuses text it did not write', () => {
    for (const text of ['', 'x', '1:', '1:2:3', '10,5', '1.5:0', ' 1:0']) expect(decodeRises(text), text).to.equal(undefined);
  });
});
