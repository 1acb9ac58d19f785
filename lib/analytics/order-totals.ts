import { addAmount, emptySum, type MoneySum } from '../model/money.js';
import type { Order } from '../model/order.js';
import type { AggregateFunction } from '../operators/aggregate-function.js';

/** How many orders a window holds and what they add up to, exactly. */
export interface OrderTotals {
  count: number;
  readonly sum: MoneySum;
}

/** Counts and sums orders: the one aggregate behind both hourly sales and customer stats. */
export const orderTotals: AggregateFunction<Order, OrderTotals, OrderTotals> = {
  createAccumulator: () => ({ count: 0, sum: emptySum() }),
  add(order, totals) {
    totals.count += 1;
    addAmount(totals.sum, order.amount);
    return totals;
  },
  getResult: (totals) => totals,
};
