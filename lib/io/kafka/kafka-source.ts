import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { CommittedOffset, RecordSource, SourceBatch } from '../ports.js';
import { retrying } from './retry.js';

/**
 * How often the broker is asked whether caught-up partitions have records again: before any batch this
 * large (a backlog: one batch can span hours of event time and move the watermark past them), else at
 * most once in this long (live traffic: small batches, and an extra round trip on each would cost every
 * alert latency).
 */
const BACKLOG_BATCH_RECORDS = 100;
const BACKLOG_CHECK_MS = 1_000;

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
  // Partitions handed over to the end of what the broker had, with the next offset to read in each.
  const caughtUp = new Map<number, number>();
  let lastBacklogCheck = 0;

  /**
   * A producer writes to every partition at once, but batches come one partition at a time: before one
   * is handed over, ask the broker whether partitions we took for caught up have records again, so the
   * watermark waits for them instead of running ahead and making their records late. Only while some
   * other partition is caught up, and as often as the constants above say.
   */
  const checkBacklog = async (current: number, size: number, tell: ((partitions: readonly number[]) => void) | undefined): Promise<void> => {
    if (tell === undefined || (size < BACKLOG_BATCH_RECORDS && Date.now() - lastBacklogCheck < BACKLOG_CHECK_MS)) return;
    if (![...caughtUp.keys()].some((p) => p !== current)) return;
    lastBacklogCheck = Date.now();
    // Best effort: without an answer the batch goes on, and what it makes late still reaches the DLQ.
    const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
    const behind: number[] = [];
    for (const end of ends) {
      const next = caughtUp.get(end.partition);
      if (end.partition !== current && next !== undefined && Number(end.high) > next) {
        caughtUp.delete(end.partition);
        behind.push(end.partition);
      }
    }
    if (behind.length > 0) tell(behind);
  };

  const committed = async (): Promise<CommittedOffset[]> => {
    const [entry] = await retrying(() => admin.fetchOffsets({ groupId, topics: [topic] }));
    return (entry?.partitions ?? []).map((p) => ({ partition: p.partition, offset: Number(p.offset), metadata: p.metadata }));
  };

  return {
    async start({ handle, onAssigned, onBacklog, failed }) {
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
          await checkBacklog(batch.partition, batch.messages.length, onBacklog);
          const records = batch.messages.map((m) => ({
            kind: 'record' as const,
            partition: batch.partition,
            offset: Number(m.offset),
            value: m.value,
          }));
          const highWatermark = Number(batch.highWatermark);
          const next = Number(batch.lastOffset()) + 1;
          const isCaughtUp = next >= highWatermark;
          if (isCaughtUp) caughtUp.set(batch.partition, next);
          else caughtUp.delete(batch.partition);
          const delivered: SourceBatch = { partition: batch.partition, records, caughtUp: isCaughtUp, highWatermark };
          // The handler may wait for the sink; keep the group membership alive meanwhile.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
          handling = handle(delivered);
          try {
            await handling;
          } finally {
            clearInterval(beat);
          }
          resolveOffset(batch.lastOffset());
        },
      });
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
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
      await admin.disconnect();
    },
  };
}
