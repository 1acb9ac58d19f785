import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { OutgoingMessage, RecordSink } from '../ports.js';

/** Most messages in one produce request. */
const BATCH_LIMIT = 2_000;

/**
 * An idempotent kafkajs producer as our {@link RecordSink}. Messages queue while a request is in flight
 * and go together in the next one, so batches grow with load and a lone alert leaves at once.
 */
export async function kafkaSink(kafka: Kafka): Promise<RecordSink> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioning, so a key lands where any other producer would put it.
    createPartitioner: Partitioners.DefaultPartitioner,
    // An idempotent producer retries without limit (as the Java client does): a broker that is away only
    // holds output back, and consumption waits on it; nothing is dropped.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10_000 },
  });
  await producer.connect();
  // Messages not yet sent, in order.
  let queue: OutgoingMessage[] = [];
  // Counts of messages queued and acknowledged since the start; pending = queued - acked.
  let queued = 0;
  let acked = 0;
  let sending = false;
  let failure: Error | undefined;
  const failureListeners: Array<(e: Error) => void> = [];
  // Waiters on acknowledgements: resolved when `acked` reaches their mark.
  let waiters: Array<{ mark: number; resolve: () => void; reject: (e: Error) => void }> = [];

  const settle = (): void => {
    const still: typeof waiters = [];
    for (const w of waiters) {
      if (failure !== undefined) w.reject(failure);
      else if (acked >= w.mark) w.resolve();
      else still.push(w);
    }
    waiters = still;
  };

  const pump = (): void => {
    if (sending || queue.length === 0 || failure !== undefined) return;
    const batch = queue.length <= BATCH_LIMIT ? queue : queue.slice(0, BATCH_LIMIT);
    queue = queue.length <= BATCH_LIMIT ? [] : queue.slice(BATCH_LIMIT);
    sending = true;
    const byTopic = new Map<string, Message[]>();
    for (const m of batch) {
      let list = byTopic.get(m.topic);
      if (list === undefined) byTopic.set(m.topic, (list = []));
      list.push({ key: m.key, value: m.value, ...(m.partition !== undefined ? { partition: m.partition } : {}), ...(m.headers ? { headers: { ...m.headers } } : {}) });
    }
    producer
      .sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      .then(
        () => {
          acked += batch.length;
          sending = false;
          settle();
          pump();
        },
        (err: unknown) => {
          failure = err instanceof Error ? err : new Error(String(err));
          sending = false;
          settle();
          for (const listener of failureListeners) listener(failure);
        },
      );
  };

  const waitFor = (mark: number): Promise<void> =>
    new Promise((resolve, reject) => {
      waiters.push({ mark, resolve, reject });
      settle();
    });

  return {
    send(message) {
      queue.push(message);
      queued += 1;
      pump();
    },
    pending: () => queued - acked,
    sent: () => queued,
    flush: () => waitFor(queued),
    belowBound: (bound) => waitFor(queued - bound + 1),
    onFailure: (listener) => void failureListeners.push(listener),
    async close(options = {}) {
      if ((options.flush ?? true) && failure === undefined) await waitFor(queued);
      await producer.disconnect();
    },
  };
}
