import type { OperatorFunction } from 'rxjs';
import { tumblingWindows, windowAggregate, type AggregateFunction, type Order, type StreamElement } from 'stream-processor';

/** Each customer's largest order of a window. */
export interface LargestOrder {
  readonly customerId: string;
  readonly windowStart: number;
  readonly orderId: string;
  readonly amount: number;
}

/** Keeps the larger of two orders: one order a window and customer, never the window's records. */
const largest: AggregateFunction<Order, Order | undefined, Order | undefined> = {
  createAccumulator: () => undefined,
  add: (order, best) => (best === undefined || order.amount > best.amount ? order : best),
  getResult: (best) => best,
};

/**
 * Each customer's largest order of every tumbling window, once the watermark closes the window: an
 * operator of our own, built from the package's window assigner and window operator.
 *
 * ```
 * source:  -a-b-c-W---|   a = c1 $10, b = c1 $30, c = c2 $5 (all in hour 0); W = watermark at its end
 * result:  -------(BC)|  B = c1's $30, C = c2's $5
 * ```
 */
export function largestOrders(windowSizeMs = 3_600_000): OperatorFunction<StreamElement<Order>, LargestOrder> {
  return windowAggregate({
    assigner: tumblingWindows(windowSizeMs),
    keyBy: (order: Order) => order.customerId,
    aggregate: largest,
    emit: (best, window, customerId): LargestOrder => ({
      customerId,
      windowStart: window.start,
      orderId: best?.orderId ?? '',
      amount: best?.amount ?? 0,
    }),
  });
}
