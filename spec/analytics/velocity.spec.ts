import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { newVelocityState, velocityAlerts, velocityStep } from '../../lib/analytics/velocity.js';
import { analyticsOutput } from '../../lib/model/analytics.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import type { Order } from '../../lib/model/order.js';
import { newTestScheduler } from '../helpers/marbles.js';
import { order } from '../helpers/orders.js';

const alert = (o: Order, n: number) =>
  analyticsOutput({
    type: 'fraud_alert',
    rule: 'velocity',
    customer_id: o.customerId,
    reason: 'More than 5 orders within 1 minute',
    order_id: o.orderId,
    order_count: n,
    timestamp: o.timestamp,
  });

describe('velocity rule', () => {
  describe('velocityStep', () => {
    const step = velocityStep(5, 60_000);

    it('alerts on the sixth order within (t - 60 s, t], across a minute boundary', () => {
      const state = newVelocityState();
      const times = [50_000, 55_000, 60_000, 65_000, 70_000, 75_000];
      const outs = times.map((t, i) => step(state, order({ orderId: `o${i}`, timestamp: t })));
      expect(outs.slice(0, 5)).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
      expect(outs[5]).to.deep.equal(alert(order({ orderId: 'o5', timestamp: 75_000 }), 6));
    });

    it('does not count an order exactly 60 s older: the span is open at its start', () => {
      const state = newVelocityState();
      const outs = [0, 10_000, 20_000, 30_000, 40_000, 60_000].map((t) => step(state, order({ timestamp: t })));
      expect(outs.every((o) => o === undefined)).to.equal(true);
    });

    it('raises one alert a minute of a burst, not one an order', () => {
      const state = newVelocityState();
      const alerts: number[] = [];
      for (let t = 0; t <= 130_000; t += 1_000) {
        const out = step(state, order({ timestamp: t }));
        if (out?.kind === 'analytics' && out.message.type === 'fraud_alert') alerts.push(out.message.timestamp);
      }
      // The sixth order (5 s) alerts; the next alert needs an order 60 s past it (65 s), and so on.
      expect(alerts).to.deep.equal([5_000, 65_000, 125_000]);
    });

    it('follows the settings in its reason', () => {
      const state = newVelocityState();
      const two = velocityStep(2, 90_000);
      const outs = [1, 2, 3].map((t) => two(state, order({ timestamp: t })));
      expect(outs[2]?.kind === 'analytics' && outs[2].message.type === 'fraud_alert' && outs[2].message.reason).to.equal(
        'More than 2 orders within 90 seconds',
      );
    });
  });

  describe('velocityAlerts', () => {
    let scheduler: TestScheduler;
    beforeEach(() => {
      scheduler = newTestScheduler();
    });

    it('counts in event-time order: six orders arriving out of order alert on the latest by time', () => {
      const orders = [5, 3, 1, 2, 4, 6].map((s) => order({ orderId: `o${s}`, timestamp: s * 1000 }));
      scheduler.run(({ cold, expectObservable }) => {
        const values: Record<string, StreamElement<Order>> = {};
        'abcdef'.split('').forEach((k, i) => {
          const o = orders[i] as Order;
          values[k] = record(o, o.timestamp);
        });
        values.w = watermark(10_000);
        const source = cold<StreamElement<Order>>('-abcdef-w-|', values);
        expectObservable(source.pipe(velocityAlerts({ maxOrders: 5, spanMs: 60_000, orderOf: (o: Order) => o }))).toBe('--------A-|', { A: alert(orders[5] as Order, 6) });
      });
    });

    it('of six orders with one timestamp, the sixth to arrive alerts', async () => {
      const orders = [1, 2, 3, 4, 5, 6].map((i) => order({ orderId: `o${i}`, timestamp: 7_000 }));
      const elements: Array<StreamElement<Order>> = orders.map((o) => record(o, o.timestamp));
      const out = await lastValueFrom(from(elements).pipe(velocityAlerts({ maxOrders: 5, spanMs: 60_000, orderOf: (o: Order) => o }), toArray()));
      expect(out).to.deep.equal([alert(orders[5] as Order, 6)]);
    });

    it('forgets a customer quiet for a span of event time', async () => {
      const live: number[] = [];
      const elements: Array<StreamElement<Order>> = [
        record(order({ customerId: 'a', timestamp: 1_000 }), 1_000),
        record(order({ customerId: 'b', timestamp: 2_000 }), 2_000),
        watermark(61_000),
        watermark(62_000),
      ];
      await lastValueFrom(from(elements).pipe(velocityAlerts({ maxOrders: 5, spanMs: 60_000, orderOf: (o: Order) => o, onLiveKeys: (n) => live.push(n) }), toArray()));
      expect(live).to.deep.equal([1, 2, 1, 0]);
    });
  });
  describe('its reason', () => {
    const reasonOf = async (maxOrders: number, spanMs: number): Promise<unknown> => {
      const orders = Array.from({ length: maxOrders + 1 }, (_, i) => record(order({ orderId: `o${i}`, timestamp: 1_000 + i }), 1_000 + i));
      const out = await lastValueFrom(from<StreamElement<Order>[]>([...orders, watermark(Infinity)]).pipe(velocityAlerts({ maxOrders, spanMs, orderOf: (o: Order) => o }), toArray()));
      return out.map((o) => (o.message.type === 'fraud_alert' ? o.message.reason : undefined));
    };

    it('reads right for any setting: the number and the span agree with their words', async () => {
      expect(await reasonOf(5, 60_000)).to.deep.equal(['More than 5 orders within 1 minute']);
      expect(await reasonOf(1, 60_000)).to.deep.equal(['More than 1 order within 1 minute']);
      expect(await reasonOf(0, 1_000)).to.deep.equal(['More than 0 orders within 1 second']);
      expect(await reasonOf(3, 90_000)).to.deep.equal(['More than 3 orders within 90 seconds']);
      expect(await reasonOf(2, 7_200_000)).to.deep.equal(['More than 2 orders within 2 hours']);
      expect(await reasonOf(2, 1_500)).to.deep.equal(['More than 2 orders within 1500 milliseconds']);
    });
  });
});
