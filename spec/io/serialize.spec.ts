import { expect } from 'chai';
import fc from 'fast-check';
import { analyticsJson, deadLetterLine, toOutgoing } from '../../lib/io/serialize.js';
import type { Analytics } from '../../lib/model/analytics.js';
import { deadLetter } from '../../lib/model/dead-letter.js';

const text = fc.string({ unit: 'binary' });
const money = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const analytics: fc.Arbitrary<Analytics> = fc.oneof(
  fc.record({ type: fc.constant('hourly_sales' as const), window_start: text, window_end: text, order_count: fc.nat(), total_sales: money, average_order_value: money }),
  fc.record({ type: fc.constant('customer_stats' as const), window_start: text, window_end: text, customer_id: text, orders: fc.nat(), total_spent: money }),
  fc.record({
    type: fc.constant('fraud_alert' as const),
    rule: fc.constant('high_amount' as const),
    customer_id: text,
    reason: text,
    order_id: text,
    amount: money,
    timestamp: fc.nat(),
  }),
  fc.record({
    type: fc.constant('fraud_alert' as const),
    rule: fc.constant('velocity' as const),
    customer_id: text,
    reason: text,
    order_id: text,
    order_count: fc.nat(),
    timestamp: fc.nat(),
  }),
);

describe('serialize', () => {
  it('writes analytics exactly as JSON.stringify would, field order included', () => {
    fc.assert(fc.property(analytics, (m) => analyticsJson(m) === JSON.stringify(m)));
  });

  it('writes a replay dead letter with the line as read, and base64 when it is not UTF-8', () => {
    const bad = Buffer.from([0x7b, 0xff]);
    expect(JSON.parse(deadLetterLine(deadLetter('not_json', 'not valid UTF-8', { partition: 0, offset: 3 }, bad)))).to.deep.equal({
      reason: 'not_json',
      detail: 'not valid UTF-8',
      line: 3,
      raw: '{\ufffd',
      raw_base64: 'e/8=',
    });
    expect(deadLetterLine(deadLetter('invalid', 'x', { partition: 0, offset: 1 }, Buffer.from('{"a":1}')))).to.equal(
      '{"reason":"invalid","detail":"x","line":1,"raw":"{\\"a\\":1}"}',
    );
  });

  it('sends a dead letter to Kafka with its bytes untouched and its story in headers', () => {
    const raw = Buffer.from([1, 2, 255]);
    const message = toOutgoing(deadLetter('not_json', 'not valid UTF-8', { partition: 2, offset: 77 }, raw.subarray(1)), {
      inputTopic: 'orders',
      outputTopic: 'analytics',
      deadLetterTopic: 'orders.dlq',
    });
    expect(message).to.deep.equal({
      topic: 'orders.dlq',
      key: null,
      value: Buffer.from([2, 255]),
      headers: { reason: 'not_json', detail: 'not valid UTF-8', 'source.topic': 'orders', 'source.partition': '2', 'source.offset': '77' },
    });
  });
});
