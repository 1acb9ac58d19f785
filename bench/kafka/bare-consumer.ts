import { benchKafka, type BareResult } from './common.js';

/**
 * Child entry, the baseline: a bare kafkajs consumer that reads the topic from the beginning in a group
 * of its own and does nothing with the messages but count them, until it has read `expected` of them.
 * Its defaults are the service's (same client, fetch sizes, one partition at a time), except that it
 * commits nothing: reading is all it does. Prints one JSON line ({@link BareResult}) and exits.
 *
 *   node dist/bench/kafka/bare-consumer.js BROKERS TOPIC GROUP EXPECTED
 */
const [brokers, topic, groupId, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
if (brokers === undefined || topic === undefined || groupId === undefined || !(expected > 0)) {
  process.stderr.write('usage: bare-consumer.js BROKERS TOPIC GROUP EXPECTED\n');
  process.exit(2);
}

const kafka = benchKafka(brokers, 'bench-bare-consumer');
const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
let messages = 0;
let firstMessageAt = 0;
let done: (at: number) => void = () => undefined;
const finished = new Promise<number>((resolve) => (done = resolve));

await consumer.connect();
const connectedAt = Date.now();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    if (messages === 0) firstMessageAt = Date.now();
    messages += batch.messages.length;
    if (messages >= expected) done(Date.now());
  },
});
const doneAt = await finished;
const cpu = process.cpuUsage();
const result: BareResult = { messages, connectedAt, firstMessageAt, doneAt, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(JSON.stringify(result) + '\n');
await consumer.disconnect().catch(() => undefined);
// kafkajs may leave timers behind; the figures are out.
process.exit(0);
