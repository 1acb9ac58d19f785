import { filter, map, type OperatorFunction } from 'rxjs';
import { analyticsOutput, type AnalyticsOutput } from '../model/analytics.js';
import type { Order } from '../model/order.js';

/**
 * The high_amount rule: every order above `threshold` raises an alert as soon as it is decoded, whatever
 * its event time, late or not.
 *
 * ```
 * source:  -a-b-c-|     amounts 5, 1000.01, 1000
 * result:  ---B---|     B = alert for b (1000 itself is not above the threshold)
 * ```
 */
export function highAmountAlerts(threshold: number): OperatorFunction<Order, AnalyticsOutput> {
  const reason = `Order amount > $${threshold}`;
  return (source) =>
    source.pipe(
      filter((order) => order.amount > threshold),
      map((order) =>
        analyticsOutput({
          type: 'fraud_alert',
          rule: 'high_amount',
          customer_id: order.customerId,
          reason,
          order_id: order.orderId,
          amount: order.amount,
          timestamp: order.timestamp,
        }),
      ),
    );
}
