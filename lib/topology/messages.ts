import type { OrderRecord } from '../model/decode-order.js';
import type { MoneySum } from '../model/money.js';
import type { PartitionStatus, SourcePosition } from '../model/source.js';
import type { TimeWindow } from '../operators/window-assigner.js';

/**
 * What the tasks of the topology pass to one another (Kafka Streams' repartition records): an order on
 * its way to the task that owns its customer, the upstream partitions' event time, and each customer
 * task's share of the hourly sales on its way to the one task that combines them.
 */

/** A valid order routed by customer, with its input partition's watermark once it counted there. */
export interface RoutedOrder {
  readonly kind: 'routed';
  /** The order as decoded, with its input position (for a `late` dead letter) and raw value. */
  readonly record: OrderRecord;
  /**
   * The watermark of the order's input partition before it and after it: a task that sees only some of
   * the partition's orders still judges this one by the partition's watermark as it stood.
   */
  readonly before: number;
  readonly watermark: number;
  /**
   * Where the owning task read it: `partition` is the input partition it came from (a lane of the log),
   * `offset` its place in the log the task reads. In one process, the input position itself.
   */
  readonly at: SourcePosition;
  /** The customer task it goes to, where there are several (a partition of the internal topic). */
  readonly destination?: number;
  /** How its partition's watermark rose, since the last message to the same task, by orders sent elsewhere. */
  readonly rises?: readonly WatermarkRise[];
}

/**
 * One rise of an input partition's watermark, by an order: where the order stands among the partitions'
 * heads (the newest event time of its partition then) and the watermark after it. A task that did not get
 * the order still learns of the rise, in its place among the partition's messages: so its watermark moves
 * as one instance's would, order by order, whatever the batches and the routing.
 */
export type WatermarkRise = readonly [timestamp: number, watermark: number];

/**
 * An input partition's word, sent to every customer task in order with its orders: its watermark, and
 * whether it is caught up (then it holds nobody back) or has records to read (then it holds everyone).
 * A {@link PartitionStatus} of the input partition, so that a partition group over lanes takes it as is.
 */
export interface UpstreamMark extends PartitionStatus {
  readonly watermark: number;
  /** Event time of the newest order the partition has counted (`-Infinity` before its first). */
  readonly latest: number;
  /** The next offset to read in the input partition, where known: checked against the partition's end. */
  readonly next?: number;
  /** Where the owning task read it (as {@link RoutedOrder.at}); absent in one process. */
  readonly at?: SourcePosition;
  /** The customer task it goes to, where there are several: each gets its own copy. */
  readonly destination?: number;
  /** As {@link RoutedOrder.rises}. */
  readonly rises?: readonly WatermarkRise[];
}

/**
 * A rise of a partition's watermark by orders this task did not get (a {@link WatermarkRise}, or a mark's
 * rise past what came before it), as a stand-in for them: it takes its place among the partitions' heads
 * at `timestamp` (the newest of them), so the rise counts where those orders would have been taken.
 */
export interface WatermarkTick {
  readonly kind: 'tick';
  readonly partition: number;
  readonly timestamp: number;
  readonly watermark: number;
}

/** One customer task's orders of a window, when its watermark passed the window. */
export interface HourlyPartial {
  readonly kind: 'hourly-partial';
  readonly task: number;
  readonly window: TimeWindow;
  readonly count: number;
  readonly sum: MoneySum;
}

/** A customer task's watermark, after the partials it closes. */
export interface TaskMark {
  readonly kind: 'task-mark';
  readonly task: number;
  readonly watermark: number;
}

export const isRoutedOrder = (e: { readonly kind: string }): e is RoutedOrder => e.kind === 'routed';
export const isUpstreamMark = (e: { readonly kind: string }): e is UpstreamMark => e.kind === 'partition-status';
export const isWatermarkTick = (e: { readonly kind: string }): e is WatermarkTick => e.kind === 'tick';
export const isHourlyPartial = (e: { readonly kind: string }): e is HourlyPartial => e.kind === 'hourly-partial';
export const isTaskMark = (e: { readonly kind: string }): e is TaskMark => e.kind === 'task-mark';

/** Its partition's watermark once a message to a customer task has counted: after its rises and its own. */
export function watermarkAfter(message: RoutedOrder | UpstreamMark): number {
  let w = message.watermark;
  for (const [, rise] of message.rises ?? []) if (rise > w) w = rise;
  return w;
}
