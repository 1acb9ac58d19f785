import { deepStrictEqual, equal } from 'node:assert/strict';
import { test } from 'node:test';
import { from, lastValueFrom, tap } from 'rxjs';
import { analyticsPipeline, DEFAULT_ANALYTICS_SETTINGS, toOutgoing, type SourceEvent } from 'stream-processor';
import { sourceRecord } from 'stream-processor/testing';
import { MemorySink } from '../src/memory-sink.js';

test('the whole pipeline publishes into a sink of our own: analytics, and a dead letter with its reason', async () => {
  const sink = new MemorySink();
  const topics = { inputTopic: 'orders', outputTopic: 'analytics', deadLetterTopic: 'orders.dlq' };
  const events: SourceEvent[] = [
    sourceRecord(0, 1, { orderId: 'o1', customerId: 'alice', amount: 1250.5, timestamp: Date.UTC(2024, 5, 1) }),
    sourceRecord(0, 2, 'not json'),
    sourceRecord(0, 3, { orderId: 'o2', customerId: 'bob', amount: 20, timestamp: Date.UTC(2024, 5, 1, 0, 30) }),
  ];
  await lastValueFrom(from(events).pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS), tap((output) => sink.send(toOutgoing(output, topics)))));
  await sink.close();

  deepStrictEqual(sink.analytics('hourly_sales'), [
    { type: 'hourly_sales', window_start: '2024-06-01T00:00:00', window_end: '2024-06-01T01:00:00', order_count: 2, total_sales: 1270.5, average_order_value: 635.25 },
  ]);
  equal(sink.analytics('fraud_alert').length, 1);
  const dead = sink.messages.filter((m) => m.topic === 'orders.dlq');
  deepStrictEqual(dead.map((m) => [m.value, m.headers?.reason]), [['not json', 'not_json']]);
});
