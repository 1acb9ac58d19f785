import type { SourcePosition } from '../model/source.js';
import type { HeldRecords } from '../operators/partition-group.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import type { WindowAssigner } from '../operators/window-assigner.js';

/** What may be committed for one partition, and how far it had been read at that moment. */
export interface PartitionCommit {
  /** The first offset whose record the analytics may still need: re-read from here after a restart. */
  readonly offset: number;
  /** Records below it were processed before this snapshot (read, and not held back for other partitions). */
  readonly readUpTo: number;
}

export interface CommitSnapshot {
  /** The pipeline's watermark at the snapshot, to restore after a restart. */
  readonly watermark: number;
  readonly partitions: ReadonlyMap<number, PartitionCommit>;
}

/** A run of records of one partition from `offset` on, needed no longer than `until` (event time). */
interface Retained {
  readonly offset: number;
  readonly until: number;
}

/** Retention times are rounded up to this, so a partition keeps a few runs an hour, not one a record. */
const GRANULE_MS = 1_000;

/**
 * Decides how far each partition's offset may be committed: never past a record that an open window or
 * the velocity rule may still need (semantics §6). The output of everything seen so far must be acknowledged
 * before a snapshot is committed; that part is the caller's (flush, then commit).
 *
 * A valid order is needed until the watermark passes both the end of its window and the end of its
 * velocity span. Per partition, offsets only grow, so a queue of runs with growing retention suffices:
 * a record needed no longer than the run before it joins that run (kept a little long, never too short).
 */
export class CommitTracker {
  // Per partition, runs of still-needed records, oldest offset first, retention increasing.
  private readonly retained = new Map<number, Retained[]>();
  // Per partition, the next offset to read.
  private readonly next = new Map<number, number>();
  private watermark = NO_WATERMARK;
  // Orders read but still waiting for other partitions' heads: not processed, so not past the commit.
  private held: (partition: number) => HeldRecords<SourcePosition> = () => ({ count: 0, first: undefined });

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly velocitySpanMs: number,
  ) {}

  /** Any record read, valid or not. */
  onRead(source: SourcePosition): void {
    const next = this.next.get(source.partition);
    if (next === undefined || source.offset >= next) this.next.set(source.partition, source.offset + 1);
  }

  /** A valid order, with its event time. */
  onOrder(source: SourcePosition, timestamp: number): void {
    const until = Math.ceil(Math.max(this.assigner.assign(timestamp).end - 1, timestamp + this.velocitySpanMs) / GRANULE_MS) * GRANULE_MS;
    if (until <= this.watermark) return;
    let runs = this.retained.get(source.partition);
    if (runs === undefined) {
      runs = [];
      this.retained.set(source.partition, runs);
    }
    const last = runs[runs.length - 1];
    if (last === undefined || until > last.until) runs.push({ offset: source.offset, until });
  }

  /** The pipeline's reader of the orders it holds back (they come out in event-time order across partitions). */
  onHeld(read: (partition: number) => HeldRecords<SourcePosition>): void {
    this.held = read;
  }

  onWatermark(watermark: number): void {
    this.watermark = watermark;
    for (const runs of this.retained.values()) {
      let drop = 0;
      while (drop < runs.length && (runs[drop] as Retained).until <= watermark) drop += 1;
      if (drop > 0) runs.splice(0, drop);
    }
  }

  snapshot(): CommitSnapshot {
    const partitions = new Map<number, PartitionCommit>();
    for (const [partition, next] of this.next) {
      // Records of a partition leave the group in offset order: the first one held and all after it are unprocessed.
      const readUpTo = this.held(partition).first?.offset ?? next;
      const first = this.retained.get(partition)?.[0];
      partitions.set(partition, { offset: first?.offset ?? readUpTo, readUpTo });
    }
    return { watermark: this.watermark, partitions };
  }

  /** Runs held, over all partitions (for metrics and tests). */
  get size(): number {
    let n = 0;
    for (const runs of this.retained.values()) n += runs.length;
    return n;
  }
}
