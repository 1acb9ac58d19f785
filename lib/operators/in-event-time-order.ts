import { Observable, type OperatorFunction } from 'rxjs';
import { MinHeap } from './min-heap.js';
import { NO_WATERMARK, type StreamElement, type TimestampedRecord } from './stream-element.js';

/** A held record and its arrival number, which breaks ties between equal timestamps. */
interface Held<T> {
  readonly element: TimestampedRecord<T>;
  readonly arrival: number;
}

const earlier = <T>(a: Held<T>, b: Held<T>): boolean =>
  a.element.timestamp < b.element.timestamp || (a.element.timestamp === b.element.timestamp && a.arrival < b.arrival);

/**
 * Puts records in event-time order: holds each until the watermark passes it, then lets the held records
 * out in order of (timestamp, arrival), followed by the watermark itself.
 *
 * 1. A record with `timestamp > watermark` is held; one at or behind the watermark can no longer be put
 *    in order and is dropped (the velocity rule does not count it, semantics §4), unless `keepBehind` keeps it
 *    for the next release.
 * 2. On a watermark `w`, every held record with `timestamp <= w` goes out, earliest first, then `w`.
 * 3. On completion the rest goes out in order.
 *
 * ```
 * source:  -b-a-W-c-|     a at 10, b at 20, c at 30; W = watermark 25
 * result:  -----(abW)-(c|)
 * ```
 */
export interface EventTimeOrderOptions<T> {
  /** Records to hold even at or behind the watermark (a restart's replay of what was seen before). */
  readonly keepBehind?: (value: T) => boolean;
}

export function inEventTimeOrder<T>(options: EventTimeOrderOptions<T> = {}): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  const { keepBehind } = options;
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      // Records waiting for the watermark, earliest on top.
      const held = new MinHeap<Held<T>>(earlier);
      // Counts arrivals, for ties.
      let arrivals = 0;
      // The watermark before the next record.
      let current = NO_WATERMARK;

      const release = (upTo: number): void => {
        for (let top = held.peek(); top !== undefined && top.element.timestamp <= upTo; top = held.peek()) {
          held.pop();
          subscriber.next(top.element);
        }
      };

      const subscription = source.subscribe({
        next: (element) => {
          if (element.kind === 'record') {
            if (element.timestamp > current || keepBehind?.(element.value)) held.push({ element, arrival: arrivals++ });
          } else if (element.timestamp > current) {
            current = element.timestamp;
            release(current);
            subscriber.next(element);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          release(Infinity);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        held.clear();
      };
    });
}
