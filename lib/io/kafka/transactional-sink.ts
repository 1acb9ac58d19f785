import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingMessage, TransactionalCommit, TransactionalSink } from '../ports.js';
import { CountWaiters } from './count-waiters.js';
import { topicMessagesOf } from './topic-messages.js';

/**
 * kafkajs retries a send refused with CONCURRENT_TRANSACTIONS (the broker still writing the markers of this
 * producer's last commit) but not the AddOffsetsToTxn of `sendOffsets`, which comes first in a transaction
 * that sent nothing: Kafka's own client retries both. Seen in the bench: the run failed and restarted.
 */
async function whileConcurrent(step: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const type = (err as { type?: string }).type ?? (err as { cause?: { type?: string } }).cause?.type;
      if (type !== 'CONCURRENT_TRANSACTIONS' || attempt >= CONCURRENT_RETRIES) throw err;
      await sleep(Math.min(10 * 2 ** attempt, 1_000));
    }
  }
}

/** About 20 s of CONCURRENT_TRANSACTIONS before a commit gives up (the markers take milliseconds). */
const CONCURRENT_RETRIES = 25;

/** Most messages in one produce request inside a transaction. */
const BATCH_LIMIT = 2_000;

export interface TransactionalSinkOptions {
  /** Derived from the group and the task's partition, so that a task's next owner fences this one. */
  readonly transactionalId: string;
  readonly groupId: string;
}

/**
 * One kafkajs transactional producer for one task (Kafka Streams' first exactly-once design: a producer
 * per task, its `transactional.id` from the group and the partition). Created, it opens a transaction at
 * once: kafkajs sends InitProducerId there, not at `connect`, and that is what fences a zombie with the
 * same id and settles its open transaction, so it must happen before the task reads its commit.
 *
 * Sends inside a transaction go one request at a time (kafkajs issues #1315, #1416, #296 describe what
 * goes wrong otherwise). Retries start after 10 ms, not kafkajs's 300: a transaction begun right after
 * the last commit is refused with CONCURRENT_TRANSACTIONS until the broker has written that commit's
 * markers, and the default backoff made every transaction cost some 140 ms on our broker (17-23 ms with
 * 10 ms, measured).
 */
export async function kafkaTransactionalSink(kafka: Kafka, options: TransactionalSinkOptions): Promise<TransactionalSink> {
  const producer: Producer = kafka.producer({
    transactionalId: options.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 10, retries: 30, maxRetryTime: 10_000 },
  });
  await producer.connect();
  let transaction: Transaction = await producer.transaction();
  let queue: OutgoingMessage[] = [];
  let queued = 0;
  let acked = 0;
  // Messages in committed transactions: the rest are not yet visible to read_committed readers.
  let published = 0;
  // The chain of sends and commits: one request at a time, in order.
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  const failureListeners: Array<(e: Error) => void> = [];
  // Set by close: the task has moved away, and what it still sends is its next owner's to redo.
  let closed = false;
  // Waiters on commits (a message is out once its transaction commits). A closed sink holds nobody back:
  // a task's handler waiting on it when its partition moved away must end, or the consumer waits forever.
  const waiters = new CountWaiters(() => (closed ? Number.POSITIVE_INFINITY : published), () => failure);
  const settle = (): void => waiters.settle();
  const counts = { committed: 0, aborted: 0 };

  const fail = (err: unknown): void => {
    if (failure !== undefined) return;
    failure = err instanceof Error ? err : new Error(String(err));
    settle();
    for (const listener of failureListeners) listener(failure);
  };

  // Commits asked for and not yet made, each as the count of messages queued when it was asked: the
  // transaction it ends holds exactly those (the task's commit entry was taken then), later ones wait.
  const limits: number[] = [];

  /**
   * Sends queued messages, a batch a request, inside the open transaction: up to the first commit asked
   * for, read again before every request (a commit asked for while requests are out ends the transaction
   * at its own mark, and what was queued after it waits for the next one).
   */
  const sendQueued = async (): Promise<void> => {
    while (queue.length > 0 && failure === undefined && acked < (limits[0] ?? Infinity)) {
      const n = Math.min(BATCH_LIMIT, queue.length, (limits[0] ?? Infinity) - acked);
      const batch = queue.slice(0, n);
      queue = queue.slice(n);
      await transaction.sendBatch({ acks: -1, topicMessages: topicMessagesOf(batch) });
      acked += batch.length;
    }
  };

  const enqueue = (step: () => Promise<void>): Promise<void> => {
    const next = chain.then(() => (failure === undefined ? step() : Promise.reject(failure)));
    chain = next.catch((err: unknown) => fail(err));
    return next;
  };

  const waitFor = (mark: number): Promise<void> => waiters.waitFor(mark);

  return {
    send(message) {
      if (closed) return;
      queue.push(message);
      queued += 1;
      if (queue.length === 1) void enqueue(sendQueued).catch(() => undefined);
    },
    // Output counts as pending until its transaction commits: that bounds a transaction (what a task reads
    // ahead waits for commits), so a backlog is taken in transactions of at most the bound, committed every
    // interval, and the next tasks can read it as it goes instead of after it all.
    pending: () => queued - published,
    sent: () => queued,
    flush: () => waitFor(queued),
    belowBound: (bound) => waitFor(queued - bound + 1),
    onFailure: (listener) => void failureListeners.push(listener),
    counts,
    commit(entries: TransactionalCommit | readonly TransactionalCommit[]) {
      const list: readonly TransactionalCommit[] = Array.isArray(entries) ? entries : [entries as TransactionalCommit];
      const mark = queued;
      limits.push(mark);
      return enqueue(async () => {
        await sendQueued();
        if (failure !== undefined) throw failure;
        // Never commit output its entries do not cover: the next owner would publish it again.
        if (acked !== mark) throw new Error(`transaction of ${list.map((e) => `${e.topic}:${e.partition}`).join(', ')} holds ${acked} messages, its commit covers ${mark}`);
        // kafkajs's types leave out the metadata its TxnOffsetCommit request writes (protocol field
        // `metadata`, checked on the broker: it comes back with the committed offset).
        const topics = [...new Set(list.map((e) => e.topic))].map((topic) => ({
          topic,
          partitions: list.filter((e) => e.topic === topic).map((e) => ({ partition: e.partition, offset: String(e.offset), metadata: e.metadata })) as unknown as Array<{ partition: number; offset: string }>,
        }));
        await whileConcurrent(() => transaction.sendOffsets({ consumerGroupId: options.groupId, topics }));
        await transaction.commit();
        limits.shift();
        published = mark;
        settle();
        counts.committed += 1;
        transaction = await producer.transaction();
        // What came after the entry goes in the next transaction.
        if (queue.length > 0) void enqueue(sendQueued).catch(() => undefined);
      });
    },
    async close() {
      closed = true;
      settle();
      // Without a commit the open transaction is aborted: what it holds is sent again by the next owner.
      await chain;
      if (failure === undefined && transaction.isActive()) {
        // One that holds nothing (a stop commits first) is no abort worth counting.
        const holding = queued > published;
        await transaction.abort().then(
          () => void (counts.aborted += holding ? 1 : 0),
          () => undefined,
        );
      }
      await producer.disconnect();
    },
  };
}
