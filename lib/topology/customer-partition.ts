/**
 * Which partition of the orders-by-customer topic a customer's orders go to: Kafka's default partitioner
 * (the Java client's, and kafkajs's `DefaultPartitioner`), murmur2 of the key's UTF-8 bytes, made
 * positive, modulo the partition count. The source tasks compute it themselves, rather than leave it to
 * the producer, because each must know which customer task an order goes to: it tells every other task
 * how the order moved event time (see {@link stampRises}). Being Kafka's own function, it also puts a
 * customer where a producer keyed by `customerId` puts it.
 */
export function customerPartition(customerId: string, partitions: number): number {
  return (murmur2(Buffer.from(customerId, 'utf8')) & 0x7fffffff) % partitions;
}

/** Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), in 32-bit integer arithmetic as Java's. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
