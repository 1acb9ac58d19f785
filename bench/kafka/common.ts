import { Kafka, logLevel, type Admin } from 'kafkajs';

/**
 * What the Kafka bench's parent and its children share: the clock, the client, topic chores, and the
 * shapes of what a child prints.
 */

/**
 * Milliseconds of CLOCK_MONOTONIC (process.hrtime), sub-millisecond. One clock for every process on the
 * machine, so a send time taken in one process and a receive time taken in another compare directly.
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A quiet kafkajs client: the bench reports failures itself, from the errors thrown. */
export function benchKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** LogAppendTime: the broker stamps each record with the moment it was appended (its wall clock). */
  readonly logAppendTime?: boolean;
}

export async function createTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  // A broker just started may answer the leaders' metadata with UNKNOWN_TOPIC_OR_PARTITION for a moment
  // (kafkajs retries only LEADER_NOT_AVAILABLE there): ask again, up to about 10 s.
  for (let attempt = 0; ; attempt++) {
    try {
      await createTopicsOnce(admin, specs);
      return;
    } catch (err) {
      const type = (err as { type?: string }).type;
      // An earlier attempt made them before its wait for the leaders failed.
      if (type === 'TOPIC_ALREADY_EXISTS') return;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 20) throw err;
      await sleep(500);
    }
  }
}

async function createTopicsOnce(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: specs.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      ...(s.logAppendTime ? { configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] } : {}),
    })),
  });
}

/** The next offset to be written, by partition. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

export const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** The group's committed offset by partition; -1 where it has none. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** What `bare-consumer.js` prints (one JSON line). Times are epoch ms (Date.now()). */
export interface BareResult {
  readonly messages: number;
  readonly connectedAt: number;
  readonly firstMessageAt: number;
  readonly doneAt: number;
  /** process.cpuUsage(), user + system, at the end. */
  readonly cpuMs: number;
}

/** Arguments of `steady-producer.js`, as one JSON argument. */
export interface SteadyProducerArgs {
  readonly brokers: string;
  readonly topic: string;
  /** Orders per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** Sends the orders due every this many ms (as a Java producer's linger.ms, 5 by default since Kafka 4.0). */
  readonly tickMs: number;
  /** One order in this many is above the alert threshold. */
  readonly alertEvery: number;
  readonly alertThreshold: number;
  readonly customers: number;
  readonly seed: number;
  /** Goes into every orderId, so that ids are unique across runs. */
  readonly runId: string;
}

/** What `steady-producer.js` prints (one JSON line). */
export interface SteadyProducerResult {
  readonly sent: number;
  readonly elapsedMs: number;
  /** Produce requests made (one per tick with orders due). */
  readonly requests: number;
  /** The furthest the sender fell behind its schedule, in orders. */
  readonly maxBehind: number;
  /** orderId and monoMs() just before the send() call carrying it, of every order above the threshold. */
  readonly alerts: ReadonlyArray<readonly [string, number]>;
  /** The first few send errors, if any. */
  readonly errors: readonly string[];
  readonly startedAtEpochMs: number;
  /** monoMs() when the first order was due. */
  readonly startedAtMono: number;
  /** process.cpuUsage(), user + system, at the end. */
  readonly cpuMs: number;
}
