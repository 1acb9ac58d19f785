import { analyticsOutput, type AnalyticsOutput } from '../model/analytics.js';
import { toDollars } from '../model/money.js';
import { windowLabels } from '../model/window-time.js';
import type { Order } from '../model/order.js';
import type { WindowSpec } from '../operators/window-aggregate.js';
import type { WindowAssigner } from '../operators/window-assigner.js';
import { orderTotals, type OrderTotals } from './order-totals.js';

/** All orders of each window: how many, their total and their average, as `hourly_sales`. */
export function hourlySalesWindow(assigner: WindowAssigner): WindowSpec<Order, undefined, OrderTotals, OrderTotals, AnalyticsOutput> {
  const labels = windowLabels();
  return {
    assigner,
    aggregate: orderTotals,
    emit: (totals, window) => {
      const { start, end } = labels(window);
      return analyticsOutput({
        type: 'hourly_sales',
        window_start: start,
        window_end: end,
        order_count: totals.count,
        total_sales: toDollars(totals.sum),
        average_order_value: toDollars(totals.sum, totals.count),
      });
    },
  };
}
