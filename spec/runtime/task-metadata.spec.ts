import { expect } from 'chai';
import { readMetadata, writeMetadata } from '../../lib/runtime/task-metadata.js';

describe("a customer task's commit metadata", () => {
  it('keeps each lane\'s watermark where its re-read starts', () => {
    const text = writeMetadata({
      t: 'customer',
      w: 10,
      next: 8,
      lanes: new Map([[0, { from: 3, taken: 41, readUpTo: 8, watermark: 12 }], [1, { from: 8, taken: -1, readUpTo: 8, watermark: -Infinity }]]),
      words: new Map(),
    });
    expect([...(readMetadata(text, 'customer')?.lanes ?? [])]).to.deep.equal([
      [0, { from: 3, taken: 41, readUpTo: 8, watermark: 12 }],
      [1, { from: 8, taken: -1, readUpTo: 8, watermark: -Infinity }],
    ]);
  });

  it('reads a commit written before lanes had watermarks: the lane starts unheard of', () => {
    const text = JSON.stringify({ t: 'customer', w: 10, n: 8, l: { 0: [3, 41, 8] }, o: {} });
    expect(readMetadata(text, 'customer')?.lanes.get(0)).to.deep.equal({ from: 3, taken: 41, readUpTo: 8, watermark: -Infinity });
  });
});
