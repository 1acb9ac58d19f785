import { concatMap, connect, defer, filter, from, map, merge, of, startWith, tap, type Observable, type OperatorFunction } from 'rxjs';
import { customerStatsWindow } from '../analytics/customer-stats.js';
import { orderTotals, type OrderTotals } from '../analytics/order-totals.js';
import { lateDeadLetter, type PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import { velocityAlerts } from '../analytics/velocity.js';
import type { Order } from '../model/order.js';
import type { SourcePosition } from '../model/source.js';
import { dropRepeats } from '../operators/drop-repeats.js';
import { lateRecords } from '../operators/late-records.js';
import { partitionGroup, type HeldRecords } from '../operators/partition-group.js';
import { NO_WATERMARK, record, type StreamElement } from '../operators/stream-element.js';
import { upstreamWatermarks } from '../operators/upstream-watermarks.js';
import { windowAggregate, type WindowSpec } from '../operators/window-aggregate.js';
import { tumblingWindows, type WindowAssigner } from '../operators/window-assigner.js';
import { isRoutedOrder, isWatermarkTick, type HourlyPartial, type RoutedOrder, type TaskMark, type UpstreamMark, type WatermarkTick } from './messages.js';

/** Where a restarted customer task picks up (see {@link CustomerTaskOptions.restore}). */
export interface CustomerTaskRestore {
  /** The task's watermark at the last commit. */
  readonly watermark: number;
  /** Whether a re-read order (by where the task read it) was processed before the commit: its results are out. */
  readonly seenBefore: (at: SourcePosition) => boolean;
  /** Per input partition, the last offset taken before the re-read starts: lower ones are repeats. */
  readonly taken?: ReadonlyMap<number, number>;
  /** Each input partition's last word before the commit: where it stands when the task starts again. */
  readonly words?: ReadonlyMap<number, UpstreamMark>;
}

/** Hooks for commits, metrics and pausing; the task runs the same without them. */
export interface CustomerTaskObserver {
  /** Each message as it comes, in log order, before anything is dropped (restored words first). */
  readonly onMessage?: (message: RoutedOrder | UpstreamMark) => void;
  /** An order taken (not a repeat), with the last input offset taken in its lane before it. */
  readonly onTaken?: (order: RoutedOrder, before: number) => void;
  /** An order in event time, before the watermark it brings. */
  readonly onOrder?: (order: RoutedOrder) => void;
  readonly onWatermark?: (watermark: number) => void;
  readonly onOpenWindows?: (openWindows: number, openPanes: number) => void;
  readonly onLiveKeys?: (liveKeys: number) => void;
  /** Given a reader of the orders of an input partition waiting for the others' heads. */
  readonly onHeld?: (read: (partition: number) => HeldRecords<RoutedOrder>) => void;
}

export interface CustomerTaskOptions {
  /** This task's number, on its partials and marks. */
  readonly task?: number;
  /** How many input partitions feed it (the watermark holds until each is heard from); all heard from when absent. */
  readonly inputPartitions?: number;
  readonly restore?: CustomerTaskRestore;
  readonly observer?: CustomerTaskObserver;
}

/** What a customer task emits: results, and its share of the hourly sales with its watermark. */
export type CustomerTaskOutput = PipelineOutput | HourlyPartial | TaskMark;

/**
 * The second stage of the topology, one task per partition of the customer-keyed internal topic: it sees
 * every order of its customers, from every input partition, with each partition's watermark.
 *
 * Orders sent twice by a restarted source task are dropped; the rest are taken in event-time order of
 * the input partitions' heads (as one instance takes them); the watermark is the minimum over the input
 * partitions (semantics §2); a late order becomes a `late` dead letter (§3); the others go into the
 * customer_stats windows, into this task's share of the hourly sales, and to the velocity rule (§4).
 * When the watermark passes a window, the share of it goes out, then a mark with the watermark.
 */
export function customerTask(settings: AnalyticsSettings, options: CustomerTaskOptions = {}): OperatorFunction<RoutedOrder | UpstreamMark, CustomerTaskOutput> {
  const assigner = tumblingWindows(settings.windowSizeMs);
  const { observer = {}, restore, task = 0 } = options;
  const isNew = (at: SourcePosition): boolean => restore === undefined || !restore.seenBefore(at);
  const timestampOf = (r: RoutedOrder): number => r.record.order.timestamp;
  const partitionOf = (r: RoutedOrder): number => r.record.source.partition;

  // Every input partition may have records until it says otherwise: one not heard from yet holds the others.
  const unheard: UpstreamMark[] = Array.from({ length: options.inputPartitions ?? 0 }, (_, partition): UpstreamMark => ({
    kind: 'partition-status',
    partition,
    idle: false,
    watermark: NO_WATERMARK,
    latest: NO_WATERMARK,
  })).map((word) => restore?.words?.get(word.partition) ?? word);

  return (source) =>
    defer(() =>
      source.pipe(
        startWith(...unheard),
        tap((m) => observer.onMessage?.(m)),
        dropRepeats<RoutedOrder | UpstreamMark>({
          isRecord: isRoutedOrder,
          laneOf: (r) => partitionOf(r as RoutedOrder),
          sequenceOf: (r) => (r as RoutedOrder).record.source.offset,
          ...(restore?.taken ? { taken: restore.taken } : {}),
          ...(observer.onTaken ? { onTaken: (r: RoutedOrder | UpstreamMark, before: number) => observer.onTaken?.(r as RoutedOrder, before) } : {}),
        }),
        // Each rise of a partition's watermark by orders routed to other tasks (carried by the next order or
        // mark sent here), and a mark's rise past all that came before it, goes among the heads as a tick,
        // where the orders that made it would have been taken.
        concatMap(ticks(unheard)),
        partitionGroup<Item, UpstreamMark>({ timestampOf: itemTime, partitionOf: itemPartition, ...(observer.onHeld ? { onHeld: heldOrders(observer.onHeld) } : {}) }),
        upstreamWatermarks<Item>({
          timestampOf: itemTime,
          partitionOf: itemPartition,
          isTick: isWatermarkTick,
          watermarkBefore: (r) => (isWatermarkTick(r) ? r.watermark : r.before),
          watermarkOf: (r) => r.watermark,
          ...(options.inputPartitions !== undefined ? { expected: options.inputPartitions } : {}),
          ...(restore ? { initialWatermark: restore.watermark } : {}),
        }),
        map((e) => e as StreamElement<RoutedOrder>),
        tap((e) => {
          if (e.kind === 'record') observer.onOrder?.(e.value);
          else observer.onWatermark?.(e.timestamp);
        }),
        connect(
          (timed$): Observable<CustomerTaskOutput> =>
            merge(
              timed$.pipe(
                lateRecords(assigner),
                filter((late) => isNew(late.value.at)),
                map((late) => lateDeadLetter(late.value.record, late.timestamp, assigner)),
              ),
              timed$.pipe(map(toOrderElement), windowAggregate(hourlyPartialWindow(assigner, task))),
              timed$.pipe(
                filter((e) => e.kind === 'watermark'),
                map((e): TaskMark => ({ kind: 'task-mark', task, watermark: e.timestamp })),
              ),
              timed$.pipe(map(toOrderElement), windowAggregate({ ...customerStatsWindow(assigner), onSize: observer.onOpenWindows })),
              timed$.pipe(
                velocityAlerts<RoutedOrder>({
                  maxOrders: settings.velocityMaxOrders,
                  spanMs: settings.velocityWindowMs,
                  orderOf: (r) => r.record.order,
                  ...(restore ? { replayed: (r: RoutedOrder) => timestampOf(r) <= restore.watermark && restore.seenBefore(r.at) } : {}),
                  ...(observer.onLiveKeys ? { onLiveKeys: observer.onLiveKeys } : {}),
                }),
              ),
            ),
        ),
      ),
    );
}

/** What the partition group orders: routed orders, and ticks of watermarks raised by orders routed elsewhere. */
type Item = RoutedOrder | WatermarkTick;
const itemTime = (e: Item): number => (isWatermarkTick(e) ? e.timestamp : e.record.order.timestamp);
const itemPartition = (e: Item): number => (isWatermarkTick(e) ? e.partition : e.record.source.partition);

/**
 * Puts a tick before an order or a mark for each rise of its partition's watermark it carries (by orders
 * sent to other tasks), and one before a mark that raises the watermark past all that came before it (in
 * one process, or from a source that does not stamp rises).
 */
function ticks(restored: readonly UpstreamMark[]): (e: RoutedOrder | UpstreamMark) => Observable<Item | UpstreamMark> {
  // What the task knows of each partition's watermark: a rise at or below it changes nothing.
  const seen = new Map<number, number>(restored.map((w) => [w.partition, w.watermark]));
  const tick = (partition: number, timestamp: number, watermark: number): WatermarkTick => ({ kind: 'tick', partition, timestamp, watermark });
  return (e) => {
    const partition = isRoutedOrder(e) ? e.record.source.partition : e.partition;
    const out: Array<Item | UpstreamMark> = [];
    let known = seen.get(partition) ?? NO_WATERMARK;
    for (const [timestamp, watermark] of e.rises ?? []) {
      if (watermark <= known) continue;
      known = watermark;
      out.push(tick(partition, timestamp, watermark));
    }
    if (isRoutedOrder(e)) known = Math.max(known, e.watermark);
    else if (e.watermark > known && e.latest !== NO_WATERMARK) {
      known = e.watermark;
      out.push(tick(partition, e.latest, e.watermark));
    }
    seen.set(partition, known);
    out.push(e);
    return out.length === 1 ? of(e) : from(out);
  };
}

/** The group's reader of held items, as the orders among them (ticks are not read records). */
function heldOrders(onHeld: (read: (partition: number) => HeldRecords<RoutedOrder>) => void): (read: (partition: number, counts?: (value: Item) => boolean) => HeldRecords<Item>) => void {
  return (read) =>
    onHeld((partition) => {
      const { count, first } = read(partition, isRoutedOrder);
      return { count, first: first !== undefined && isRoutedOrder(first) ? first : undefined };
    });
}

/** This task's orders of each window, as a partial of the hourly sales. */
function hourlyPartialWindow(assigner: WindowAssigner, task: number): WindowSpec<Order, undefined, OrderTotals, OrderTotals, HourlyPartial> {
  return {
    assigner,
    aggregate: orderTotals,
    emit: (totals, window) => ({ kind: 'hourly-partial', task, window, count: totals.count, sum: totals.sum }),
  };
}

const toOrderElement = (e: StreamElement<RoutedOrder>): StreamElement<Order> => (e.kind === 'record' ? record(e.value.record.order, e.timestamp) : e);
