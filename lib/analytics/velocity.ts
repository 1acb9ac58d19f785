import type { OperatorFunction } from 'rxjs';
import { analyticsOutput, type AnalyticsOutput } from '../model/analytics.js';
import { formatSpan } from '../model/window-time.js';
import type { Order } from '../model/order.js';
import { inEventTimeOrder } from '../operators/in-event-time-order.js';
import { scanByKey } from '../operators/scan-by-key.js';
import type { StreamElement } from '../operators/stream-element.js';

/** One customer's recent orders, as the velocity rule needs them. */
export interface VelocityState {
  /** Event times of the counted orders still inside the span, oldest first, from `head` on. */
  times: number[];
  head: number;
  /** Event time of the customer's last alert. */
  lastAlert: number;
  /** Event time of the newest counted order. */
  lastSeen: number;
}

export const newVelocityState = (): VelocityState => ({ times: [], head: 0, lastAlert: -Infinity, lastSeen: -Infinity });

/**
 * The velocity rule for one order, which must come in event-time order: counts the customer's orders in
 * `(t - span, t]` and raises an alert when there are more than `maxOrders` and no alert of the customer
 * lies in that same span (so one alert a minute of a burst, not one an order).
 */
export function velocityStep(maxOrders: number, spanMs: number): (state: VelocityState, order: Order, silent?: boolean) => AnalyticsOutput | undefined {
  const reason = `More than ${maxOrders} ${maxOrders === 1 ? 'order' : 'orders'} within ${formatSpan(spanMs)}`;
  return (state, order, silent = false) => {
    const t = order.timestamp;
    const times = state.times;
    times.push(t);
    state.lastSeen = t;
    while ((times[state.head] as number) <= t - spanMs) state.head += 1;
    // Drop the consumed front now and then, so the array follows the span and not the history.
    if (state.head > 32 && state.head * 2 > times.length) {
      state.times = times.slice(state.head);
      state.head = 0;
    }
    const n = state.times.length - state.head;
    if (n <= maxOrders || state.lastAlert > t - spanMs) return undefined;
    state.lastAlert = t;
    // A silent order was judged before a restart: its alert, if any, is already out.
    if (silent) return undefined;
    return analyticsOutput({
      type: 'fraud_alert',
      rule: 'velocity',
      customer_id: order.customerId,
      reason,
      order_id: order.orderId,
      order_count: n,
      timestamp: t,
    });
  };
}

export interface VelocityOptions<T> {
  readonly maxOrders: number;
  readonly spanMs: number;
  readonly orderOf: (value: T) => Order;
  /**
   * Records judged before a restart, behind the restored watermark: they rebuild the customers' state
   * (so a burst that straddles the restart is still caught) but raise no alert a second time.
   */
  readonly replayed?: (value: T) => boolean;
  readonly onLiveKeys?: (liveKeys: number) => void;
}

/**
 * The velocity rule over a stream: orders ahead of the watermark are put in event-time order, then
 * scanned per customer; a customer quiet for a whole span of event time is forgotten.
 */
export function velocityAlerts<T>(options: VelocityOptions<T>): OperatorFunction<StreamElement<T>, AnalyticsOutput> {
  const { maxOrders, spanMs, orderOf, replayed, onLiveKeys } = options;
  const step = velocityStep(maxOrders, spanMs);
  return (source) =>
    source.pipe(
      inEventTimeOrder<T>(replayed ? { keepBehind: replayed } : {}),
      scanByKey({
        keyOf: (value: T) => orderOf(value).customerId as string,
        seed: newVelocityState,
        step: (state: VelocityState, value: T) => step(state, orderOf(value), replayed?.(value) ?? false),
        expiresAt: (state) => state.lastSeen + spanMs,
        ...(onLiveKeys ? { onSize: onLiveKeys } : {}),
      }),
    );
}
