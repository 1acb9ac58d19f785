import { Observable, type OperatorFunction } from 'rxjs';
import { isPartitionStatus, type PartitionStatus } from '../model/source.js';
import { NO_WATERMARK } from './stream-element.js';
import type { WatermarkGenerator } from './watermark-generator.js';

export interface RejectFarAheadOptions<T, R> {
  /** How far ahead of its partition's watermark a record may be stamped. */
  readonly maxAheadMs: number;
  readonly timestampOf: (value: T) => number;
  readonly partitionOf: (value: T) => number;
  /** A fresh generator for each partition: the same strategy as the watermarks the records then meet. */
  readonly generator: () => WatermarkGenerator;
  /** The watermark to judge by before a partition has one of its own (restored after a restart). */
  readonly initialWatermark?: number;
  /** What a refused record becomes, given the watermark it was judged by. */
  readonly reject: (value: T, watermark: number) => R;
}

/**
 * Refuses records stamped too far in the future, so that one record from the year 9999 cannot move its
 * partition's watermark past every window and make all later records late.
 *
 * 1. Each partition keeps a watermark of its own from the records it accepted, with the same generator
 *    as the watermarks downstream; before its first, the initial watermark (if any) stands in.
 * 2. A record stamped more than `maxAheadMs` ahead of that watermark is replaced by `reject(record, w)`
 *    and moves nothing; any other record passes and moves its partition's watermark.
 * 3. So the first record of a partition, with no watermark to judge it by, always passes.
 *
 * ```
 * source:  -a-b-c-|    a at 10, b at 10_000, c at 20; maxAheadMs 100, bound 5 (a sets the watermark to 4)
 * result:  -a-B-c-|    B = reject(b, 4)
 * ```
 */
export function rejectFarAhead<T extends { readonly kind: string }, R>(
  options: RejectFarAheadOptions<T, R>,
): OperatorFunction<T | PartitionStatus, T | PartitionStatus | R> {
  const { maxAheadMs, timestampOf, partitionOf, generator, reject } = options;
  const initial = options.initialWatermark ?? NO_WATERMARK;
  return (source) =>
    new Observable<T | PartitionStatus | R>((subscriber) => {
      // Each partition's watermark from the records it accepted, by number.
      const partitions = new Map<number, WatermarkGenerator>();
      const subscription = source.subscribe({
        next: (value) => {
          if (isPartitionStatus(value)) {
            subscriber.next(value);
            return;
          }
          try {
            const record = value as T;
            const partition = partitionOf(record);
            let g = partitions.get(partition);
            if (g === undefined) {
              g = generator();
              partitions.set(partition, g);
            }
            const timestamp = timestampOf(record);
            const watermark = Math.max(g.current(), initial);
            if (watermark > NO_WATERMARK && timestamp - watermark > maxAheadMs) {
              subscriber.next(reject(record, watermark));
              return;
            }
            g.onEvent(timestamp);
            subscriber.next(record);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        partitions.clear();
      };
    });
}
