import { isRight } from 'fp-ts/lib/Either.js';
import { Order } from '../../lib/model/order.js';

/** A valid order through the real codec, so tests never cast their way past the brands. */
export function order(fields: Partial<Record<keyof Order, unknown>> = {}): Order {
  const decoded = Order.decode({ orderId: 'o1', customerId: 'c1', amount: 10, timestamp: 0, items: [], ...fields });
  if (!isRight(decoded)) throw new Error(`test order is invalid: ${JSON.stringify(fields)}`);
  return decoded.right;
}

/** An order as one JSON line. */
export const orderLine = (fields: Partial<Record<keyof Order, unknown>> = {}): string =>
  JSON.stringify({ orderId: 'o1', customerId: 'c1', amount: 10, timestamp: 0, items: [], ...fields });
