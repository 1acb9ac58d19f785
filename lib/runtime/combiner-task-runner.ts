import { Subject, type Subscription } from 'rxjs';
import type { GroupBatch, OwnedPartition } from '../io/ports.js';
import { toOutgoing } from '../io/serialize.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import { tumblingWindows } from '../operators/window-assigner.js';
import { hourlyCombiner } from '../topology/hourly-combiner.js';
import type { HourlyPartial, TaskMark } from '../topology/messages.js';
import { BACKPRESSURE_STRIDE, type Task, type TaskContext, type TaskDescription } from './task.js';
import { readMetadata, writeMetadata } from './task-metadata.js';
import { readPartial } from './wire.js';

/**
 * The task of the hourly-partials topic (one partition, so one task in the group): runs
 * {@link hourlyCombiner} and publishes each window's one hourly_sales. It commits up to the first partial
 * of the earliest window still open, with its watermark and each customer task's as metadata; a window
 * that fired after the commit and before a crash fires again, the same.
 */
export function combinerTaskRunner(owned: OwnedPartition, context: TaskContext): Task {
  const { sink, topics, internal, analytics, maxPendingOutputs } = context;
  const restored = readMetadata(owned.committed.metadata, 'combiner');
  let next = owned.committed.offset >= 0 ? owned.committed.offset : owned.low;
  let watermark = restored?.w ?? NO_WATERMARK;
  let caughtUp = false;
  const taskMarks = new Map<number, number>(restored?.tasks ?? []);
  // The offset of the first partial of each open window, by start.
  const firstOffset = new Map<number, number>();
  const input = new Subject<HourlyPartial | TaskMark>();
  const subscription: Subscription = input
    .pipe(
      hourlyCombiner({
        assigner: tumblingWindows(analytics.windowSizeMs),
        tasks: context.inputPartitions,
        ...(restored ? { initialWatermark: restored.w } : {}),
        onOpen: (open) => {
          const starts = new Set(open.map((w) => w.start));
          for (const start of firstOffset.keys()) if (!starts.has(start)) firstOffset.delete(start);
        },
        onWatermark: (w) => {
          watermark = w;
        },
      }),
    )
    .subscribe({
      next: (out) => {
        sink.send(toOutgoing(out, topics));
        context.onOutput(out);
      },
    });
  for (const [task, w] of taskMarks) input.next({ kind: 'task-mark', task, watermark: w });

  return {
    topic: internal.hourlyPartials,
    partition: owned.partition,
    get next() {
      return next;
    },
    async handle(batch: GroupBatch) {
      for (let i = 0; i < batch.records.length; i++) {
        const record = batch.records[i]!;
        if (record.offset < next) continue;
        next = record.offset + 1;
        const item = readPartial(record);
        if (item.kind === 'task-mark') {
          if (item.watermark > (taskMarks.get(item.task) ?? NO_WATERMARK)) taskMarks.set(item.task, item.watermark);
        } else if (!firstOffset.has(item.window.start) && item.window.end - 1 > watermark) {
          firstOffset.set(item.window.start, record.offset);
        }
        input.next(item);
        if (i % BACKPRESSURE_STRIDE === 0 && sink.pending() >= maxPendingOutputs) await sink.belowBound(maxPendingOutputs);
      }
      next = Math.max(next, batch.end);
      caughtUp = batch.caughtUp;
    },
    commitEntry() {
      let offset = next;
      for (const o of firstOffset.values()) offset = Math.min(offset, o);
      return { offset, metadata: writeMetadata({ t: 'combiner', w: watermark, tasks: taskMarks }) };
    },
    describe: (): TaskDescription => ({ kind: 'combiner', topic: internal.hourlyPartials, partition: owned.partition, next, watermark, caughtUp, settled: true }),
    close: () => subscription.unsubscribe(),
  };
}
