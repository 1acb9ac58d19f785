import { expect } from 'chai';
import { readTopic, testKafka } from '../helpers/kafka.js';

/**
 * Aborted transactions that interleave on one partition, on the real broker: the broker lists them in the
 * order they ended, and kafkajs 2.2.4 as released lets the first record of the one that began first through
 * (it read `0:B1` here). Exactly once, the service reads its internal topics this way; patched (see
 * patches/kafkajs+2.2.4.patch and spec/io/read-committed.spec.ts), only committed records are read.
 */
describe('read_committed on Kafka, aborted transactions interleaved', function () {
  this.timeout(60_000);

  it('reads only the committed record', async () => {
    const kafka = testKafka();
    const topic = `read-committed-${process.pid}-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producers = await Promise.all(
      ['a', 'b', 'c'].map(async (id) => {
        const producer = kafka.producer({ transactionalId: `${topic}-${id}`, idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        return producer;
      }),
    );
    try {
      const [a, b, c] = producers as [(typeof producers)[0], (typeof producers)[0], (typeof producers)[0]];
      const send = (t: Awaited<ReturnType<typeof a.transaction>>, value: string) => t.send({ topic, messages: [{ partition: 0, value }] });
      // B begins first and ends last; A begins and aborts in between; C commits after both.
      const tb = await b.transaction();
      await send(tb, 'B1');
      const ta = await a.transaction();
      await send(ta, 'A1');
      await ta.abort();
      await send(tb, 'B2');
      await tb.abort();
      const tc = await c.transaction();
      await send(tc, 'C1');
      await tc.commit();

      const read = await readTopic(topic, (m) => m.some((x) => x.value?.toString() === 'C1'), 30_000);
      expect(read.map((m) => `${m.offset}:${m.value?.toString() ?? ''}`)).to.deep.equal(['5:C1']);
    } finally {
      await Promise.all(producers.map((p) => p.disconnect()));
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
