import type { HeldRecords } from '../operators/partition-group.js';
import type { WindowAssigner } from '../operators/window-assigner.js';
import { isRoutedOrder, watermarkAfter, type RoutedOrder, type UpstreamMark } from '../topology/messages.js';

/** A run of a lane's records from `offset` on, needed no longer than `until` (event time). */
interface Run {
  readonly offset: number;
  readonly until: number;
  /** The last input offset taken in the lane before the run: a re-read from here drops repeats below it. */
  readonly taken: number;
  /** The lane's watermark before the run's first message: where a re-read from here starts the lane. */
  readonly watermark: number;
}

interface Lane {
  /** The last input offset taken. */
  taken: number;
  /** The lane's watermark after the last message read (its rises included). */
  watermark: number;
  /**
   * How far the lane had been processed before the restart this task came from: a commit never says less
   * (the re-read has not reached it yet, but what lies below it was processed, and its results are out).
   */
  readonly processedBefore: number;
  /** Still-needed runs, oldest first, retention increasing. */
  readonly runs: Run[];
}

/**
 * Where a customer task's re-read of one lane starts after a restart, how far it had processed, and the
 * lane's watermark where the re-read starts. Without it, a lane with little or nothing to re-read would
 * count as unheard of until its next message, and hold the task's watermark below where it stood.
 */
export interface LaneCommit {
  readonly from: number;
  readonly taken: number;
  readonly readUpTo: number;
  readonly watermark: number;
}

/** Retention times are rounded up to this, so a lane keeps a few runs an hour, not one a record. */
const GRANULE_MS = 1_000;

/**
 * How far a customer task may commit its partition of the orders-by-customer topic. That one log holds
 * several lanes (one an input partition), taken out of log order by the partition group, so each lane
 * keeps its own queue of still-needed runs (as the single-log commit tracker did), and the commit is the
 * earliest offset any lane still needs: an order is needed until the watermark passes the end of its
 * window and of its velocity span; an order waiting in the group has not been processed at all.
 *
 * The local lane (the input partition of the task's own number, whose source task runs beside it and hands
 * its messages over in memory) is not in that log: its offsets are the input partition's own, and its
 * re-read is the source task's, so it starts just after the lane's message before the first one still
 * needed. There the source task's watermark is the lane's, and the orders in between (sent to other tasks)
 * are read again to give that message the same watermark rises as the first time.
 */
export class LaneTracker {
  private readonly lanes = new Map<number, Lane>();
  // The last input offset taken before each order, for the orders a commit may start a re-read at.
  private readonly takenBefore = new WeakMap<RoutedOrder, number>();
  // Each order's lane watermark before its message, for the orders a re-read may start at.
  private readonly watermarkBefore = new WeakMap<RoutedOrder, number>();
  // Each local order's resume point: the input offset just after the lane's message before it.
  private readonly resumeBefore = new WeakMap<RoutedOrder, number>();
  // The input offset just after the local lane's last message.
  private localEnd: number | undefined;
  private watermark = -Infinity;
  private held: (lane: number) => HeldRecords<RoutedOrder> = () => ({ count: 0, first: undefined });

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly velocitySpanMs: number,
    /** The next log offset to read. */
    private next: number,
    restored: ReadonlyMap<number, { readonly from?: number; readonly taken: number; readonly watermark?: number; readonly readUpTo?: number }> = new Map(),
    /** The local lane, if any (see above). */
    private readonly localLane?: number,
  ) {
    for (const [lane, { taken, watermark, readUpTo }] of restored) this.lanes.set(lane, { taken, runs: [], watermark: watermark ?? -Infinity, processedBefore: readUpTo ?? -1 });
    if (localLane !== undefined) this.localEnd = restored.get(localLane)?.from;
  }

  private lane(lane: number): Lane {
    let l = this.lanes.get(lane);
    if (l === undefined) this.lanes.set(lane, (l = { taken: -1, runs: [], watermark: -Infinity, processedBefore: -1 }));
    return l;
  }

  /** A message of the log, in log order (repeats too): its lane's watermark moves. */
  onMessage(message: RoutedOrder | UpstreamMark): void {
    const id = isRoutedOrder(message) ? message.record.source.partition : message.partition;
    const lane = this.lane(id);
    if (isRoutedOrder(message)) this.watermarkBefore.set(message, lane.watermark);
    lane.watermark = Math.max(lane.watermark, watermarkAfter(message));
    if (id !== this.localLane || message.at === undefined) return;
    // An order's input offset is its own; a mark's is where its source task stood, after the records it covers.
    const end = isRoutedOrder(message) ? message.at.offset + 1 : message.at.offset;
    if (isRoutedOrder(message)) this.resumeBefore.set(message, this.localEnd ?? message.at.offset);
    this.localEnd = Math.max(this.localEnd ?? end, end);
  }

  /** Where a re-read reaching this order starts: its offset, or in the local lane its resume point. */
  private startOf(order: RoutedOrder): number {
    return order.record.source.partition === this.localLane ? (this.resumeBefore.get(order) ?? order.at.offset) : order.at.offset;
  }

  onRead(offset: number): void {
    if (offset >= this.next) this.next = offset + 1;
  }

  /** An order that is not a repeat, with the last input offset taken in its lane before it. */
  onTaken(order: RoutedOrder, before: number): void {
    this.lane(order.record.source.partition).taken = order.record.source.offset;
    this.takenBefore.set(order, before);
  }

  /** An order processed in event time. */
  onOrder(order: RoutedOrder): void {
    const timestamp = order.record.order.timestamp;
    const until = Math.ceil(Math.max(this.assigner.assign(timestamp).end - 1, timestamp + this.velocitySpanMs) / GRANULE_MS) * GRANULE_MS;
    if (until <= this.watermark) return;
    const { runs } = this.lane(order.record.source.partition);
    const last = runs[runs.length - 1];
    if (last === undefined || until > last.until) {
      runs.push({ offset: this.startOf(order), until, taken: this.takenBefore.get(order) ?? -1, watermark: this.watermarkBefore.get(order) ?? -Infinity });
    }
  }

  onHeld(read: (lane: number) => HeldRecords<RoutedOrder>): void {
    this.held = read;
  }

  onWatermark(watermark: number): void {
    this.watermark = watermark;
    for (const { runs } of this.lanes.values()) {
      let drop = 0;
      while (drop < runs.length && runs[drop]!.until <= watermark) drop += 1;
      if (drop > 0) runs.splice(0, drop);
    }
  }

  /**
   * The offset of the log to commit, and per lane where a re-read starts (the local lane's, in its input
   * partition, is not in that offset: the source task's commit covers it).
   */
  snapshot(): { readonly offset: number; readonly next: number; readonly lanes: ReadonlyMap<number, LaneCommit> } {
    const lanes = new Map<number, LaneCommit>();
    let offset = this.next;
    for (const [id, lane] of this.lanes) {
      const local = id === this.localLane;
      // A local lane not heard from yet (its source task's first word comes as the task starts) has nothing to say.
      if (local && this.localEnd === undefined) continue;
      const next = local ? this.localEnd! : this.next;
      const first = this.held(id).first;
      const run = lane.runs[0];
      const readUpTo = Math.max(first?.at.offset ?? next, lane.processedBefore);
      const commit: LaneCommit =
        run !== undefined
          ? { from: run.offset, taken: run.taken, readUpTo, watermark: run.watermark }
          : first !== undefined
            ? { from: this.startOf(first), taken: this.takenBefore.get(first) ?? -1, readUpTo, watermark: this.watermarkBefore.get(first) ?? -Infinity }
            : { from: next, taken: lane.taken, readUpTo, watermark: lane.watermark };
      lanes.set(id, commit);
      if (!local) offset = Math.min(offset, commit.from);
    }
    return { offset, next: this.next, lanes };
  }

  /** Runs held, over all lanes (for metrics and tests). */
  get size(): number {
    let n = 0;
    for (const { runs } of this.lanes.values()) n += runs.length;
    return n;
  }
}
