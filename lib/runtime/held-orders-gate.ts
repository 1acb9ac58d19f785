/** Where the gate pauses and resumes the reading of an input partition (the group consumer). */
export interface PartitionSwitch {
  pause(partition: number): void;
  resume(partition: number): void;
}

/**
 * Pauses the reading of an input partition while too many of its orders wait in this instance's customer
 * tasks for the other partitions' next records, and resumes it once half of them have gone on (Kafka
 * Streams pauses a partition whose buffer holds `buffered.records.per.partition`).
 *
 * Orders are taken in event-time order across the input partitions, so a partition read ahead of the
 * others (its instance is faster, or its fetches came first) has its orders held until the others catch
 * up. Unchecked, that is history in memory, and the input's commit (held back to the first order still
 * needed) trails by all of it: a task that moves re-reads it. Pausing cannot stall the job: a partition
 * is paused only while it has orders held, and those wait for a partition that has none held, which is
 * never paused.
 */
export class HeldOrdersGate {
  private readonly paused = new Set<number>();

  /**
   * @param max orders held of one partition at which its reading pauses; it resumes at half of that.
   */
  constructor(
    private readonly max: number,
    private readonly partitions: PartitionSwitch,
  ) {}

  /** Looks again at each partition's held orders: after anything that may have taken some or added some. */
  update(owned: Iterable<number>, heldOf: (partition: number) => number): void {
    for (const partition of owned) {
      const held = heldOf(partition);
      if (this.paused.has(partition)) {
        if (held <= this.max / 2) {
          this.paused.delete(partition);
          this.partitions.resume(partition);
        }
      } else if (held >= this.max) {
        this.paused.add(partition);
        this.partitions.pause(partition);
      }
    }
  }

  /** Resumes every partition it paused: after a rebalance, where a moved task holds nothing any more. */
  reset(): void {
    for (const partition of this.paused) this.partitions.resume(partition);
    this.paused.clear();
  }

  /** Whether the gate holds a partition's reading now. */
  isPaused(partition: number): boolean {
    return this.paused.has(partition);
  }
}
