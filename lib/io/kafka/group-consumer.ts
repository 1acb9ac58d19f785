import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import type { GroupBatch, GroupConsumer, GroupRecord, OwnedPartition } from '../ports.js';
import { coPartitionedAssigner } from './co-partitioned-assigner.js';
import { retrying } from './retry.js';

export interface GroupConsumerOptions {
  readonly topics: readonly string[];
  readonly groupId: string;
}

/**
 * Our {@link GroupConsumer} on one kafkajs consumer: offsets committed only when we say, batches handed
 * over one at a time (the handler's promise holds the next). kafkajs rebalances eagerly (every partition is
 * revoked and assigned again, and fetching restarts from the committed offsets): partitions that stay are
 * sought back to where their tasks are, so a rebalance costs a pause, not a restart.
 */
export function kafkaGroupConsumer(kafka: Kafka, options: GroupConsumerOptions): GroupConsumer {
  const { topics, groupId } = options;
  const admin: Admin = kafka.admin();
  let consumer: Consumer | undefined;
  let paused = false;
  // The handler running now (batches and marker-only ends are handed over one at a time).
  let handling: Promise<void> = Promise.resolve();

  const owned = async (assignment: Record<string, number[]>): Promise<OwnedPartition[]> => {
    const entries = Object.entries(assignment).filter(([, partitions]) => partitions.length > 0);
    if (entries.length === 0) return [];
    const [committed, ends] = await Promise.all([
      retrying(() => admin.fetchOffsets({ groupId, topics: entries.map(([topic]) => topic) })),
      Promise.all(entries.map(([topic]) => retrying(() => admin.fetchTopicOffsets(topic)))),
    ]);
    return entries.flatMap(([topic, partitions], i) => {
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      const offsets = ends[i] ?? [];
      return partitions.map((partition) => {
        const c = done.find((d) => d.partition === partition);
        const o = offsets.find((e) => e.partition === partition);
        return {
          topic,
          partition,
          committed: { partition, offset: c === undefined ? -1 : Number(c.offset), metadata: c?.metadata ?? null },
          low: Number(o?.low ?? 0),
          high: Number(o?.high ?? 0),
        };
      });
    });
  };

  return {
    async start({ onAssignment, handle, failed }) {
      await admin.connect();
      consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        // Partition p of the input and of the orders-by-customer topic to one member (see the runtime).
        partitionAssigners: [coPartitionedAssigner],
        // A crashed instance holds its partitions until its session times out: keep that short.
        sessionTimeout: 10_000,
        heartbeatInterval: 2_000,
        // A rebalance waits this long at most for members to rejoin.
        rebalanceTimeout: 20_000,
        // A fetch waits at most this long for data; disconnecting waits for it too, so it bounds shutdown.
        maxWaitTimeInMs: 500,
      });
      const c = consumer;
      // Settles once the current assignment has been handled; batches wait on it.
      let assigned: Promise<void> = Promise.resolve();
      let firstAssigned: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => {
        firstAssigned = resolve;
      });
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const assignment = payload.memberAssignment;
        assigned = assigned
          .then(() => owned(assignment))
          .then((list) => onAssignment(list))
          .then(() => firstAssigned())
          .catch((err: unknown) => failed(err as Error));
      });
      c.on(c.events.CRASH, ({ payload }) => {
        if (!payload.restart) failed(payload.error);
      });
      await c.connect();
      await c.subscribe({ topics: [...topics], fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          await assigned;
          if (paused || !isRunning() || isStale()) return;
          const records: GroupRecord[] = batch.messages.map((m) => ({
            kind: 'record' as const,
            partition: batch.partition,
            offset: Number(m.offset),
            value: m.value,
            key: m.key,
            headers: textHeaders(m.headers),
          }));
          const highWatermark = Number(batch.highWatermark);
          const delivered: GroupBatch = {
            topic: batch.topic,
            partition: batch.partition,
            records,
            caughtUp: Number(batch.lastOffset()) + 1 >= highWatermark,
            highWatermark,
            end: Number(batch.lastOffset()) + 1,
          };
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
      // A batch of nothing but transaction markers or compacted-away records never reaches eachBatch, but
      // still moves the partition to its end.
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize > 0 || Number(payload.offsetLag) > 0 || paused) return;
        const end: GroupBatch = { topic: payload.topic, partition: payload.partition, records: [], caughtUp: true, highWatermark: Number(payload.lastOffset) + 1, end: Number(payload.lastOffset) + 1 };
        handling = handling.then(() => handle(end)).catch((err: unknown) => failed(err as Error));
      });
      await ready;
    },
    seek(topic, partition, offset) {
      consumer?.seek({ topic, partition, offset: String(offset) });
    },
    pausePartition(topic, partition) {
      consumer?.pause([{ topic, partitions: [partition] }]);
    },
    resumePartition(topic, partition) {
      consumer?.resume([{ topic, partitions: [partition] }]);
    },
    async pause() {
      paused = true;
      consumer?.pause(topics.map((topic) => ({ topic })));
      await handling.catch(() => undefined);
    },
    async commit(offsets) {
      if (consumer === undefined || offsets.length === 0) return;
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset), metadata: o.metadata })));
    },
    async endOffsets(topic) {
      const ends = await admin.fetchTopicOffsets(topic);
      return new Map(ends.map((e) => [e.partition, Number(e.high)]));
    },
    async committed(topic, partition) {
      const [t] = await retrying(() => admin.fetchOffsets({ groupId, topics: [topic] }));
      const p = t?.partitions.find((x) => x.partition === partition);
      return { offset: p === undefined ? -1 : Number(p.offset), metadata: p?.metadata ?? null };
    },
    async deleteRecords(topic, partitions) {
      if (partitions.length === 0) return;
      await admin.deleteTopicRecords({ topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) });
    },
    async stop() {
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
      await admin.disconnect();
    },
  };
}

function textHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = first === undefined ? undefined : first.toString();
  }
  return out;
}
