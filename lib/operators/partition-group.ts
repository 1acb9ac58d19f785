import { Observable, type OperatorFunction } from 'rxjs';
import { isPartitionStatus, type PartitionStatus } from '../model/source.js';

export interface PartitionGroupOptions<T> {
  /** Event time of a record. */
  readonly timestampOf: (value: T) => number;
  readonly partitionOf: (value: T) => number;
  /**
   * Given, on subscription, a reader of what is held back for a partition (for commits and pausing the
   * source); `first` is the oldest record that `counts` (all by default).
   */
  readonly onHeld?: (read: (partition: number, counts?: (value: T) => boolean) => HeldRecords<T>) => void;
}

/** What a partition has waiting in the group. */
export interface HeldRecords<T> {
  /** Records waiting (statuses not counted). */
  readonly count: number;
  /** The oldest record waiting, if any. */
  readonly first: T | undefined;
}

/** One partition's queue and the source's last word on it. */
interface Lane<T> {
  readonly partition: number;
  /** Records and statuses in arrival order; `head` is the next to go. */
  readonly queue: Array<T | PartitionStatus>;
  head: number;
  /** Records in the queue. */
  records: number;
  /** True while the source says it has records to read: then an empty queue holds everything back. */
  behind: boolean;
}

/**
 * Takes records of several partitions in event-time order of their heads, so that what comes out depends
 * on the records, not on which partition's fetch happened to come first (Kafka Streams' `PartitionGroup`).
 *
 * 1. Each record joins its partition's queue. The source's word on a partition (`idle: false`: it has
 *    records to read; `idle: true`: it has nothing left) joins the queue too, in order with the records,
 *    and replaces any word queued after the partition's last record.
 * 2. While every partition that has records to read has one queued, the earliest head goes out (ties to
 *    the lower partition number); words at the head of a queue go out at once.
 * 3. A partition with records to read and none queued yet holds everything back: its records may be the
 *    earliest. A partition with nothing left to read, or that the source has said nothing about, does not.
 * 4. On completion, whatever is queued goes out in the same order.
 *
 * With one partition, or with no word from the source, every record goes out as it comes.
 *
 * ```
 * source:  -B-a-c-b-|   B = p1 has records to read; a at 10 on p0, b at 5 on p1, c at 20 on p0
 * result:  -B-----(bac|)   (a and c wait for p1's head)
 * ```
 */
export function partitionGroup<T extends { readonly kind: string }, S extends PartitionStatus = PartitionStatus>(
  options: PartitionGroupOptions<T>,
): OperatorFunction<T | S, T | S> {
  const { timestampOf, partitionOf } = options;
  return (source) =>
    new Observable<T | S>((subscriber) => {
      // Every partition heard of, by number.
      const lanes = new Map<number, Lane<T>>();
      // Records and words queued over all partitions: zero is the common case, where records go straight out.
      let queued = 0;

      const laneOf = (partition: number): Lane<T> => {
        let lane = lanes.get(partition);
        if (lane === undefined) {
          lane = { partition, queue: [], head: 0, records: 0, behind: false };
          lanes.set(partition, lane);
        }
        return lane;
      };
      options.onHeld?.((partition, counts) => {
        const lane = lanes.get(partition);
        if (lane === undefined || lane.records === 0) return { count: 0, first: undefined };
        let first: T | undefined;
        for (let i = lane.head; first === undefined && i < lane.queue.length; i++) {
          const item = lane.queue[i] as T | PartitionStatus;
          if (!isPartitionStatus(item) && (counts === undefined || counts(item as T))) first = item as T;
        }
        return { count: lane.records, first };
      });

      const take = (lane: Lane<T>): T | S => {
        const item = lane.queue[lane.head] as T | S;
        lane.queue[lane.head] = undefined as never;
        lane.head += 1;
        queued -= 1;
        if (lane.head === lane.queue.length) {
          lane.queue.length = 0;
          lane.head = 0;
        } else if (lane.head > 1_024 && lane.head * 2 > lane.queue.length) {
          // Drop the consumed front now and then, so a long-lived queue does not keep growing.
          lane.queue.splice(0, lane.head);
          lane.head = 0;
        }
        if (!isPartitionStatus(item)) lane.records -= 1;
        return item;
      };

      /** Lets out what may go; `force` at completion, when no partition has anything more to bring. */
      const drain = (force: boolean): void => {
        for (;;) {
          // Words go out as soon as they reach the head of their queue: they carry no event time.
          let held = false;
          let next: Lane<T> | undefined;
          let nextTime = Infinity;
          for (const lane of lanes.values()) {
            while (lane.head < lane.queue.length && isPartitionStatus(lane.queue[lane.head] as T | PartitionStatus)) subscriber.next(take(lane));
            if (lane.head === lane.queue.length) {
              held ||= lane.behind;
              continue;
            }
            const time = timestampOf(lane.queue[lane.head] as T);
            if (next === undefined || time < nextTime || (time === nextTime && lane.partition < next.partition)) {
              next = lane;
              nextTime = time;
            }
          }
          if (next === undefined || (held && !force)) return;
          subscriber.next(take(next));
        }
      };

      /** True when no partition but `except` could hold a record back. */
      const nothingWaits = (except: Lane<T>): boolean => {
        if (queued > 0) return false;
        for (const lane of lanes.values()) if (lane !== except && lane.behind) return false;
        return true;
      };

      const onStatus = (status: S): void => {
        const lane = laneOf(status.partition);
        // A newer word makes any word queued after the last record stale.
        while (lane.queue.length > lane.head && isPartitionStatus(lane.queue[lane.queue.length - 1] as T | PartitionStatus)) {
          lane.queue.pop();
          queued -= 1;
        }
        lane.behind = !status.idle;
        lane.queue.push(status);
        queued += 1;
        drain(false);
      };

      const onRecord = (value: T): void => {
        const lane = laneOf(partitionOf(value));
        if (nothingWaits(lane)) {
          subscriber.next(value);
          return;
        }
        lane.queue.push(value);
        lane.records += 1;
        queued += 1;
        drain(false);
      };

      const subscription = source.subscribe({
        next: (value) => {
          try {
            if (isPartitionStatus(value)) onStatus(value as S);
            else onRecord(value as T);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          drain(true);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        lanes.clear();
      };
    });
}
