import { expect } from 'chai';
import { customerMetadataBound, KAFKA_DEFAULT_METADATA_MAX_BYTES, readMetadata, writeMetadata } from '../../lib/runtime/task-metadata.js';

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

  it('fits the brokers\' default 4 KB with up to 31 input partitions, at worst, and grows with each', () => {
    const bounds = [1, 10, 31, 32, 40].map(customerMetadataBound);
    expect(bounds[2]).to.be.at.most(KAFKA_DEFAULT_METADATA_MAX_BYTES);
    expect(bounds[3]).to.be.greaterThan(KAFKA_DEFAULT_METADATA_MAX_BYTES);
    expect(bounds).to.deep.equal([...bounds].sort((a, b) => a - b));
  });

  it('keeps its local lane; a commit without one reads as made by a build without local lanes', () => {
    const text = writeMetadata({ t: 'customer', w: 10, next: 8, local: 2, lanes: new Map(), words: new Map() });
    expect(readMetadata(text, 'customer')?.local).to.equal(2);
    expect(readMetadata(JSON.stringify({ t: 'customer', w: 10, n: 8, l: {}, o: {} }), 'customer')).to.not.have.property('local');
  });
});

describe("a source task's commit metadata", () => {
  it('keeps where its own output stopped, when its offset stands earlier for the local lane', () => {
    expect(readMetadata(writeMetadata({ t: 'source', w: 5, n: 40 }), 'source')).to.deep.equal({ w: 5, n: 40 });
    expect(readMetadata(writeMetadata({ t: 'source', w: 5 }), 'source')).to.deep.equal({ w: 5 });
  });
});
