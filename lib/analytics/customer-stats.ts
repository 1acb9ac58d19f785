import { analyticsOutput, type AnalyticsOutput } from '../model/analytics.js';
import { toDollars } from '../model/money.js';
import { formatWindowTime } from '../model/window-time.js';
import type { Order } from '../model/order.js';
import type { WindowSpec } from '../operators/window-aggregate.js';
import type { WindowAssigner } from '../operators/window-assigner.js';
import { orderTotals, type OrderTotals } from './order-totals.js';

/** Each customer's orders of each window: how many and what they spent, as `customer_stats`. */
export const customerStatsWindow = (assigner: WindowAssigner): WindowSpec<Order, string, OrderTotals, OrderTotals, AnalyticsOutput> => ({
  assigner,
  keyBy: (order) => order.customerId,
  aggregate: orderTotals,
  emit: (totals, window, customerId) =>
    analyticsOutput({
      type: 'customer_stats',
      window_start: formatWindowTime(window.start),
      window_end: formatWindowTime(window.end),
      customer_id: customerId,
      orders: totals.count,
      total_spent: toDollars(totals.sum),
    }),
});
