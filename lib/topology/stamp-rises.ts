import { Observable, type OperatorFunction } from 'rxjs';
import { NO_WATERMARK } from '../operators/stream-element.js';
import { isRoutedOrder, type RoutedOrder, type UpstreamMark, type WatermarkRise } from './messages.js';

export interface StampRisesOptions {
  /** How many customer tasks there are (partitions of the orders-by-customer topic). */
  readonly destinations: number;
  /** The task an order goes to, in `[0, destinations)`. */
  readonly destinationOf: (order: RoutedOrder) => number;
}

/**
 * Routes a source task's orders to the customer tasks and keeps each task's view of event time exact.
 * An order goes to one task, but it may raise its partition's watermark, which every task's watermark
 * (the minimum over input partitions) depends on. So each rise is kept for every other task and rides on
 * the next message to it: an order (`rises`), or the mark, of which each task gets a copy with its own.
 * A task then takes each rise among the heads exactly where the order that made it would have been taken
 * in one instance, whether marks come after every record or after a batch of thousands.
 *
 * Orders that raise nothing (behind their partition's newest) change no watermark and are not repeated.
 *
 * ```
 * source:  -a-b-M-|       on p0: a (to task 0) raises the watermark to 4 at 10, b (to task 1) to 14 at
 *                         20; M = p0's mark; 2 tasks
 * result:  -A-B-(XY)-|    A = a to 0; B = b to 1 with a's rise [10, 4]; X = M to 0 with b's rise
 *                         [20, 14]; Y = M to 1 with none
 * ```
 */
export function stampRises(options: StampRisesOptions): OperatorFunction<RoutedOrder | UpstreamMark, RoutedOrder | UpstreamMark> {
  const { destinations, destinationOf } = options;
  return (source) =>
    new Observable<RoutedOrder | UpstreamMark>((subscriber) => {
      // Per input partition: the rises each task has yet to hear of, and the partition's newest event time.
      const pending = new Map<number, WatermarkRise[][]>();
      const latest = new Map<number, number>();
      const pendingOf = (partition: number): WatermarkRise[][] => {
        let p = pending.get(partition);
        if (p === undefined) pending.set(partition, (p = Array.from({ length: destinations }, () => [])));
        return p;
      };
      return source.subscribe({
        next: (e) => {
          if (isRoutedOrder(e)) {
            const partition = e.record.source.partition;
            const newest = Math.max(latest.get(partition) ?? NO_WATERMARK, e.record.order.timestamp);
            latest.set(partition, newest);
            const lists = pendingOf(partition);
            const destination = destinationOf(e);
            const rises = lists[destination]!;
            lists[destination] = [];
            subscriber.next(rises.length > 0 ? { ...e, destination, rises } : { ...e, destination });
            if (e.watermark > e.before) {
              const rise: WatermarkRise = [newest, e.watermark];
              for (let d = 0; d < destinations; d++) if (d !== destination) lists[d]!.push(rise);
            }
            return;
          }
          const lists = pendingOf(e.partition);
          for (let d = 0; d < destinations; d++) {
            const rises = lists[d]!;
            lists[d] = [];
            subscriber.next(rises.length > 0 ? { ...e, destination: d, rises } : { ...e, destination: d });
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
