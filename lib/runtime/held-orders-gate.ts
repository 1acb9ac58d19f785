/** Where the gate pauses and resumes the reading of an input partition (the group consumer). */
export interface PartitionSwitch {
  pause(partition: number): void;
  resume(partition: number): void;
}

/** An input partition of this instance as the gate sees it. */
export interface HeldState {
  readonly partition: number;
  /** Its orders waiting in this instance's customer tasks for the other partitions. */
  readonly held: number;
  /** Its source task is re-reading what it had read before a restart (its marks are still to come). */
  readonly rereading: boolean;
  /**
   * Orders processed so far by the customer tasks that hold its orders: its rising means they move,
   * though its own held orders may all stay (they wait for other partitions that are catching up).
   */
  readonly processed: number;
}

/** Why a partition's reading resumed. */
export type ResumeReason = 'half gone on' | 'no progress' | 'rebalance';

/**
 * Pauses the reading of an input partition while too many of its orders wait in this instance's customer
 * tasks for the other partitions' next records, and resumes it once half of them have gone on (Kafka
 * Streams pauses a partition whose buffer holds `buffered.records.per.partition`).
 *
 * Orders are taken in event-time order across the input partitions, so a partition read ahead of the
 * others (its instance is faster, or its fetches came first) has its orders held until the others catch
 * up. Unchecked, that is history in memory, and the input's commit (held back to the first order still
 * needed) trails by all of it: a task that moves re-reads it.
 *
 * Pausing must never stall the job, and two partitions can wait on each other: each task learns how far
 * another partition has got from that partition's own messages, and a task restored after a move knows it
 * only from its commit until the partition's source task has read past where it stood. So:
 * - a source task re-reading what it had read before a restart is never paused: the marks at its end are
 *   what the other tasks wait for;
 * - a partition paused while the customer tasks that hold its orders have processed nothing for `stallMs`
 *   resumes, and is not paused again until half of them have gone on: more of it is what they wait for.
 *   The bound then gives way; the job goes on.
 */
export class HeldOrdersGate {
  // Paused partitions: since when their holders last processed an order, and how many they had then.
  private readonly paused = new Map<number, { since: number; processed: number }>();
  // Resumed for want of progress: not paused again until half their held orders have gone on.
  private readonly disarmed = new Set<number>();

  /**
   * @param max orders held of one partition at which its reading pauses; it resumes at half of that.
   * @param stallMs how long the customer tasks holding a paused partition's orders may process nothing before it resumes anyway.
   */
  constructor(
    private readonly max: number,
    private readonly stallMs: number,
    private readonly partitions: PartitionSwitch,
    private readonly onResume: (partition: number, reason: ResumeReason) => void = () => undefined,
  ) {}

  /** Looks again at each partition: after anything that may have taken held orders or added some. */
  update(states: Iterable<HeldState>, now: number): void {
    for (const { partition, held, rereading, processed } of states) {
      const paused = this.paused.get(partition);
      if (paused !== undefined) {
        if (held <= this.max / 2) this.resume(partition, 'half gone on');
        else if (processed !== paused.processed) this.paused.set(partition, { since: now, processed });
        else if (now - paused.since >= this.stallMs) {
          this.resume(partition, 'no progress');
          this.disarmed.add(partition);
        }
      } else if (this.disarmed.has(partition)) {
        if (held <= this.max / 2) this.disarmed.delete(partition);
      } else if (held >= this.max && !rereading) {
        this.paused.set(partition, { since: now, processed });
        this.partitions.pause(partition);
      }
    }
  }

  /** Resumes every partition it paused, and arms them all again: after a rebalance, which moves tasks. */
  reset(): void {
    for (const partition of [...this.paused.keys()]) this.resume(partition, 'rebalance');
    this.disarmed.clear();
  }

  /** Whether the gate holds a partition's reading now. */
  isPaused(partition: number): boolean {
    return this.paused.has(partition);
  }

  private resume(partition: number, reason: ResumeReason): void {
    this.paused.delete(partition);
    this.partitions.resume(partition);
    this.onResume(partition, reason);
  }
}
