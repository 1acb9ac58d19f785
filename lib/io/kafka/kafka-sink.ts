import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { OutgoingMessage, RecordSink } from '../ports.js';
import { CountWaiters } from './count-waiters.js';
import { topicMessagesOf } from './topic-messages.js';

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
  // Waiters on acknowledgements.
  const waiters = new CountWaiters(() => acked, () => failure);
  const settle = (): void => waiters.settle();

  const pump = (): void => {
    if (sending || queue.length === 0 || failure !== undefined) return;
    const batch = queue.length <= BATCH_LIMIT ? queue : queue.slice(0, BATCH_LIMIT);
    queue = queue.length <= BATCH_LIMIT ? [] : queue.slice(BATCH_LIMIT);
    sending = true;
    producer
      .sendBatch({ acks: -1, topicMessages: topicMessagesOf(batch) })
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

  const waitFor = (mark: number): Promise<void> => waiters.waitFor(mark);

  return {
    send(message) {
      queue.push(message);
      queued += 1;
      pump();
    },
    pending: () => queued - acked,
    flush: () => waitFor(queued),
    belowBound: (bound) => waitFor(queued - bound + 1),
    onFailure: (listener) => void failureListeners.push(listener),
    async close(options = {}) {
      if ((options.flush ?? true) && failure === undefined) await waitFor(queued);
      await producer.disconnect();
    },
  };
}
