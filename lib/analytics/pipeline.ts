import { connect, filter, map, merge, tap, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { AnalyticsOutput } from '../model/analytics.js';
import { deadLetter, isDeadLetter, type DeadLetter } from '../model/dead-letter.js';
import { decodeOrder, isOrderRecord, type OrderRecord } from '../model/decode-order.js';
import type { PartitionStatus, SourceEvent, SourcePosition } from '../model/source.js';
import { formatWindowTime } from '../model/window-time.js';
import { assignWatermarks, type PartitionWatermark } from '../operators/assign-watermarks.js';
import { lateRecords } from '../operators/late-records.js';
import { partitionGroup, type HeldRecords } from '../operators/partition-group.js';
import { rejectFarAhead } from '../operators/reject-far-ahead.js';
import { record, type StreamElement } from '../operators/stream-element.js';
import { windowAggregate } from '../operators/window-aggregate.js';
import { tumblingWindows, type WindowAssigner } from '../operators/window-assigner.js';
import { boundedOutOfOrderness } from '../operators/watermark-generator.js';
import { customerStatsWindow } from './customer-stats.js';
import { highAmountAlerts } from './high-amount.js';
import { hourlySalesWindow } from './hourly-sales.js';
import type { AnalyticsSettings } from './settings.js';
import { velocityAlerts } from './velocity.js';

/** Everything the pipeline emits: results to publish and records to set aside. */
export type PipelineOutput = AnalyticsOutput | DeadLetter;

/** Hooks for metrics and offset tracking; the pipeline runs the same without them. */
export interface PipelineObserver {
  /** A valid order with its event time, before the watermark it brings. */
  readonly onOrder?: (source: SourcePosition, timestamp: number) => void;
  readonly onWatermark?: (watermark: number) => void;
  readonly onOpenWindows?: (openWindows: number, openPanes: number) => void;
  readonly onLiveKeys?: (liveKeys: number) => void;
  /** Given a reader of each partition's watermark and idleness, read when asked rather than per record. */
  readonly onPartitions?: (read: () => readonly PartitionWatermark[]) => void;
  /**
   * Given a reader of the orders a partition has waiting for the other partitions' heads: read but not
   * processed yet, so not to be committed past, and a reason to pause that partition's source (`paused`:
   * whether the service has paused it so, absent in a replay).
   */
  readonly onHeld?: (read: (partition: number) => HeldRecords<SourcePosition> & { readonly paused?: boolean }) => void;
}

/**
 * Where a restarted pipeline picks up: the watermark at the last commit, and which re-read records had
 * been processed before it, whose dead letters, alerts and fired windows are already published.
 */
export interface RestorePoint {
  readonly watermark: number;
  readonly seenBefore: (source: SourcePosition) => boolean;
}

export interface PipelineOptions {
  /** Clock for partition idleness; the async scheduler by default, a TestScheduler in tests. */
  readonly scheduler?: SchedulerLike;
  readonly observer?: PipelineObserver;
  readonly restore?: RestorePoint;
}

/**
 * The whole analytics job as one operator: source records in, analytics and dead letters out. Pure but
 * for the idleness clock, so a file and a Kafka topic give the same results for the same records.
 *
 * For each record, in this order (semantics §2): decode it (or set it aside as a dead letter); the high_amount
 * rule sees it; where several partitions have records, orders wait to be taken in event-time order of
 * the partitions' heads; the windows take it unless it is late, when it becomes a `late` dead letter; the
 * velocity rule holds it until the watermark passes it; its partition's watermark moves and what that
 * closes fires.
 */
export function analyticsPipeline(settings: AnalyticsSettings, options: PipelineOptions = {}): OperatorFunction<SourceEvent, PipelineOutput> {
  const assigner = tumblingWindows(settings.windowSizeMs);
  const { observer = {}, restore } = options;
  const isNew = (e: { readonly source: SourcePosition }): boolean => restore === undefined || !restore.seenBefore(e.source);
  const generator = boundedOutOfOrderness(settings.maxOutOfOrdernessMs);
  const maxAheadMs = settings.maxFutureSkewMs ?? 0;

  /** Orders in event time: watermarks, then the windows, late records and the velocity rule. */
  const inEventTime = (orders$: Observable<OrderRecord | PartitionStatus>): Observable<PipelineOutput> =>
    orders$.pipe(
      assignWatermarks<OrderRecord>({
        timestampOf: (r) => r.order.timestamp,
        partitionOf: (r) => r.source.partition,
        generator,
        idleTimeoutMs: settings.idleTimeoutMs,
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        ...(restore ? { initialWatermark: restore.watermark } : {}),
        ...(observer.onPartitions ? { onInspect: observer.onPartitions } : {}),
      }),
      tap(observe(observer)),
      connect((timed$) =>
        merge(
          timed$.pipe(
            lateRecords(assigner),
            filter((late) => isNew(late.value)),
            map((late) => lateDeadLetter(late.value, late.timestamp, assigner)),
          ),
          timed$.pipe(
            map(toOrderElement),
            connect((o$) =>
              merge(
                o$.pipe(windowAggregate(hourlySalesWindow(assigner))),
                o$.pipe(windowAggregate({ ...customerStatsWindow(assigner), onSize: observer.onOpenWindows })),
              ),
            ),
          ),
          timed$.pipe(
            velocityAlerts<OrderRecord>({
              maxOrders: settings.velocityMaxOrders,
              spanMs: settings.velocityWindowMs,
              orderOf: (r) => r.order,
              ...(restore ? { replayed: (r: OrderRecord) => r.order.timestamp <= restore.watermark && restore.seenBefore(r.source) } : {}),
              ...(observer.onLiveKeys ? { onLiveKeys: observer.onLiveKeys } : {}),
            }),
          ),
        ),
      ),
    );

  /** With the guard on, orders stamped too far ahead of their partition's watermark become dead letters first. */
  const guarded = (orders$: Observable<OrderRecord | PartitionStatus>): Observable<PipelineOutput> =>
    maxAheadMs <= 0
      ? inEventTime(orders$)
      : orders$.pipe(
          rejectFarAhead<OrderRecord, DeadLetter>({
            maxAheadMs,
            timestampOf: (r) => r.order.timestamp,
            partitionOf: (r) => r.source.partition,
            generator,
            ...(restore ? { initialWatermark: restore.watermark } : {}),
            reject: (r, watermark) => farAheadDeadLetter(r, watermark, maxAheadMs),
          }),
          connect((checked$) =>
            merge(
              checked$.pipe(filter((e): e is DeadLetter => isDeadLetter(e) && isNew(e))),
              inEventTime(checked$.pipe(filter((e): e is OrderRecord | PartitionStatus => !isDeadLetter(e)))),
            ),
          ),
        );

  return (source) =>
    source.pipe(
      map((event) => (event.kind === 'record' ? decodeOrder(event) : event)),
      connect(
        (decoded$): Observable<PipelineOutput> =>
          merge(
            decoded$.pipe(filter((e): e is DeadLetter => isDeadLetter(e) && isNew(e))),
            decoded$.pipe(
              filter((e): e is OrderRecord => isOrderRecord(e) && isNew(e)),
              map((r) => r.order),
              highAmountAlerts(settings.highAmountThreshold),
            ),
            guarded(
              decoded$.pipe(
                filter((e): e is OrderRecord | PartitionStatus => !isDeadLetter(e)),
                partitionGroup<OrderRecord>({
                  timestampOf: (r) => r.order.timestamp,
                  partitionOf: (r) => r.source.partition,
                  ...(observer.onHeld ? { onHeld: heldPositions(observer.onHeld) } : {}),
                }),
              ),
            ),
          ),
      ),
    );
}

/** The group's reader of held orders, as positions. */
function heldPositions(onHeld: NonNullable<PipelineObserver['onHeld']>): (read: (partition: number) => HeldRecords<OrderRecord>) => void {
  return (read) =>
    onHeld((partition) => {
      const { count, first } = read(partition);
      return { count, first: first?.source };
    });
}

function observe(observer: PipelineObserver): (e: StreamElement<OrderRecord>) => void {
  const { onOrder, onWatermark } = observer;
  return (e) => {
    if (e.kind === 'record') onOrder?.(e.value.source, e.timestamp);
    else onWatermark?.(e.timestamp);
  };
}

const toOrderElement = (e: StreamElement<OrderRecord>) => (e.kind === 'record' ? record(e.value.order, e.timestamp) : e);

/** The dead letter of an order the future guard refused (semantics §2). */
export function farAheadDeadLetter(r: OrderRecord, watermark: number, maxAheadMs: number): DeadLetter {
  const { timestamp } = r.order;
  const detail = `timestamp ${timestamp} (${formatWindowTime(timestamp)}) is more than ${maxAheadMs} ms ahead of the watermark of partition ${r.source.partition}, ${watermark} (${formatWindowTime(watermark)})`;
  return deadLetter('too_far_ahead', detail, r.source, r.raw);
}

/** The dead letter of an order late for its window (semantics §3), with its event time. */
export function lateDeadLetter(order: OrderRecord, timestamp: number, assigner: WindowAssigner): DeadLetter {
  const window = assigner.assign(timestamp);
  const detail = `the watermark had passed the end of its window ${formatWindowTime(window.start)} to ${formatWindowTime(window.end)}`;
  return deadLetter('late', detail, order.source, order.raw);
}
