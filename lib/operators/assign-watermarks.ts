import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { isPartitionStatus, type PartitionStatus } from '../model/source.js';
import { NO_WATERMARK, record, watermark, type StreamElement } from './stream-element.js';
import type { WatermarkGenerator } from './watermark-generator.js';

export interface AssignWatermarksOptions<T> {
  /** Event time of a record (Flink's `TimestampAssigner`). */
  readonly timestampOf: (value: T) => number;
  readonly partitionOf: (value: T) => number;
  /** A fresh generator for each partition. */
  readonly generator: () => WatermarkGenerator;
  /** Processing time without records after which a partition no longer holds the watermark back. */
  readonly idleTimeoutMs: number;
  /** Clock and timers for idleness; a TestScheduler in tests. */
  readonly scheduler?: SchedulerLike;
  /** A watermark to start from (restored after a restart); sent first, and never gone below. */
  readonly initialWatermark?: number;
  /** Given, on subscription, a reader of each partition's watermark and idleness (for a status page). */
  readonly onInspect?: (read: () => readonly PartitionWatermark[]) => void;
}

/** One partition's share of the watermark, as the operator holds it now. */
export interface PartitionWatermark {
  readonly partition: number;
  /** `-Infinity` before the partition's first record. */
  readonly watermark: number;
  readonly idle: boolean;
}

/** One partition's share of the watermark. */
interface PartitionState {
  readonly generator: WatermarkGenerator;
  idle: boolean;
  /** The source said it has records to read: it holds the watermark however long they take to come. */
  behind: boolean;
  /** Processing time of its last record, for idleness. */
  lastActivity: number;
  /** The pending idleness check, if any. */
  timer: Subscription | null;
}

/**
 * Stamps records with event time and interleaves the watermark of all partitions (Flink's
 * `assignTimestampsAndWatermarks` with idleness, over a source with several partitions).
 *
 * 1. Each record goes out stamped, then its partition's generator sees it and the partition is active.
 * 2. The watermark is the minimum over the partitions that are not idle; it goes out whenever it rises,
 *    never falls, and holds while every partition is idle.
 * 3. A partition is idle when the source says it has nothing left to read, or after `idleTimeoutMs` of
 *    the scheduler's time without a record, unless the source said it has records to read (a broker that
 *    is away is not a partition with nothing to read); its next record, or that word, makes it active.
 * 4. When the source completes the watermark becomes `Infinity`, so that everything open fires.
 *
 * ```
 * source:   -a-----b--|        a = order at t=10 on p0, b = t=20 on p0, bound 5 ms
 * result:   -(aW)--(bV)-(X|)   W = watermark 4, V = 14, X = Infinity
 * ```
 */
export function assignWatermarks<T extends { readonly kind: string }>(options: AssignWatermarksOptions<T>): OperatorFunction<T | PartitionStatus, StreamElement<T>> {
  const { timestampOf, partitionOf, generator, idleTimeoutMs } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      // Every partition heard of, by number.
      const partitions = new Map<number, PartitionState>();
      options.onInspect?.(() => [...partitions].map(([partition, p]) => ({ partition, watermark: p.generator.current(), idle: p.idle })));
      // The last watermark sent downstream.
      let emitted = options.initialWatermark ?? NO_WATERMARK;
      if (emitted > NO_WATERMARK) subscriber.next(watermark(emitted));

      const advance = (): void => {
        let lowest = Infinity;
        let anyActive = false;
        for (const p of partitions.values()) {
          if (p.idle) continue;
          anyActive = true;
          const w = p.generator.current();
          if (w < lowest) lowest = w;
        }
        if (anyActive && lowest > emitted) {
          emitted = lowest;
          subscriber.next(watermark(lowest));
        }
      };

      const checkIdle = (p: PartitionState): void => {
        p.timer = null;
        if (p.behind) return;
        const quiet = scheduler.now() - p.lastActivity;
        if (quiet >= idleTimeoutMs) {
          p.idle = true;
          advance();
        } else {
          p.timer = scheduler.schedule(() => checkIdle(p), idleTimeoutMs - quiet);
        }
      };

      const activate = (partition: number): PartitionState => {
        let p = partitions.get(partition);
        if (p === undefined) {
          p = { generator: generator(), idle: false, behind: false, lastActivity: 0, timer: null };
          partitions.set(partition, p);
        }
        p.idle = false;
        p.lastActivity = scheduler.now();
        if (p.timer === null && Number.isFinite(idleTimeoutMs)) {
          const state = p;
          p.timer = scheduler.schedule(() => checkIdle(state), idleTimeoutMs);
        }
        return p;
      };

      const onStatus = (status: PartitionStatus): void => {
        if (status.idle) {
          const p = partitions.get(status.partition);
          if (p === undefined) return;
          p.behind = false;
          if (p.idle) return;
          p.idle = true;
          p.timer?.unsubscribe();
          p.timer = null;
        } else {
          activate(status.partition).behind = true;
        }
        advance();
      };

      const onRecord = (value: T): void => {
        const timestamp = timestampOf(value);
        const p = activate(partitionOf(value));
        subscriber.next(record(value, timestamp));
        p.generator.onEvent(timestamp);
        advance();
      };

      const subscription = source.subscribe({
        next: (value) => {
          try {
            if (isPartitionStatus(value)) onStatus(value);
            else onRecord(value);
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
        for (const p of partitions.values()) p.timer?.unsubscribe();
        partitions.clear();
      };
    });
}
