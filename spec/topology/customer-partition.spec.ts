import { expect } from 'chai';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { customerPartition, murmur2 } from '../../lib/topology/customer-partition.js';

/** kafkajs's DefaultPartitioner (Kafka's, murmur2) for a keyed message: where a producer keyed by customer puts it. */
function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('customerPartition', () => {
  it("is Kafka's default partitioner: the same partition as kafkajs's for any key and count", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        expect(customerPartition(key, partitions)).to.equal(kafkajsPartition(key, partitions));
      }),
      { numRuns: 2_000, seed: 20_261_205 },
    );
  });

  it("gives the Java client's murmur2 on the vectors of Kafka's own UtilsTest", () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).to.equal(hash);
  });
});
