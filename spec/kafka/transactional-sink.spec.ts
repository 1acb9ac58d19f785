import { expect } from 'chai';
import { kafkaTransactionalSink } from '../../lib/io/kafka/transactional-sink.js';
import type { TransactionalSink } from '../../lib/io/ports.js';
import { readTopic, testKafka, uniqueNames } from '../helpers/kafka.js';

/**
 * The exactly-once sink on the real broker: a task's messages and its offset commit become visible
 * together or not at all, to `read_committed` readers (kafkajs consumers read committed by default), and
 * a task's next owner fences the one before it.
 */

/** What a read_committed reader sees of `topic` up to the message `end` (sent last, by a committed transaction). */
async function visibleUpTo(topic: string, end: string): Promise<string[]> {
  const messages = await readTopic(topic, (m) => m.some((x) => x.value?.toString() === end), 60_000);
  const values = messages.map((m) => m.value?.toString() ?? '');
  expect(values, `${end} never arrived`).to.include(end);
  return values.filter((v) => v !== end);
}

async function committedOffset(groupId: string, topic: string, partition: number): Promise<{ offset: string; metadata: string | null }> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const p = t?.partitions.find((x) => x.partition === partition);
    return { offset: p?.offset ?? '-1', metadata: p?.metadata ?? null };
  } finally {
    await admin.disconnect();
  }
}

/** A task's input and output topics, one partition each, made on the broker; and its group. */
async function topics(prefix: string): Promise<ReturnType<typeof uniqueNames>> {
  const names = uniqueNames(prefix);
  const admin = testKafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: names.outputTopic, numPartitions: 1 }, { topic: names.inputTopic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  return names;
}

describe('the transactional sink of a task (exactly-once), on a real broker', function () {
  this.timeout(120_000);
  const sinks: TransactionalSink[] = [];
  const open = async (id: string, groupId: string): Promise<TransactionalSink> => {
    const sink = await kafkaTransactionalSink(testKafka(), { transactionalId: id, groupId });
    sinks.push(sink);
    return sink;
  };
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  it('makes messages and the offset commit visible together, at commit', async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-commit');
    const sink = await open(`${groupId}-${inputTopic}-0`, groupId);
    for (const value of ['a', 'b', 'c']) sink.send({ topic: outputTopic, key: null, value });
    await sink.commit({ topic: inputTopic, partition: 0, offset: 3, metadata: '{"t":"source","w":5}' });
    sink.send({ topic: outputTopic, key: null, value: 'end' });
    await sink.commit({ topic: inputTopic, partition: 0, offset: 4, metadata: '{"t":"source","w":6}' });
    expect(await visibleUpTo(outputTopic, 'end')).to.deep.equal(['a', 'b', 'c']);
    expect(await committedOffset(groupId, inputTopic, 0)).to.deep.equal({ offset: '4', metadata: '{"t":"source","w":6}' });
    expect(sink.counts).to.deep.equal({ committed: 2, aborted: 0 });
  });

  it("commits a source task's and its customer task's offsets in one transaction, each with its metadata", async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-pair');
    const internal = `${inputTopic}-by-customer`;
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: internal, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const sink = await open(`${groupId}-${inputTopic}-0`, groupId);
    sink.send({ topic: outputTopic, key: null, value: 'end' });
    await sink.commit([
      { topic: inputTopic, partition: 0, offset: 7, metadata: 'source' },
      { topic: internal, partition: 0, offset: 3, metadata: 'customer' },
    ]);
    expect(await visibleUpTo(outputTopic, 'end')).to.deep.equal([]);
    expect(await committedOffset(groupId, inputTopic, 0)).to.deep.equal({ offset: '7', metadata: 'source' });
    expect(await committedOffset(groupId, internal, 0)).to.deep.equal({ offset: '3', metadata: 'customer' });
  });

  it('closed, holds nobody back: a task waiting for its output to commit goes on when its partition moves away', async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-close-wait');
    const sink = await open(`${groupId}-${inputTopic}-0`, groupId);
    for (const value of ['a', 'b', 'c']) sink.send({ topic: outputTopic, key: null, value });
    // Waits for a commit that never comes: the task's partition is taken away first.
    const waiting = sink.belowBound(1).then(() => 'went on');
    await sink.close();
    expect(await waiting).to.equal('went on');
    // What it sends after that is its next owner's to redo: dropped, not a failure.
    sink.send({ topic: outputTopic, key: null, value: 'late' });
    expect(sink.pending()).to.equal(3);
  });

  it('aborts what was never committed when it closes: nothing of it is visible, the commit stays where it was', async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-abort');
    const id = `${groupId}-${inputTopic}-0`;
    const first = await open(id, groupId);
    first.send({ topic: outputTopic, key: null, value: 'kept' });
    await first.commit({ topic: inputTopic, partition: 0, offset: 1, metadata: 'one' });
    first.send({ topic: outputTopic, key: null, value: 'lost' });
    // Closing waits for the send, then aborts the transaction it went into.
    await first.close();
    expect(first.counts).to.deep.equal({ committed: 1, aborted: 1 });
    const next = await open(id, groupId);
    next.send({ topic: outputTopic, key: null, value: 'end' });
    await next.commit({ topic: inputTopic, partition: 0, offset: 1, metadata: 'one' });
    expect(await visibleUpTo(outputTopic, 'end')).to.deep.equal(['kept']);
  });

  it("fences a zombie: once the task's next owner has opened its sink, the old one can neither send nor commit", async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-zombie');
    const id = `${groupId}-${inputTopic}-0`;
    const zombie = await open(id, groupId);
    const failures: Error[] = [];
    zombie.onFailure((e: Error) => failures.push(e));
    zombie.send({ topic: outputTopic, key: null, value: 'zombie-before' });
    const owner = await open(id, groupId);
    zombie.send({ topic: outputTopic, key: null, value: 'zombie-after' });
    let refused: unknown;
    await zombie.commit({ topic: inputTopic, partition: 0, offset: 99, metadata: 'zombie' }).catch((e: unknown) => (refused = e));
    expect(String(refused)).to.match(/epoch|fenced/i);
    expect(failures.length, 'the zombie is told it failed').to.be.greaterThan(0);
    owner.send({ topic: outputTopic, key: null, value: 'end' });
    await owner.commit({ topic: inputTopic, partition: 0, offset: 1, metadata: 'owner' });
    expect(await visibleUpTo(outputTopic, 'end')).to.deep.equal([]);
    expect(await committedOffset(groupId, inputTopic, 0)).to.deep.equal({ offset: '1', metadata: 'owner' });
  });

  it('commits back to back, a transaction that sent nothing right after one that did (kafkajs does not retry AddOffsetsToTxn refused while the last commit completes)', async () => {
    const { outputTopic, inputTopic, groupId } = await topics('txn-back-to-back');
    const sink = await open(`${groupId}-${inputTopic}-0`, groupId);
    for (let i = 1; i <= 40; i++) {
      if (i % 2 === 1) sink.send({ topic: outputTopic, key: null, value: `m${i}` });
      await sink.commit({ topic: inputTopic, partition: 0, offset: i, metadata: `c${i}` });
    }
    expect(sink.counts).to.deep.equal({ committed: 40, aborted: 0 });
    expect(await committedOffset(groupId, inputTopic, 0)).to.deep.equal({ offset: '40', metadata: 'c40' });
  });
});
