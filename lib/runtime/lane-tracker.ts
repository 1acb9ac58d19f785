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

/** What a re-read starting at an order needs, noted as the order comes and kept until it is processed. */
interface Arrival {
  readonly order: RoutedOrder;
  /** The lane's watermark before its message. */
  readonly watermark: number;
  /** Where a re-read reaching it starts: its offset, or in the local lane its resume point. */
  readonly start: number;
  /** The last input offset taken in the lane before it (set once it is taken). */
  taken: number;
}

/** A queue that takes from its head in constant time (`Array.shift` copies). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  get length(): number {
    return this.items.length - this.head;
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1_024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

interface Lane {
  /** The last input offset taken. */
  taken: number;
  /** Orders read, not yet taken or dropped as repeats (in log order). */
  readonly arrived: Fifo<Arrival>;
  /** Orders taken, not yet processed (in the partition group, in lane order). */
  readonly waiting: Fifo<Arrival>;
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
    for (const [lane, { taken, watermark, readUpTo }] of restored) this.lanes.set(lane, this.newLane(taken, watermark ?? -Infinity, readUpTo ?? -1));
    if (localLane !== undefined) this.localEnd = restored.get(localLane)?.from;
  }

  private newLane(taken: number, watermark: number, processedBefore: number): Lane {
    return { taken, runs: [], watermark, processedBefore, arrived: new Fifo(), waiting: new Fifo() };
  }

  private lane(lane: number): Lane {
    let l = this.lanes.get(lane);
    if (l === undefined) this.lanes.set(lane, (l = this.newLane(-1, -Infinity, -1)));
    return l;
  }

  /** A message of the log, in log order (repeats too): its lane's watermark moves. */
  onMessage(message: RoutedOrder | UpstreamMark): void {
    const id = isRoutedOrder(message) ? message.record.source.partition : message.partition;
    const lane = this.lane(id);
    const local = id === this.localLane && message.at !== undefined;
    if (isRoutedOrder(message)) {
      // In the local lane, a re-read reaching it starts just after the lane's message before it.
      const start = local ? (this.localEnd ?? message.at.offset) : message.at.offset;
      lane.arrived.push({ order: message, watermark: lane.watermark, start, taken: -1 });
    }
    lane.watermark = Math.max(lane.watermark, watermarkAfter(message));
    if (!local) return;
    // An order's input offset is its own; a mark's is where its source task stood, after the records it covers.
    const end = isRoutedOrder(message) ? message.at!.offset + 1 : message.at!.offset;
    this.localEnd = Math.max(this.localEnd ?? end, end);
  }

  onRead(offset: number): void {
    if (offset >= this.next) this.next = offset + 1;
  }

  /** An order that is not a repeat, with the last input offset taken in its lane before it. */
  onTaken(order: RoutedOrder, before: number): void {
    const lane = this.lane(order.record.source.partition);
    lane.taken = order.record.source.offset;
    // Those read before it and not taken were repeats, dropped.
    let arrival = lane.arrived.shift();
    while (arrival !== undefined && arrival.order !== order) arrival = lane.arrived.shift();
    const waiting = arrival ?? { order, watermark: -Infinity, start: order.at.offset, taken: -1 };
    waiting.taken = before;
    lane.waiting.push(waiting);
  }

  /** An order processed in event time (orders of a lane come in the order they were taken). */
  onOrder(order: RoutedOrder): void {
    const lane = this.lane(order.record.source.partition);
    let arrival = lane.waiting.shift();
    while (arrival !== undefined && arrival.order !== order) arrival = lane.waiting.shift();
    const timestamp = order.record.order.timestamp;
    const until = Math.ceil(Math.max(this.assigner.assign(timestamp).end - 1, timestamp + this.velocitySpanMs) / GRANULE_MS) * GRANULE_MS;
    if (until <= this.watermark) return;
    const { runs } = lane;
    const last = runs[runs.length - 1];
    if (last === undefined || until > last.until) {
      runs.push({ offset: arrival?.start ?? order.at.offset, until, taken: arrival?.taken ?? -1, watermark: arrival?.watermark ?? -Infinity });
    }
  }

  onHeld(read: (lane: number) => HeldRecords<RoutedOrder>): void {
    this.held = read;
  }

  /**
   * Orders of a lane taken and not processed yet: those waiting in the partition group for the other
   * lanes' heads (the group's own count also has the watermark ticks among them).
   */
  heldOf(lane: number): number {
    return this.lanes.get(lane)?.waiting.length ?? 0;
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
      // The first order held is the first taken and not processed.
      const waiting = lane.waiting.peek();
      const held = first === undefined ? undefined : waiting?.order === first ? waiting : { start: first.at.offset, taken: -1, watermark: -Infinity };
      const run = lane.runs[0];
      const readUpTo = Math.max(first?.at.offset ?? next, lane.processedBefore);
      const commit: LaneCommit =
        run !== undefined
          ? { from: run.offset, taken: run.taken, readUpTo, watermark: run.watermark }
          : held !== undefined
            ? { from: held.start, taken: held.taken, readUpTo, watermark: held.watermark }
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
