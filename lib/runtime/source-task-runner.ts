import { Subject, type Subscription } from 'rxjs';
import type { GroupBatch, OwnedPartition } from '../io/ports.js';
import { toOutgoing } from '../io/serialize.js';
import type { SourceEvent } from '../model/source.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import { sourceTask } from '../topology/source-task.js';
import type { LocalLane } from './local-lane.js';
import { markMessage, routedMessage } from './wire.js';
import { BACKPRESSURE_STRIDE, type Task, type TaskContext, type TaskDescription } from './task.js';
import { readMetadata, writeMetadata } from './task-metadata.js';

/**
 * The task of one input partition: runs {@link sourceTask} over the partition's records, publishes dead
 * letters and high_amount alerts, and sends orders (each to its customer's partition) and marks (a copy to
 * every partition), with the watermark rises each partition must hear of, into the orders-by-customer
 * topic; what goes to the customer task of its own number goes across in memory instead ({@link LocalLane}).
 * It commits where its last marks went out (the end of the last batch), once its output is acknowledged,
 * with its watermark there as metadata; or, where the local lane's re-read must start earlier, there, with
 * where it stood: a restart reads that stretch again for the local lane only.
 */
export function sourceTaskRunner(owned: OwnedPartition, context: TaskContext, local?: LocalLane): Task {
  const { partition } = owned;
  const { sink, topics, internal, inputPartitions, maxPendingOutputs } = context;
  const restored = readMetadata(owned.committed.metadata, 'source');
  let next = owned.committed.offset >= 0 ? owned.committed.offset : owned.low;
  // Where the task's own output stopped before the restart: below it, only the local lane hears again.
  const outputFrom = Math.max(next, restored?.n ?? next);
  // The record being read is below that.
  let replaying = false;
  let watermark = restored?.w ?? NO_WATERMARK;
  let idle = next >= owned.high;
  // Where a restart may begin: after the last marks, which carried every watermark rise the customer tasks
  // had yet to hear of (see stampRises). A restart mid-batch would lose the rises of the orders before it.
  let committable = { next, watermark };
  let inBatch = false;
  const input = new Subject<SourceEvent>();
  const subscription: Subscription = input.pipe(
    sourceTask(context.analytics, { destinations: inputPartitions, ...(restored?.w !== undefined ? { initialWatermark: restored.w } : {}) }),
  ).subscribe({
    next: (out) => {
      if (out.kind === 'routed') {
        watermark = out.watermark;
        if (local !== undefined && out.destination === partition) local.accept({ ...out, at: { partition, offset: out.record.source.offset } });
        else if (!replaying) sink.send(routedMessage(internal.ordersByCustomer, out));
      } else if (out.kind === 'partition-status') {
        watermark = Math.max(watermark, out.watermark);
        if (local !== undefined && out.destination === partition) local.accept({ ...out, next, at: { partition, offset: next } });
        else if (next >= outputFrom) sink.send(markMessage(internal.ordersByCustomer, out, next));
        committable = { next, watermark };
      } else if (!replaying) {
        sink.send(toOutgoing(out, topics));
        context.onOutput(out);
      }
    },
  });
  // Every customer task hears at once whether this partition has records to read.
  input.next({ kind: 'partition-status', partition, idle });

  return {
    topic: topics.inputTopic,
    partition,
    get next() {
      return next;
    },
    async handle(batch: GroupBatch) {
      inBatch = true;
      if (batch.records.length > 0) local?.batchStarts();
      for (let i = 0; i < batch.records.length; i++) {
        const record = batch.records[i]!;
        if (record.offset < next) continue;
        if (next < outputFrom && record.offset >= outputFrom) {
          // Where the task stood before the restart, marks went out: so they do again, and what follows is new.
          next = outputFrom;
          input.next({ kind: 'partition-status', partition, idle: false });
        }
        replaying = record.offset < outputFrom;
        input.next(record);
        next = record.offset + 1;
        if (i % BACKPRESSURE_STRIDE === 0 && sink.pending() >= maxPendingOutputs) await sink.belowBound(maxPendingOutputs);
      }
      replaying = false;
      next = Math.max(next, batch.end);
      idle = batch.caughtUp;
      inBatch = false;
      input.next({ kind: 'partition-status', partition, idle });
      local?.batchEnds();
    },
    commitEntry: () => {
      // A commit in the middle of a batch sends marks first: they carry the rises still owed, so the commit
      // may stand where the task is, and cover all it has sent (a transaction holds all so far). Mid-batch
      // the partition has records to read, whatever the last batch said.
      if (committable.next !== next) input.next({ kind: 'partition-status', partition, idle: inBatch ? false : idle });
      // Taken after those marks, which the local lane hears too: its re-read and this commit agree.
      const resume = local?.resumeAt();
      const from = resume !== undefined && resume.offset < committable.next ? resume : { offset: committable.next, watermark: committable.watermark };
      const stood = Math.max(committable.next, outputFrom);
      return { offset: from.offset, metadata: writeMetadata({ t: 'source', w: from.watermark, ...(stood > from.offset ? { n: stood } : {}) }) };
    },
    describe: (): TaskDescription => ({ kind: 'source', topic: topics.inputTopic, partition, next, watermark, caughtUp: idle, settled: true, rereading: next < outputFrom }),
    close: () => subscription.unsubscribe(),
  };
}
