import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { Kafka, logLevel, Partitioners, type IHeaders } from 'kafkajs';
import { internalTopics } from '../../lib/runtime/internal-topics.js';
import type { StatusReport } from '../../lib/service/status.js';
import { CLI, REPO } from './cli.js';

/** The broker the global fixture started (or the one KAFKA_BOOTSTRAP_SERVERS named). */
export const bootstrap = (): string => {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) throw new Error('no Kafka broker: the mocha fixture sets KAFKA_BOOTSTRAP_SERVERS');
  return servers;
};

export const testKafka = (servers = bootstrap()): Kafka => new Kafka({ clientId: 'spec', brokers: servers.split(','), logLevel: logLevel.NOTHING });

let counter = 0;
/** Topic and group names no other test uses, so tests never see each other's records. */
export function uniqueNames(prefix: string): { inputTopic: string; outputTopic: string; deadLetterTopic: string; groupId: string } {
  const id = `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
  return { inputTopic: `orders-${id}`, outputTopic: `analytics-${id}`, deadLetterTopic: `dlq-${id}`, groupId: `group-${id}` };
}

export const serviceEnv = (names: ReturnType<typeof uniqueNames>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  // Any free port: services of different specs, or one already running on 8082, never collide.
  HTTP_PORT: '0',
  KAFKA_BOOTSTRAP_SERVERS: bootstrap(),
  KAFKA_INPUT_TOPIC: names.inputTopic,
  KAFKA_OUTPUT_TOPIC: names.outputTopic,
  KAFKA_DEAD_LETTER_TOPIC: names.deadLetterTopic,
  KAFKA_GROUP_ID: names.groupId,
  ...extra,
});

export interface TopicMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Reads a topic from the start until `done` says so or the time runs out (then it returns what it has). */
export async function readTopic(topic: string, done: (messages: TopicMessage[]) => boolean, timeoutMs: number, servers = bootstrap()): Promise<TopicMessage[]> {
  const consumer = testKafka(servers).consumer({ groupId: `reader-${process.pid}-${Date.now()}-${counter++}` });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        messages.push({ partition: batch.partition, offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value, headers: textHeaders(m.headers) });
      }
      if (done(messages)) finish();
    },
  });
  const timer = setTimeout(finish, timeoutMs);
  if (done(messages)) finish();
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return messages;
}

/** Every message a topic holds now (its end offsets, then a read up to them). */
export async function readToEnd(topic: string, timeoutMs = 30_000, servers = bootstrap()): Promise<TopicMessage[]> {
  const admin = testKafka(servers).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
  const messages = await readTopic(topic, (m) => m.length >= total, timeoutMs, servers);
  if (messages.length < total) throw new Error(`${topic}: read ${messages.length} of ${total} messages in ${timeoutMs} ms`);
  return messages;
}

/** Polls until `check` passes (returns its value) or the time runs out (then throws its last error). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The port a service logged that it listens on. */
export async function httpPort(service: ServiceProcess): Promise<number> {
  const line = await service.waitForLog(/"message":"http listening"/);
  return (JSON.parse(line) as { port: number }).port;
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}

/** Publishes values to explicit partitions (for sentinels that must land on every partition). */
export async function produceTo(topic: string, messages: ReadonlyArray<{ partition: number; value: string }>, servers = bootstrap()): Promise<void> {
  const producer = testKafka(servers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: messages.map((m) => ({ partition: m.partition, value: m.value })) });
  await producer.disconnect();
}

/** The service as a child process, as it runs in production; its JSON log lines are kept. */
export class ServiceProcess {
  readonly logs: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv, args: readonly string[] = ['run']) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const take = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      this.logs.push(...lines);
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Resolves when a log line matches, rejects if the process exits or time runs out first. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (this.child.exitCode !== null) throw new Error(`service exited (${this.child.exitCode}) before ${pattern}:\n${this.logs.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no log line ${pattern} in ${timeoutMs} ms:\n${this.logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/**
 * Waits until a group's instances (their /status on `ports`) have done all the work their topics hold: no
 * output waits for acknowledgement, and every partition of the input and internal topics is read to its
 * end by the task that owns it. Throws what it saw last if that does not happen in time.
 */
export async function drained(ports: readonly number[], inputTopic: string, groupId: string, timeoutMs = 60_000, servers = bootstrap()): Promise<void> {
  const internal = internalTopics(groupId);
  const admin = testKafka(servers).admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const reports = await Promise.all(ports.map(async (port) => JSON.parse(await (await fetch(`http://127.0.0.1:${port}/status`)).text()) as StatusReport));
      const ends = new Map<string, number>();
      for (const topic of [inputTopic, internal.ordersByCustomer, internal.hourlyPartials]) {
        for (const e of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${e.partition}`, Number(e.high));
      }
      const reading = new Map<string, number>();
      for (const r of reports) for (const t of r.tasks) reading.set(`${t.topic}:${t.partition}`, t.offset);
      const behind = [...ends].filter(([key, end]) => (reading.get(key) ?? -1) < end).map(([key, end]) => `${key} at ${reading.get(key) ?? 'no task'} of ${end}`);
      const pending = reports.map((r) => r.pendingOutputs);
      const unsettled = reports.flatMap((r) => r.tasks.filter((t) => !t.settled).map((t) => `${t.topic}:${t.partition}`));
      expect({ behind, pending, unsettled }, 'work left').to.deep.equal({ behind: [], pending: ports.map(() => 0), unsettled: [] });
    }, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}
