import type { TestScheduler } from 'rxjs/testing';
import { highAmountAlerts } from '../../lib/analytics/high-amount.js';
import { analyticsOutput } from '../../lib/model/analytics.js';
import type { Order } from '../../lib/model/order.js';
import { newTestScheduler } from '../helpers/marbles.js';
import { order } from '../helpers/orders.js';

describe('highAmountAlerts', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('alerts at once for an amount strictly above the threshold', () => {
    const small = order({ amount: 5 });
    const above = order({ orderId: 'big', customerId: 'eve', amount: 1000.01, timestamp: 42 });
    const exactly = order({ amount: 1000 });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<Order>('-a-b-c-|', { a: small, b: above, c: exactly }).pipe(highAmountAlerts(1000))).toBe('---B---|', {
        B: analyticsOutput({
          type: 'fraud_alert',
          rule: 'high_amount',
          customer_id: 'eve',
          reason: 'Order amount > $1000',
          order_id: 'big',
          amount: 1000.01,
          timestamp: 42,
        }),
      });
    });
  });

  it('names its threshold in the reason, forwards errors, stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const o = order({ amount: 300 });
      expectObservable(cold<Order>('-a|', { a: o }).pipe(highAmountAlerts(250.5))).toBe('-a|', {
        a: analyticsOutput({ type: 'fraud_alert', rule: 'high_amount', customer_id: 'c1', reason: 'Order amount > $250.5', order_id: 'o1', amount: 300, timestamp: 0 }),
      });
      expectObservable(cold<Order>('-#').pipe(highAmountAlerts(1))).toBe('-#');
      expectObservable(cold<Order>('-a-a', { a: o }).pipe(highAmountAlerts(1)), '^-!').toBe('-x', {
        x: analyticsOutput({ type: 'fraud_alert', rule: 'high_amount', customer_id: 'c1', reason: 'Order amount > $1', order_id: 'o1', amount: 300, timestamp: 0 }),
      });
    });
  });
});
