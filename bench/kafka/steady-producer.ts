import { Partitioners } from 'kafkajs';
import { Prng } from '../../lib/io/prng.js';
import { benchKafka, monoMs, sleep, type SteadyProducerArgs, type SteadyProducerResult } from './common.js';

/**
 * Child entry for the latency run: publishes orders stamped with the current time at a steady rate,
 * keyed by customerId (murmur2, as the service's own producer partitions), one in `alertEvery` above the
 * alert threshold. Every `tickMs` (5 ms, as the Java producer's default linger.ms) it sends the orders due by
 * then in one request, without waiting for the previous one, so the pace does not depend on the broker's round trips. For each alert order it
 * notes monoMs() just before the send() call that carries it. Prints one JSON line
 * ({@link SteadyProducerResult}) at the end.
 *
 *   node dist/bench/kafka/steady-producer.js '<SteadyProducerArgs as JSON>'
 *
 * Customers are drawn uniformly from a large pool (a million by default), so that the velocity rule (more
 * than 5 orders of one customer within a minute) stays quiet at thousands of orders a second: the alerts
 * measured are the high_amount ones, not a flood of velocity alerts.
 */
const args = JSON.parse(process.argv[2] ?? 'null') as SteadyProducerArgs | null;
if (args === null) {
  process.stderr.write("usage: steady-producer.js '<json>'\n");
  process.exit(2);
}

const rng = new Prng(args.seed);
const total = Math.round((args.rate * args.durationMs) / 1000);
let sent = 0;
const order = (n: number, alert: boolean): { key: string; value: string; orderId: string } => {
  const customerId = `cust-${String(rng.int(0, args.customers - 1)).padStart(7, '0')}`;
  const amount = alert
    ? Math.round((args.alertThreshold + 0.01 + rng.next() * 4000) * 100) / 100
    : Math.min(Math.floor(args.alertThreshold * 100 - 1) / 100, Math.max(0.5, Math.round(Math.exp(Math.log(35) + 0.9 * rng.normal()) * 100) / 100));
  const items: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) items.push(`sku-${rng.int(1, 5000)}`);
  const orderId = `lat-${args.runId}-${n}`;
  return { key: customerId, orderId, value: JSON.stringify({ orderId, customerId, amount, timestamp: Date.now(), items }) };
};

const kafka = benchKafka(args.brokers, 'bench-steady-producer');
const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
// Metadata for the topic before the clock starts, so the first tick does not pay for it.
const admin = kafka.admin();
await admin.connect();
await admin.fetchTopicMetadata({ topics: [args.topic] });
await admin.disconnect();

const alerts: Array<[string, number]> = [];
const errors: string[] = [];
const inFlight = new Set<Promise<unknown>>();
let requests = 0;
let maxBehind = 0;
const startedAtEpochMs = Date.now();
const started = monoMs();
while (sent < total) {
  const due = Math.min(total, Math.floor(((monoMs() - started) / 1000) * args.rate) + 1);
  maxBehind = Math.max(maxBehind, due - sent - 1);
  if (due > sent) {
    const messages: Array<{ key: string; value: string }> = [];
    const batchAlerts: string[] = [];
    for (; sent < due; sent++) {
      const alert = (sent + 1) % args.alertEvery === 0;
      const o = order(sent, alert);
      messages.push({ key: o.key, value: o.value });
      if (alert) batchAlerts.push(o.orderId);
    }
    const at = monoMs();
    for (const id of batchAlerts) alerts.push([id, at]);
    const p = producer.send({ topic: args.topic, acks: -1, messages }).catch((err: unknown) => {
      if (errors.length < 5) errors.push(String(err));
    });
    requests += 1;
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await sleep(args.tickMs);
}
const elapsedMs = monoMs() - started;
await Promise.all(inFlight);
await producer.disconnect().catch(() => undefined);
const cpu = process.cpuUsage();
const result: SteadyProducerResult = { sent, elapsedMs, requests, maxBehind, alerts, errors, startedAtEpochMs, startedAtMono: started, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
