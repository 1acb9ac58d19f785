import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { CommittedOffset, PartitionWord, RecordSource, SourceBatch } from '../ports.js';
import { retrying } from './retry.js';

/** How long to wait before asking again where partitions end, when the broker did not answer. */
const CONFIRM_RETRY_MS = 1_000;

/** The group moved partitions: the run must start again from the committed offsets. Not a failure. */
export class RebalanceError extends Error {
  override readonly name = 'RebalanceError';
  readonly rebalanced = true;
}

export interface KafkaSourceOptions {
  readonly topic: string;
  readonly groupId: string;
}

/**
 * A topic as our {@link RecordSource}: one kafkajs consumer in a group, batches handed over one at a
 * time (the handler's promise holds the next), offsets committed only when we say, never automatically.
 */
export function kafkaSource(kafka: Kafka, options: KafkaSourceOptions): RecordSource {
  const { topic, groupId } = options;
  let consumer: Consumer | undefined;
  const admin: Admin = kafka.admin();
  // Set by pause(): batches fetched after it are not handed over.
  let paused = false;
  // The handler running now, so that pause() can wait for it.
  let handling: Promise<void> = Promise.resolve();
  // Partitions the broker confirmed at their end, with the next offset to read in each.
  const caughtUp = new Map<number, number>();
  // Partitions reported as maybe having records again, until the broker says where they end: the next
  // offset to read, and the doubt that put them here (an answer to an earlier question says nothing of it).
  const unsure = new Map<number, { readonly next: number; readonly doubt: number }>();
  // Counts doubts, for the above.
  let doubts = 0;
  // Told of changed words; set by start().
  let tell: (words: readonly PartitionWord[]) => void = () => undefined;
  // The pending retry of a confirmation the broker did not answer.
  let retry: NodeJS.Timeout | undefined;
  // A question to the broker is on its way; `askAgain` when doubts came after it was sent.
  let asking = false;
  let askAgain = false;
  let stopped = false;

  /**
   * Before a batch is handed over, every other partition taken for caught up may have records again (a
   * producer writes to all partitions at once, but batches come one partition at a time): report them as
   * not caught up, so that the batch's records wait for theirs instead of moving event time past them.
   */
  const doubt = (current: number): void => {
    const words: PartitionWord[] = [];
    doubts += 1;
    for (const [partition, next] of caughtUp) {
      if (partition === current) continue;
      caughtUp.delete(partition);
      unsure.set(partition, { next, doubt: doubts });
      words.push({ partition, caughtUp: false });
    }
    // Already in doubt: only an answer to a question asked after this batch was fetched clears them now.
    for (const [partition, doubted] of unsure) if (partition !== current) unsure.set(partition, { next: doubted.next, doubt: doubts });
    if (words.length > 0) tell(words);
  };

  /**
   * Asks the broker where the doubted partitions end: those still at their end are caught up again; the
   * others have records to read and hold the watermark until their batches come. A broker that does not
   * answer is asked again: a broker that is away is not a partition with nothing to read.
   */
  const confirm = async (): Promise<void> => {
    if (unsure.size === 0 || stopped) return;
    const asked = doubts;
    const ends = await admin.fetchTopicOffsets(topic).catch(() => undefined);
    if (ends === undefined) {
      clearTimeout(retry);
      retry = setTimeout(ask, CONFIRM_RETRY_MS);
      return;
    }
    const words: PartitionWord[] = [];
    for (const end of ends) {
      const doubted = unsure.get(end.partition);
      if (doubted === undefined || doubted.doubt > asked) continue;
      unsure.delete(end.partition);
      if (Number(end.high) <= doubted.next) {
        caughtUp.set(end.partition, doubted.next);
        words.push({ partition: end.partition, caughtUp: true });
      }
    }
    if (words.length > 0) tell(words);
  };

  /**
   * One question at a time, without holding the batch that raised it: the next fetch goes on meanwhile
   * (its orders wait in the pipeline's partition group, not here), and doubts raised while a question is
   * on its way are asked about once it is answered.
   */
  const ask = (): void => {
    if (asking) {
      askAgain = true;
      return;
    }
    asking = true;
    void confirm().finally(() => {
      asking = false;
      if (askAgain) {
        askAgain = false;
        ask();
      }
    });
  };

  /** The batch's own partition: caught up or not, as the broker said with the batch. */
  const settle = (partition: number, next: number, isCaughtUp: boolean): void => {
    unsure.delete(partition);
    if (isCaughtUp) caughtUp.set(partition, next);
    else caughtUp.delete(partition);
  };

  const committed = async (): Promise<CommittedOffset[]> => {
    const [entry] = await retrying(() => admin.fetchOffsets({ groupId, topics: [topic] }));
    return (entry?.partitions ?? []).map((p) => ({ partition: p.partition, offset: Number(p.offset), metadata: p.metadata }));
  };

  return {
    async start({ handle, onAssigned, onPartitions, failed }) {
      tell = onPartitions;
      await admin.connect();
      consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        // A crashed instance holds its partitions until its session times out: keep that short.
        sessionTimeout: 10_000,
        heartbeatInterval: 2_000,
        // A fetch waits at most this long for data; disconnecting waits for it too, so it bounds shutdown.
        maxWaitTimeInMs: 1_000,
      });
      const c = consumer;
      let joined = false;
      // Settles once the assigned partitions have been told to onAssigned.
      let announced: Promise<void> = Promise.resolve();
      // start() resolves when the first assignment is announced: ready means partitions assigned.
      let firstAnnounced: () => void = () => undefined;
      const assignedOnce = new Promise<void>((resolve) => {
        firstAnnounced = resolve;
      });
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        if (joined) {
          // A rebalance resets every partition to the group's committed offset, behind records the
          // pipeline already holds: go on and they would count twice. Start over from the commit instead.
          failed(new RebalanceError(`the group rebalanced; restarting from the last commit`));
          return;
        }
        joined = true;
        const partitions = payload.memberAssignment[topic] ?? [];
        // Which partitions have nothing to read: the group's offset has reached the end. Batches wait for
        // this: a partition the watermark does not know yet cannot hold it back, and its records would be late.
        announced = Promise.all([committed(), retrying(() => admin.fetchTopicOffsets(topic))])
          .then(([done, ends]) => {
            const high = new Map(ends.map((e) => [e.partition, Number(e.high)]));
            const low = new Map(ends.map((e) => [e.partition, Number(e.low)]));
            const at = new Map(done.map((d) => [d.partition, d.offset]));
            const assigned = partitions.map((partition) => {
              const offset = at.get(partition) ?? -1;
              const next = offset >= 0 ? offset : (low.get(partition) ?? 0);
              const highWatermark = high.get(partition) ?? 0;
              return { partition, caughtUp: next >= highWatermark, offset: next, highWatermark };
            });
            for (const p of assigned) if (p.caughtUp) caughtUp.set(p.partition, p.offset);
            onAssigned(assigned);
            firstAnnounced();
          })
          .catch((err: unknown) => failed(err as Error));
      });
      c.on(c.events.CRASH, ({ payload }) => {
        if (!payload.restart) failed(payload.error);
      });
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({
        autoCommit: false,
        // Offsets count as consumed only once handed to the pipeline: a batch skipped below is not lost.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          await announced;
          if (paused || !isRunning() || isStale()) return;
          const records = batch.messages.map((m) => ({
            kind: 'record' as const,
            partition: batch.partition,
            offset: Number(m.offset),
            value: m.value,
          }));
          const highWatermark = Number(batch.highWatermark);
          const next = Number(batch.lastOffset()) + 1;
          const isCaughtUp = next >= highWatermark;
          doubt(batch.partition);
          settle(batch.partition, next, isCaughtUp);
          const delivered: SourceBatch = { partition: batch.partition, records, caughtUp: isCaughtUp, highWatermark };
          // The handler may wait for the sink; keep the group membership alive meanwhile.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
          // Handed over before the broker answers about the other partitions: a high_amount alert need
          // not wait for that round trip, only what depends on event time does.
          handling = handle(delivered);
          ask();
          try {
            await handling;
          } finally {
            clearInterval(beat);
          }
          resolveOffset(batch.lastOffset());
        },
      });
      // A batch of nothing but transaction markers or compacted-away records never reaches eachBatch, but
      // still moves the partition to its end.
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize > 0 || payload.topic !== topic || Number(payload.offsetLag) > 0 || caughtUp.has(payload.partition)) return;
        settle(payload.partition, Number(payload.lastOffset) + 1, true);
        tell([{ partition: payload.partition, caughtUp: true }]);
      });
      await assignedOnce;
    },
    pausePartition(partition) {
      consumer?.pause([{ topic, partitions: [partition] }]);
    },
    resumePartition(partition) {
      consumer?.resume([{ topic, partitions: [partition] }]);
    },
    async pause() {
      paused = true;
      consumer?.pause([{ topic }]);
      await handling.catch(() => undefined);
    },
    committed: async () => {
      await admin.connect();
      return committed();
    },
    async commit(offsets) {
      if (consumer === undefined || offsets.length === 0) return;
      await consumer.commitOffsets(offsets.map((o) => ({ topic, partition: o.partition, offset: String(o.offset), metadata: o.metadata })));
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
      await admin.disconnect();
    },
  };
}
