import { expect } from 'chai';
import { createRequire } from 'node:module';

type Group = (input: { topic: string; partitionMetadata: unknown[]; messages: Array<{ value: string }>; partitioner: (a: { message: { value: string } }) => number }) => Record<number, Array<{ value: string }>>;

/**
 * The kafkajs patch (patches/kafkajs+2.2.4.patch), its producer half: grouping a request's messages by
 * partition copied the partition's whole list for every message, as released (quadratic in the request).
 */
describe('kafkajs producer: messages grouped by partition', () => {
  const group = createRequire(import.meta.url)('kafkajs/src/producer/groupMessagesPerPartition.js') as Group;
  const messages = Array.from({ length: 1_000 }, (_, i) => ({ value: String(i) }));
  const input = { topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }: { message: { value: string } }) => Number(message.value) % 3 };

  it('keeps each partition’s messages in order', () => {
    const grouped = group(input);
    expect(Object.keys(grouped)).to.deep.equal(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(grouped[p]!.map((m) => Number(m.value))).to.deep.equal(messages.map((_, i) => i).filter((i) => i % 3 === p));
  });

  it('copies no list for each message (fails if npm install did not apply the patch: the released code spreads one a message)', () => {
    // A spread (`[...current, message]`) iterates the array it copies: count array iterations while grouping.
    const iterate = Array.prototype[Symbol.iterator];
    let iterations = 0;
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      iterations += 1;
      return iterate.call(this);
    } as typeof iterate;
    try {
      group(input);
    } finally {
      Array.prototype[Symbol.iterator] = iterate;
    }
    expect(iterations).to.be.below(10);
  });
});

type RecordEncoder = (input: { offsetDelta?: number; timestampDelta?: number; key: Buffer | null; value: Buffer; headers?: Record<string, string> }) => { buffer: Buffer };

/** The patch's encoder half: an encoder a record, sized to it and not zero-filled (as released: 512 zeroed bytes each). */
describe('kafkajs producer: records encoded', () => {
  const encodeRecord = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordEncoder;
  const record = { offsetDelta: 3, timestampDelta: 17, key: Buffer.from('c-1'), value: Buffer.from('{"orderId":"o-1","amount":12.5}'), headers: { reason: 'late' } };
  // Record v0 as the protocol spells it, written out by hand: length, attributes, deltas, key, value, headers.
  const zigzag = (n: number): number => (n << 1) ^ (n >> 31);
  const body = Buffer.concat([
    Buffer.from([0, zigzag(17), zigzag(3), zigzag(3)]),
    record.key,
    Buffer.from([zigzag(record.value.length)]),
    record.value,
    Buffer.from([zigzag(1), zigzag(6)]),
    Buffer.from('reason'),
    Buffer.from([zigzag(4)]),
    Buffer.from('late'),
  ]);

  it('writes the bytes of the protocol', () => {
    expect(encodeRecord(record).buffer).to.deep.equal(Buffer.concat([Buffer.from([zigzag(body.length)]), body]));
  });

  it('allocates no zero-filled buffer (fails if npm install did not apply the patch)', () => {
    const alloc = Buffer.alloc;
    let zeroed = 0;
    Buffer.alloc = ((...args: Parameters<typeof alloc>) => {
      zeroed += 1;
      return alloc(...args);
    }) as typeof alloc;
    try {
      encodeRecord(record);
    } finally {
      Buffer.alloc = alloc;
    }
    expect(zeroed).to.equal(0);
  });
});
