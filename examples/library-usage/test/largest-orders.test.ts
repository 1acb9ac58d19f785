import { deepStrictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { newTestScheduler, order, record, watermark } from 'stream-processor/testing';
import type { Order, StreamElement } from 'stream-processor';
import { largestOrders } from '../src/largest-orders.js';

const HOUR = 3_600_000;

test('largestOrders: one output a customer when the watermark closes the window, none for an empty one', () => {
  const scheduler = newTestScheduler();
  scheduler.run(({ cold, expectObservable }) => {
    const a = record(order({ orderId: 'a', customerId: 'c1', amount: 10, timestamp: 10 }), 10);
    const b = record(order({ orderId: 'b', customerId: 'c1', amount: 30, timestamp: 20 }), 20);
    const c = record(order({ orderId: 'c', customerId: 'c2', amount: 5, timestamp: 30 }), 30);
    const early = watermark(HOUR - 2);
    const closing = watermark(HOUR - 1);
    const source = cold<StreamElement<Order>>('-a-b-c-e-W-----|', { a, b, c, e: early, W: closing });
    expectObservable(source.pipe(largestOrders())).toBe('---------(BC)--|', {
      B: { customerId: 'c1', windowStart: 0, orderId: 'b', amount: 30 },
      C: { customerId: 'c2', windowStart: 0, orderId: 'c', amount: 5 },
    });
  });
});

test('largestOrders: what is still open fires when the input completes', () => {
  const scheduler = newTestScheduler();
  scheduler.run(({ cold, expectObservable }) => {
    const a = record(order({ orderId: 'a', customerId: 'c1', amount: 10, timestamp: HOUR }), HOUR);
    expectObservable(cold<StreamElement<Order>>('-a-|', { a }).pipe(largestOrders())).toBe('---(A|)', {
      A: { customerId: 'c1', windowStart: HOUR, orderId: 'a', amount: 10 },
    });
  });
});

test('the marble helpers compare with deep equality', () => {
  deepStrictEqual(record('x', 1), { kind: 'record', value: 'x', timestamp: 1 });
});
