import { Subject, type Subscription } from 'rxjs';
import type { GroupBatch, OwnedPartition } from '../io/ports.js';
import { toOutgoing } from '../io/serialize.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import { tumblingWindows } from '../operators/window-assigner.js';
import { customerTask } from '../topology/customer-task.js';
import type { RoutedOrder, TaskMark, UpstreamMark } from '../topology/messages.js';
import { LaneTracker } from './lane-tracker.js';
import type { LocalLane } from './local-lane.js';
import { BACKPRESSURE_STRIDE, type Task, type TaskContext, type TaskDescription } from './task.js';
import { readMetadata, writeMetadata } from './task-metadata.js';
import { partialMessage, readRouted, taskMarkMessage } from './wire.js';

/** How long to wait before asking again where the input partitions end, when the broker did not answer. */
const CONFIRM_RETRY_MS = 1_000;

/** Per-task figures the instance adds up for its metrics. */
export interface CustomerTaskGauges {
  openWindows: number;
  openPanes: number;
  liveKeys: number;
}

/**
 * The task of one partition of the orders-by-customer topic: runs {@link customerTask} over it, publishes
 * customer_stats, velocity alerts and late dead letters, and sends its hourly partials and its watermark
 * to the combiner. Restored from its commit: the re-read of each lane starts where that lane still needs
 * records, and what was processed before the commit publishes nothing again.
 *
 * An input partition's word "caught up" is doubted whenever orders of other partitions arrive (its own
 * may have been written since, and be on their way through its source task), and believed again once the
 * broker confirms the partition ends where the word said: as one instance does for its own partitions.
 *
 * With `local`, the lane of the input partition of its own number comes from the source task beside it, in
 * memory ({@link LocalLane}), not through the topic.
 */
export function customerTaskRunner(
  owned: OwnedPartition,
  context: TaskContext,
  gauges: CustomerTaskGauges,
  options: { readonly local?: boolean } = {},
): Task & { readonly heldOf: (lane: number) => number; readonly processed: number; readonly local: LocalLane } {
  const { partition: task } = owned;
  const { sink, topics, internal, analytics, maxPendingOutputs, observer } = context;
  const restored = readMetadata(owned.committed.metadata, 'customer');
  const localLane = options.local === true ? task : undefined;
  if (restored !== undefined && restored.local !== localLane) {
    throw new Error(
      `${internal.ordersByCustomer}:${task}: the group's commit was made by a build that sent ${restored.local === undefined ? 'every order' : 'not every order'} through this topic, and cannot be restored by this one; use a new kafka.groupId, or stop the group and delete its offsets and internal topics`,
    );
  }
  const start = owned.committed.offset >= 0 ? owned.committed.offset : owned.low;
  let next = start;
  const tracker = new LaneTracker(tumblingWindows(analytics.windowSizeMs), analytics.velocityWindowMs, start, restored?.lanes, localLane);
  // Where each lane's re-read starts, and how far it had been processed (the local lane's, in its input
  // partition, are only the lane's own: a lane without them re-reads nothing).
  const laneFrom = (lane: number): number => restored?.lanes.get(lane)?.from ?? (lane === localLane ? Number.POSITIVE_INFINITY : (restored?.next ?? 0));
  const laneReadUpTo = (lane: number): number => restored?.lanes.get(lane)?.readUpTo ?? (lane === localLane ? Number.NEGATIVE_INFINITY : (restored?.next ?? 0));
  // Each input partition's last word as read from the log (what a commit records), and the words doubted.
  const words = new Map<number, UpstreamMark>();
  for (const [partition, w] of restored?.words ?? []) {
    // A word the re-read will meet again is not restored: until its lane's re-read orders have gone through,
    // its watermark (which may have been waiting behind them) would move event time past them.
    if (w.at === undefined || w.at >= laneFrom(partition)) continue;
    words.set(partition, {
      kind: 'partition-status',
      partition,
      idle: w.caughtUp,
      watermark: w.watermark,
      latest: w.latest,
      ...(w.next !== undefined ? { next: w.next } : {}),
      at: { partition, offset: w.at },
    });
  }
  // Doubted partitions, with the batch (generation) that last doubted each; one question to the broker at a time.
  const doubted = new Map<number, number>();
  let generation = 0;
  let asking = false;
  let askAgain = false;
  let unanswered = false;
  let watermark = restored?.w ?? NO_WATERMARK;
  let pendingMark: TaskMark | undefined;
  let closed = false;
  // Orders processed (taken out of the partition group in event time), for the held-orders gate.
  let processed = 0;
  let caughtUp = false;

  const input = new Subject<RoutedOrder | UpstreamMark>();
  const restore =
    restored === undefined
      ? undefined
      : {
          watermark: restored.w,
          seenBefore: (at: { partition: number; offset: number }) => at.offset < laneReadUpTo(at.partition),
          taken: new Map([...restored.lanes].map(([lane, l]) => [lane, l.taken])),
          words: restoredWords(words, restored.lanes),
        };
  const subscription: Subscription = input
    .pipe(
      customerTask(analytics, {
        task,
        inputPartitions: context.inputPartitions,
        ...(restore ? { restore } : {}),
        observer: {
          onMessage: (message) => tracker.onMessage(message),
          onTaken: (order, before) => tracker.onTaken(order, before),
          onOrder: (order) => {
            processed += 1;
            tracker.onOrder(order);
          },
          onWatermark: (w) => {
            tracker.onWatermark(w);
            watermark = w;
            observer.onWatermark?.(w);
          },
          onHeld: (read) => tracker.onHeld(read),
          onOpenWindows: (windows, panes) => {
            gauges.openWindows = windows;
            gauges.openPanes = panes;
          },
          onLiveKeys: (keys) => {
            gauges.liveKeys = keys;
          },
        },
      }),
    )
    .subscribe({
      next: (out) => {
        if (out.kind === 'hourly-partial') sink.send(partialMessage(internal.hourlyPartials, out));
        else if (out.kind === 'task-mark') pendingMark = out;
        else {
          sink.send(toOutgoing(out, topics));
          context.onOutput(out);
        }
      },
    });

  /** The watermark goes to the combiner once a batch is through, not once an order. */
  const sendMark = (): void => {
    if (pendingMark !== undefined) sink.send(taskMarkMessage(internal.hourlyPartials, pendingMark));
    pendingMark = undefined;
  };

  /**
   * Partitions said to be caught up may have records again: hold for them until the broker says where
   * they end. Each batch doubts them anew, and only an answer to a question asked after that batch arrived
   * clears them (an older answer knows nothing of records written with the batch's).
   */
  const doubt = (): void => {
    generation += 1;
    const doubts: UpstreamMark[] = [];
    for (const word of words.values()) {
      // A word that does not say where it ended cannot be checked: take it as it is.
      if (!word.idle || word.next === undefined) continue;
      if (!doubted.has(word.partition)) doubts.push({ ...word, idle: false });
      doubted.set(word.partition, generation);
    }
    for (const d of doubts) input.next(d);
    if (doubted.size > 0) confirm();
  };

  /**
   * Asks the broker where the doubted partitions end; those still where their word said are caught up
   * again. One question at a time; a broker that does not answer is asked again a second later, and until
   * then the partitions hold the others.
   */
  const confirm = (): void => {
    if (asking) {
      askAgain = true;
      return;
    }
    asking = true;
    const asked = generation;
    void context
      .inputEnds()
      .then(
        (ends) => {
          if (closed) return;
          for (const [partition, doubtedAt] of [...doubted]) {
            if (doubtedAt > asked) continue;
            const word = words.get(partition);
            doubted.delete(partition);
            if (word?.idle === true && word.next !== undefined && (ends.get(partition) ?? 0) <= word.next) input.next(word);
          }
          sendMark();
        },
        () => {
          unanswered = true;
        },
      )
      .finally(() => {
        asking = false;
        if (closed) return;
        if (unanswered) {
          unanswered = false;
          askAgain = false;
          setTimeout(confirm, CONFIRM_RETRY_MS).unref();
        } else if (askAgain || [...doubted.values()].some((at) => at > asked)) {
          askAgain = false;
          confirm();
        }
      });
  };

  /** One message of a lane, read from the topic or handed over by the source task beside this one. */
  const take = (item: RoutedOrder | UpstreamMark): void => {
    if (item.kind === 'partition-status') {
      const lane = item.partition;
      words.set(lane, item);
      doubted.delete(lane);
      if (item.idle && item.next !== undefined) {
        // Caught up when its source task fetched; records may have been written since, with others
        // that come here first: it holds them until the broker confirms where it ends.
        doubted.set(lane, generation);
        input.next({ ...item, idle: false });
        return;
      }
    }
    input.next(item);
  };

  return {
    topic: internal.ordersByCustomer,
    partition: task,
    get next() {
      return next;
    },
    heldOf: (lane) => tracker.heldOf(lane),
    get processed() {
      return processed;
    },
    async handle(batch: GroupBatch) {
      // Anything from another partition (an order, or a mark whose watermark rose) may move event time.
      if (batch.records.length > 0) doubt();
      for (let i = 0; i < batch.records.length; i++) {
        const record = batch.records[i]!;
        if (record.offset < next) continue;
        next = record.offset + 1;
        tracker.onRead(record.offset);
        const item = readRouted(record);
        const lane = item.kind === 'routed' ? item.record.source.partition : item.partition;
        // Below where this lane's re-read starts: already published and no longer needed.
        if (restored !== undefined && record.offset < laneFrom(lane)) continue;
        take(item);
        if (i % BACKPRESSURE_STRIDE === 0 && sink.pending() >= maxPendingOutputs) await sink.belowBound(maxPendingOutputs);
      }
      if (batch.end > next) {
        next = batch.end;
        tracker.onRead(batch.end - 1);
      }
      caughtUp = batch.caughtUp;
      if (doubted.size > 0) confirm();
      sendMark();
    },
    local: {
      accept(message) {
        // Below where the lane's re-read starts (its source task may start a little earlier): nothing to redo.
        const from = restored?.lanes.get(task)?.from;
        if (from !== undefined && message.at !== undefined && message.at.offset < from) return;
        take(message);
      },
      batchStarts: () => doubt(),
      batchEnds() {
        if (doubted.size > 0) confirm();
        sendMark();
      },
      resumeAt() {
        const lane = localLane === undefined ? undefined : tracker.snapshot().lanes.get(localLane);
        return lane === undefined ? undefined : { offset: lane.from, watermark: lane.watermark };
      },
    },
    commitEntry() {
      const snapshot = tracker.snapshot();
      const metadata = writeMetadata({
        t: 'customer',
        w: watermark,
        next: snapshot.next,
        ...(localLane !== undefined ? { local: localLane } : {}),
        lanes: snapshot.lanes,
        words: new Map([...words].map(([p, w]) => [p, { watermark: w.watermark, caughtUp: w.idle, latest: w.latest, ...(w.next !== undefined ? { next: w.next } : {}), ...(w.at !== undefined ? { at: w.at.offset } : {}) }])),
      });
      return { offset: snapshot.offset, metadata };
    },
    describe: (): TaskDescription => ({ kind: 'customer', topic: internal.ordersByCustomer, partition: task, next, watermark, caughtUp, settled: doubted.size === 0 && !asking }),
    close() {
      closed = true;
      subscription.unsubscribe();
    },
  };
}

/**
 * Where each lane starts again: its last word where the re-read will not meet it, and in any case the
 * lane's watermark where its re-read starts (a lane with little or nothing to re-read is not unheard of).
 */
function restoredWords(words: ReadonlyMap<number, UpstreamMark>, lanes: ReadonlyMap<number, { readonly watermark: number }>): Map<number, UpstreamMark> {
  const out = new Map(words);
  for (const [partition, { watermark }] of lanes) {
    if (watermark === NO_WATERMARK) continue;
    const word = out.get(partition);
    if (word === undefined) out.set(partition, { kind: 'partition-status', partition, idle: false, watermark, latest: NO_WATERMARK });
    else if (word.watermark < watermark) out.set(partition, { ...word, watermark });
  }
  return out;
}
