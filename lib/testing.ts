/**
 * `stream-processor/testing`: what marble tests of our operators need, and what our own specs use. Kept
 * out of the main entry so that an application never loads the test scheduler, and free of any test
 * runner: assertions go through `node:assert`, so mocha, node:test or anything else can run them.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { isRight } from 'fp-ts/lib/Either.js';
import { TestScheduler } from 'rxjs/testing';
import { Order } from './model/order.js';
import type { PartitionStatus, SourceRecord } from './model/source.js';

export { record, watermark, type StreamElement, type TimestampedRecord, type Watermark } from './operators/stream-element.js';

/**
 * A TestScheduler that compares marble frames by deep equality (`deepStrictEqual`, as RxJS's own specs
 * compare them); pass `assertEqual` to use your test library's assertion instead.
 */
export const newTestScheduler = (assertEqual: (actual: unknown, expected: unknown) => void = deepStrictEqual): TestScheduler =>
  new TestScheduler((actual, expected) => assertEqual(actual, expected));

/** The fields of an order as a test writes them: any value, so that invalid orders can be written too. */
export type OrderFields = Partial<Record<keyof Order, unknown>>;

/** Customer `c1`'s $10 order `o1` at time 0 with no items, changed by `fields`. */
const orderWith = (fields: OrderFields): Record<string, unknown> => ({ orderId: 'o1', customerId: 'c1', amount: 10, timestamp: 0, items: [], ...fields });

/** A valid order through the real codec, so that tests never cast their way past its brands; throws if invalid. */
export function order(fields: OrderFields = {}): Order {
  const decoded = Order.decode(orderWith(fields));
  if (!isRight(decoded)) throw new Error(`test order is invalid: ${JSON.stringify(fields)}`);
  return decoded.right;
}

/** An order as one JSON line (not checked: write a bad one to test dead letters). */
export const orderLine = (fields: OrderFields = {}): string => JSON.stringify(orderWith(fields));

/**
 * A record as a source hands it to the pipeline: `value` is an order's fields (sent as its JSON line) or
 * the raw line itself.
 */
export const sourceRecord = (partition: number, offset: number, value: OrderFields | string): SourceRecord => ({
  kind: 'record',
  partition,
  offset,
  value: typeof value === 'string' ? value : orderLine(value),
});

/** The source's word that a partition has nothing left to read (`idle`) or has records again. */
export const partitionStatus = (partition: number, idle = true): PartitionStatus => ({ kind: 'partition-status', partition, idle });
