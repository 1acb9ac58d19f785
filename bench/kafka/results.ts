import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Kafka } from 'kafkajs';
import { sleep } from './common.js';

/**
 * Counting what came out: analytics messages by kind, from a topic or from a replay's output file, so
 * that the service's results can be checked against the replay of the same recording and the moment the
 * last real result reached the broker can be read off the topic afterwards.
 */

/** The hour of the sentinel orders: far past any recording, so its window is told apart by its start. */
export const SENTINEL_WINDOW_START = '2100-01-01T00:00:00';
export const SENTINEL_A_TIMESTAMP = Date.UTC(2100, 0, 1, 0, 30);
/** Two hours on: once every partition's watermark has passed it, the hour of the A sentinels fires too. */
export const SENTINEL_B_TIMESTAMP = SENTINEL_A_TIMESTAMP + 2 * 3_600_000;

export interface AnalyticsCounts {
  total: number;
  hourly_sales: number;
  customer_stats: number;
  high_amount: number;
  velocity: number;
  /** Anything that is none of the above (should be 0). */
  other: number;
  /** Results of the sentinel hour (its hourly_sales and the sentinels' customer_stats): not counted above. */
  sentinel: number;
  /** Results seen twice: the same hour, customer and hour, or alerted order. */
  duplicates: number;
  /** Distinct real results, compared by their whole text (so two different results for one hour are two). */
  distinct: number;
  /**
   * An order-free fingerprint of the set of distinct real results (the sums of two 32-bit hashes of each
   * text): two runs with equal `distinct` and `fingerprint` published the same set of results.
   */
  fingerprint: string;
  /** Epoch ms of the latest record timestamp among real results (LogAppendTime: when the broker appended it). */
  lastRealAt: number;
  firstAt: number;
}

export class AnalyticsCounter {
  readonly counts: AnalyticsCounts = {
    total: 0, hourly_sales: 0, customer_stats: 0, high_amount: 0, velocity: 0, other: 0, sentinel: 0, duplicates: 0, distinct: 0, fingerprint: '0-0', lastRealAt: 0, firstAt: Infinity,
  };
  private readonly seen = new Set<string>();
  private readonly texts = new Set<string>();
  private sumA = 0;
  private sumB = 0;

  add(json: string, timestamp = 0): void {
    const c = this.counts;
    c.total += 1;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(json) as Record<string, unknown>;
    } catch {
      c.other += 1;
      return;
    }
    if (timestamp < c.firstAt) c.firstAt = timestamp;
    if (m.window_start === SENTINEL_WINDOW_START) {
      c.sentinel += 1;
      return;
    }
    if (timestamp > c.lastRealAt) c.lastRealAt = timestamp;
    let id: string;
    if (m.type === 'hourly_sales') {
      c.hourly_sales += 1;
      id = `h ${String(m.window_start)}`;
    } else if (m.type === 'customer_stats') {
      c.customer_stats += 1;
      id = `c ${String(m.window_start)} ${String(m.customer_id)}`;
    } else if (m.type === 'fraud_alert' && m.rule === 'high_amount') {
      c.high_amount += 1;
      id = `a ${String(m.order_id)}`;
    } else if (m.type === 'fraud_alert' && m.rule === 'velocity') {
      c.velocity += 1;
      id = `v ${String(m.customer_id)} ${String(m.order_id)}`;
    } else {
      c.other += 1;
      return;
    }
    if (this.seen.has(id)) c.duplicates += 1;
    else this.seen.add(id);
    const a = fnv1a(json, 0x811c9dc5);
    const b = fnv1a(json, 0x01000193);
    const key = `${a.toString(36)} ${b.toString(36)}`;
    if (this.texts.has(key)) return;
    this.texts.add(key);
    c.distinct += 1;
    this.sumA = (this.sumA + a) >>> 0;
    this.sumB = (this.sumB + b) >>> 0;
    c.fingerprint = `${this.sumA.toString(16)}-${this.sumB.toString(16)}`;
  }
}

/** Counts a replay's `--out` file. */
export async function countFile(path: string): Promise<AnalyticsCounts> {
  const counter = new AnalyticsCounter();
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') counter.add(line);
  return counter.counts;
}

export const countLines = (path: string): number => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').length;

/** What the bench writes to each partition of a topic after the service stopped: a read up to them has read everything. */
export const END_MARKER = 'bench-end-of-topic';

/**
 * Reads a topic as a read_committed consumer until it has met `partitions` end markers (written by
 * {@link writeEndMarkers} once the service stopped), handing every other message to `each`. End offsets
 * cannot say when a read is through: written in transactions, a topic also holds their markers and
 * aborted records, which a reader never sees.
 */
export async function readToMarkers(kafka: Kafka, topic: string, groupId: string, partitions: number, each: (value: string, timestamp: number) => void, stallMs = 60_000): Promise<void> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytes: 50 << 20, maxBytesPerPartition: 10 << 20 });
  let markers = 0;
  let lastProgress = Date.now();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const value = m.value?.toString('utf8') ?? '';
          if (value === END_MARKER) markers += 1;
          else each(value, Number(m.timestamp));
        }
        lastProgress = Date.now();
        if (markers >= partitions) done();
      },
    });
    while (markers < partitions) {
      await Promise.race([finished, sleep(1_000)]);
      if (markers < partitions && Date.now() - lastProgress > stallMs) throw new Error(`reading ${topic}: ${markers} of ${partitions} end markers, then nothing for ${stallMs / 1000} s`);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** One end marker on every partition of a topic (see {@link readToMarkers}). */
export async function writeEndMarkers(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: END_MARKER })) });
  } finally {
    await producer.disconnect();
  }
}

/** How many messages a topic holds, as a read_committed reader sees them (see {@link readToMarkers}). */
export async function countMessages(kafka: Kafka, topic: string, groupId: string, partitions: number): Promise<number> {
  let n = 0;
  await writeEndMarkers(kafka, topic, partitions);
  await readToMarkers(kafka, topic, groupId, partitions, () => void (n += 1));
  return n;
}

/** The analytics a topic holds, as a read_committed reader sees them (see {@link readToMarkers}). */
export async function countTopic(kafka: Kafka, topic: string, groupId: string, partitions: number): Promise<AnalyticsCounts> {
  const counter = new AnalyticsCounter();
  await writeEndMarkers(kafka, topic, partitions);
  await readToMarkers(kafka, topic, groupId, partitions, (value, timestamp) => counter.add(value, timestamp));
  return counter.counts;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, from the given offset basis. */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
