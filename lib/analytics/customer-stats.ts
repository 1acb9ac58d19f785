import { analyticsOutput, type AnalyticsOutput } from '../model/analytics.js';
import { toDollars } from '../model/money.js';
import { windowLabels } from '../model/window-time.js';
import type { Order } from '../model/order.js';
import type { WindowSpec } from '../operators/window-aggregate.js';
import type { WindowAssigner } from '../operators/window-assigner.js';
import { orderTotals, type OrderTotals } from './order-totals.js';

/** Each customer's orders of each window: how many and what they spent, as `customer_stats`. */
export function customerStatsWindow(assigner: WindowAssigner): WindowSpec<Order, string, OrderTotals, OrderTotals, AnalyticsOutput> {
  const labels = windowLabels();
  return {
    assigner,
    keyBy: (order) => order.customerId,
    aggregate: orderTotals,
    emit: (totals, window, customerId) => {
      const { start, end } = labels(window);
      return analyticsOutput({
        type: 'customer_stats',
        window_start: start,
        window_end: end,
        customer_id: customerId,
        orders: totals.count,
        total_spent: toDollars(totals.sum),
      });
    },
  };
}
