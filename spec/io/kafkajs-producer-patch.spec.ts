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

  it('writes varints in place, no Buffer of their own each (fails if npm install did not apply the patch)', () => {
    const from = Buffer.from;
    let made = 0;
    Buffer.from = ((...args: unknown[]) => {
      made += 1;
      return (from as (...a: unknown[]) => Buffer)(...args);
    }) as typeof from;
    try {
      encodeRecord({ ...record, headers: { 'sp.kind': 'order', 'sp.partition': '2', 'sp.offset': '41' } });
    } finally {
      Buffer.from = from;
    }
    // As released: one for each of the record's five varints and two a header.
    expect(made).to.equal(0);
  });
});

type ProduceRequest = (input: { acks: number; timeout: number; topicData: unknown[] }) => { encode: () => Promise<Buffer | { buffer: Buffer }> };

/** The patch's request half: a record is built from the fields it encodes, not from a copy of the whole message. */
describe('kafkajs producer: produce requests', () => {
  const request = createRequire(import.meta.url)('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;

  it('reads no field of a message that a record does not encode (fails if npm install did not apply the patch)', async () => {
    let read = 0;
    const message = { key: 'c-1', value: '{}', timestamp: 1_000, headers: { a: 'b' } };
    // The released code spreads each message into its record's arguments: every field is read.
    Object.defineProperty(message, 'topic', { enumerable: true, get: () => (read += 1, 'orders') });
    await request({ acks: -1, timeout: 1_000, topicData: [{ topic: 'orders', partitions: [{ partition: 0, firstSequence: 0, messages: [message] }] }] }).encode();
    expect(read).to.equal(0);
  });
});
