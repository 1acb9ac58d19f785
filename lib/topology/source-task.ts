import { connect, filter, map, merge, type Observable, type OperatorFunction } from 'rxjs';
import { highAmountAlerts } from '../analytics/high-amount.js';
import { farAheadDeadLetter, type PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import { isDeadLetter, type DeadLetter } from '../model/dead-letter.js';
import { decodeOrder, isOrderRecord, type OrderRecord } from '../model/decode-order.js';
import type { PartitionStatus, SourceEvent } from '../model/source.js';
import { rejectFarAhead } from '../operators/reject-far-ahead.js';
import { boundedOutOfOrderness } from '../operators/watermark-generator.js';
import type { RoutedOrder, UpstreamMark } from './messages.js';
import { customerPartition } from './customer-partition.js';
import { routeOrders } from './route-orders.js';
import { stampRises } from './stamp-rises.js';

export interface SourceTaskOptions {
  /** The input partition's watermark at the last commit, restored after a restart. */
  readonly initialWatermark?: number;
  /**
   * How many customer tasks there are: each order is addressed to its customer's ({@link customerPartition})
   * and each mark copied to every one, with the watermark rises each must hear of ({@link stampRises}).
   * Absent in one process, where one customer task gets everything.
   */
  readonly destinations?: number;
}

/** What a source task emits: results it can give at once, and orders and marks for the customer tasks. */
export type SourceTaskOutput = PipelineOutput | RoutedOrder | UpstreamMark;

/**
 * The first stage of the topology, one task per input partition (Kafka Streams' source task): everything
 * that needs one record only (semantics §1, §4 high_amount), and event time of the partition.
 *
 * Each record is decoded or set aside as a dead letter; the high_amount rule sees each order at once;
 * with the future guard on, an order too far ahead of its partition's watermark becomes a dead letter;
 * every other order is routed on with the partition's watermark, and the source's words become marks.
 */
export function sourceTask(settings: AnalyticsSettings, options: SourceTaskOptions = {}): OperatorFunction<SourceEvent, SourceTaskOutput> {
  const generator = boundedOutOfOrderness(settings.maxOutOfOrdernessMs);
  const maxAheadMs = settings.maxFutureSkewMs ?? 0;
  const restored = options.initialWatermark !== undefined ? { initialWatermark: options.initialWatermark } : {};
  const { destinations } = options;
  const route = (orders$: Observable<OrderRecord | PartitionStatus>): Observable<RoutedOrder | UpstreamMark> =>
    destinations === undefined
      ? orders$.pipe(routeOrders({ generator, ...restored }))
      : orders$.pipe(
          routeOrders({ generator, ...restored }),
          stampRises({ destinations, destinationOf: (o) => customerPartition(o.record.order.customerId, destinations) }),
        );

  const guarded = (orders$: Observable<OrderRecord | PartitionStatus>): Observable<SourceTaskOutput> =>
    maxAheadMs <= 0
      ? route(orders$)
      : orders$.pipe(
          rejectFarAhead<OrderRecord, DeadLetter>({
            maxAheadMs,
            timestampOf: (r) => r.order.timestamp,
            partitionOf: (r) => r.source.partition,
            generator,
            ...restored,
            reject: (r, watermark) => farAheadDeadLetter(r, watermark, maxAheadMs),
          }),
          connect((checked$) =>
            merge(
              checked$.pipe(filter(isDeadLetter)),
              route(checked$.pipe(filter((e): e is OrderRecord | PartitionStatus => !isDeadLetter(e)))),
            ),
          ),
        );

  return (source) =>
    source.pipe(
      map((event) => (event.kind === 'record' ? decodeOrder(event) : event)),
      connect(
        (decoded$): Observable<SourceTaskOutput> =>
          merge(
            decoded$.pipe(filter(isDeadLetter)),
            decoded$.pipe(
              filter(isOrderRecord),
              map((r) => r.order),
              highAmountAlerts(settings.highAmountThreshold),
            ),
            guarded(decoded$.pipe(filter((e): e is OrderRecord | PartitionStatus => !isDeadLetter(e)))),
          ),
      ),
    );
}
