import { readFileSync } from 'node:fs';
import { kafkaSink } from '../../lib/io/kafka/kafka-sink.js';
import type { OutgoingMessage } from '../../lib/io/ports.js';
import { decodeOrder, isOrderRecord } from '../../lib/model/decode-order.js';
import { routedMessage } from '../../lib/runtime/wire.js';
import { benchKafka } from './common.js';

/**
 * Child entry, the publishing ceiling: what the service publishes for each order, and nothing else. For
 * each order of the recording, the message a source task sends to the orders-by-customer topic (the
 * order's bytes with its headers, built by the service's own `routedMessage`) and one result the size of
 * a customer_stats, both through the service's own sink (kafkajs, idempotent, one request in flight).
 * No reading, no pipeline: the fastest the service could go if publishing were all it did. Prints one
 * JSON line ({@link ProducerResult}) and exits.
 *
 *   node dist/bench/kafka/bare-producer.js BROKERS RECORDING ORDERS INTERNAL_TOPIC RESULT_TOPIC PARTITIONS
 */
export interface ProducerResult {
  readonly orders: number;
  readonly messages: number;
  readonly ms: number;
  readonly cpuMs: number;
}

const [brokers, recording, ordersText, internalTopic, resultTopic, partitionsText] = process.argv.slice(2);
const orders = Number(ordersText);
const partitions = Number(partitionsText);
if (brokers === undefined || recording === undefined || internalTopic === undefined || resultTopic === undefined || !(orders > 0) || !(partitions > 0)) {
  process.stderr.write('usage: bare-producer.js BROKERS RECORDING ORDERS INTERNAL_TOPIC RESULT_TOPIC PARTITIONS\n');
  process.exit(2);
}

// Built before the clock starts: the messages, as the service would hand them to its sink.
const messages: OutgoingMessage[] = [];
const lines = readFileSync(recording, 'utf8').split('\n');
for (let i = 0; i < lines.length && messages.length < 2 * orders; i++) {
  const line = lines[i]!;
  if (line === '') continue;
  const decoded = decodeOrder({ kind: 'record', partition: i % partitions, offset: i, value: Buffer.from(line) });
  if (!isOrderRecord(decoded)) continue;
  const { order } = decoded;
  const watermark = order.timestamp - 5_000;
  // A rise for about every other order, as a source task stamps them for the other tasks.
  const rises = i % 2 === 0 ? [[order.timestamp - 250, watermark - 250] as [number, number]] : undefined;
  messages.push(routedMessage(internalTopic, { kind: 'routed', record: decoded, before: watermark - 100, watermark, destination: i % partitions, at: { partition: 0, offset: i }, ...(rises ? { rises } : {}) }));
  const stats = JSON.stringify({ type: 'customer_stats', window_start: '2024-06-03T00:00:00', window_end: '2024-06-03T01:00:00', customer_id: order.customerId, orders: 1 + (i % 3), total_spent: order.amount });
  messages.push({ topic: resultTopic, key: order.customerId, value: stats });
}

const kafka = benchKafka(brokers, 'bench-bare-producer');
const sink = await kafkaSink(kafka);
const cpu0 = process.cpuUsage();
const started = performance.now();
// In steps, as the service hands over a batch's output and waits below its bound of pending messages.
const STEP = 500;
const BOUND = 10_000;
for (let i = 0; i < messages.length; i += STEP) {
  for (let j = i; j < Math.min(messages.length, i + STEP); j++) sink.send(messages[j]!);
  if (sink.pending() >= BOUND) await sink.belowBound(BOUND);
}
await sink.flush();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const result: ProducerResult = { orders: messages.length / 2, messages: messages.length, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(JSON.stringify(result) + '\n');
await sink.close({ flush: false }).catch(() => undefined);
process.exit(0);
