import { Observable, type OperatorFunction } from 'rxjs';
import type { OrderRecord } from '../model/decode-order.js';
import { isPartitionStatus, type PartitionStatus } from '../model/source.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import type { WatermarkGenerator } from '../operators/watermark-generator.js';
import type { RoutedOrder, UpstreamMark } from './messages.js';

export interface RouteOrdersOptions {
  /** A fresh generator for each input partition. */
  readonly generator: () => WatermarkGenerator;
  /** The watermark restored after a restart: a partition's never goes below it. */
  readonly initialWatermark?: number;
}

/**
 * The upstream half of event time across an internal topic: each order leaves stamped with its input
 * partition's watermark before and after it, and each word of the source on a partition becomes a mark with that
 * partition's watermark, so that a task downstream which sees only some of a partition's orders still
 * knows where the partition stands (semantics §2).
 *
 * ```
 * source:  -a-b-S-|     a at 10 and b at 20 on p0, S = p0 caught up; bound 5 ms
 * result:  -A-B-M-|     A = a with watermarks -∞ then 4, B = b with 4 then 14, M = p0 caught up at 14
 * ```
 */
export function routeOrders(options: RouteOrdersOptions): OperatorFunction<OrderRecord | PartitionStatus, RoutedOrder | UpstreamMark> {
  const initial = options.initialWatermark ?? NO_WATERMARK;
  return (source) =>
    new Observable<RoutedOrder | UpstreamMark>((subscriber) => {
      const generators = new Map<number, WatermarkGenerator>();
      const generatorOf = (partition: number): WatermarkGenerator => {
        let g = generators.get(partition);
        if (g === undefined) generators.set(partition, (g = options.generator()));
        return g;
      };
      const latest = new Map<number, number>();
      const current = (partition: number): number => Math.max(initial, generators.get(partition)?.current() ?? NO_WATERMARK);
      return source.subscribe({
        next: (value) => {
          if (isPartitionStatus(value)) {
            subscriber.next({ kind: 'partition-status', partition: value.partition, idle: value.idle, watermark: current(value.partition), latest: latest.get(value.partition) ?? NO_WATERMARK });
            return;
          }
          const { partition } = value.source;
          const before = current(partition);
          generatorOf(partition).onEvent(value.order.timestamp);
          if (value.order.timestamp > (latest.get(partition) ?? NO_WATERMARK)) latest.set(partition, value.order.timestamp);
          subscriber.next({ kind: 'routed', record: value, before, watermark: current(partition), at: value.source });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
