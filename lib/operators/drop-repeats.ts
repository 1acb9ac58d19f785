import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';

export interface DropRepeatsOptions<T> {
  /** Whether an item is a record to check (others, such as words, pass). */
  readonly isRecord: (value: T) => boolean;
  /** The upstream sequence a record belongs to, in which its sequence numbers only grow. */
  readonly laneOf: (value: T) => number;
  readonly sequenceOf: (value: T) => number;
  /** The last sequence number taken in each lane before this run (restored after a restart). */
  readonly taken?: ReadonlyMap<number, number>;
  /** Told of each record taken, with the last sequence number taken in its lane before it. */
  readonly onTaken?: (value: T, before: number) => void;
}

/**
 * Drops records an upstream task sent again after it restarted from an earlier position: in each lane a
 * record passes only if its sequence number (its offset in the upstream partition) is above every one
 * taken before (Kafka Streams leaves this to exactly-once; at least once, a repeat would count twice).
 *
 * ```
 * source:  -1-2-3-2-3-4-|   numbers are one lane's sequence numbers
 * result:  -1-2-3-----4-|
 * ```
 */
export function dropRepeats<T>(options: DropRepeatsOptions<T>): MonoTypeOperatorFunction<T> {
  const { isRecord, laneOf, sequenceOf, onTaken } = options;
  return (source) =>
    defer(() => {
      const last = new Map(options.taken ?? []);
      return source.pipe(
      filter((value) => {
        if (!isRecord(value)) return true;
        const lane = laneOf(value);
        const sequence = sequenceOf(value);
        const before = last.get(lane) ?? -1;
        if (sequence <= before) return false;
        last.set(lane, sequence);
        onTaken?.(value, before);
        return true;
      }),
      );
    });
}
