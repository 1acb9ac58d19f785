import { Observable, type OperatorFunction } from 'rxjs';
import { isPartitionStatus, type PartitionStatus } from '../model/source.js';
import { NO_WATERMARK, record, watermark, type StreamElement } from './stream-element.js';

export interface UpstreamWatermarksOptions<T> {
  readonly timestampOf: (value: T) => number;
  /** The upstream partition a record came from. */
  readonly partitionOf: (value: T) => number;
  /** That partition's watermark just before the record and once it counted there (computed upstream, over all its records). */
  readonly watermarkBefore: (value: T) => number;
  readonly watermarkOf: (value: T) => number;
  /**
   * How many upstream partitions there are: until each has been heard from, the watermark holds (one not
   * heard from may have the earliest records). Without it, only the partitions heard from count.
   */
  readonly expected?: number;
  /** A watermark to start from (restored after a restart); sent first, and never gone below. */
  readonly initialWatermark?: number;
  /** Items that stand for records not seen here: they move the watermark (`watermarkOf`) and are not sent on. */
  readonly isTick?: (value: T) => boolean;
}

/** An upstream partition's word: a {@link PartitionStatus} that carries the partition's watermark. */
export interface WatermarkWord extends PartitionStatus {
  readonly watermark: number;
}

interface Upstream {
  watermark: number;
  idle: boolean;
}

/**
 * The watermark of a task downstream of an internal topic: the minimum over the upstream partitions that
 * are not idle, each partition's own watermark computed where all its records were seen (semantics §2,
 * however the work is spread). Records of a partition come with its watermark after them; words come in
 * order with them, with its watermark and whether it is caught up.
 *
 * 1. Each record goes out stamped with its event time, after its partition is made active at the
 *    watermark it had before the record (the watermark goes out first if that raises it); then the
 *    partition is at the watermark it has after the record.
 * 2. A word sets its partition's watermark (it never falls) and idleness: `idle: true` when caught up.
 * 3. A tick (`isTick`) only moves its partition's watermark, as the records it stands for would have (the
 *    partition active): it goes out as nothing.
 * 4. The watermark goes out whenever the minimum over active partitions rises; it holds while any
 *    expected partition is unheard of, and while all are idle. On completion it becomes `Infinity`.
 *
 * ```
 * source:  -a-b-I-|     a at 10 from p0 (p0 at -∞, then 4), b at 20 from p1 (-∞, then 14), I = p0 caught up
 * result:  -(aW)-b-V-(X|)   W = 4, V = 14, X = Infinity
 * ```
 */
export function upstreamWatermarks<T extends { readonly kind: string }>(
  options: UpstreamWatermarksOptions<T>,
): OperatorFunction<T | WatermarkWord, StreamElement<T>> {
  const { timestampOf, partitionOf, watermarkBefore, watermarkOf, expected } = options;
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      const upstream = new Map<number, Upstream>();
      let emitted = options.initialWatermark ?? NO_WATERMARK;
      if (emitted > NO_WATERMARK) subscriber.next(watermark(emitted));

      const advance = (): void => {
        if (expected !== undefined && upstream.size < expected) return;
        let lowest = Infinity;
        let anyActive = false;
        for (const u of upstream.values()) {
          if (u.idle) continue;
          anyActive = true;
          if (u.watermark < lowest) lowest = u.watermark;
        }
        if (anyActive && lowest > emitted) {
          emitted = lowest;
          subscriber.next(watermark(lowest));
        }
      };

      const partition = (p: number, w: number): Upstream => {
        let u = upstream.get(p);
        if (u === undefined) {
          u = { watermark: w, idle: false };
          upstream.set(p, u);
        } else if (w > u.watermark) {
          u.watermark = w;
        }
        return u;
      };

      const subscription = source.subscribe({
        next: (value) => {
          try {
            if (isPartitionStatus(value)) {
              const word = value as WatermarkWord;
              // Without an expected count, a caught-up partition never heard of holds nothing: leave it out.
              if (expected === undefined && word.idle && !upstream.has(word.partition)) return;
              partition(word.partition, word.watermark).idle = word.idle;
            } else {
              const item = value as T;
              if (options.isTick?.(item) === true) {
                partition(partitionOf(item), watermarkOf(item)).idle = false;
                advance();
                return;
              }
              const u = partition(partitionOf(item), watermarkBefore(item));
              // The partition's watermark as it stood before the record, which this task may not have seen.
              if (u.idle) u.idle = false;
              advance();
              subscriber.next(record(item, timestampOf(item)));
              partition(partitionOf(item), watermarkOf(item));
            }
            advance();
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          if (emitted < Infinity) subscriber.next(watermark(Infinity));
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        upstream.clear();
      };
    });
}
