import type { GroupConsumer, OutgoingMessage, RecordSink, TransactionalSinks } from '../../lib/io/ports.js';
import { internalTopics } from '../../lib/runtime/internal-topics.js';
import type { BrokerConnector } from '../../lib/service/service.js';

/** The lifecycle specs' group: the default one. */
const GROUP = 'flink-stream-processor';

/**
 * Our broker ports held in memory, for the service's lifecycle (restarts, stops) without a broker. The
 * Kafka behaviour itself is tested against a real broker in spec/kafka.
 */
export class MemoryBroker implements BrokerConnector {
  readonly sent: OutgoingMessage[] = [];
  /** Runs started so far. */
  starts = 0;
  /** What the next source's start does: 'ok', or an error to fail the run with right after it starts. */
  constructor(private readonly behaviour: (run: number) => 'ok' | Error = () => 'ok', private readonly topicsReady: Promise<void> = Promise.resolve()) {}

  async ensureTopics(): Promise<{ inputPartitions: number }> {
    await this.topicsReady;
    return { inputPartitions: 1 };
  }

  consumer(): GroupConsumer {
    const run = ++this.starts;
    const behaviour = this.behaviour;
    return {
      async start({ onAssignment, failed }) {
        // Partition 0 of the input and of the orders-by-customer topic, together as the group's assignor gives them.
        await onAssignment(
          ['orders', internalTopics(GROUP).ordersByCustomer].map((topic) => ({ topic, partition: 0, committed: { partition: 0, offset: -1, metadata: null }, low: 0, high: 0 })),
        );
        const outcome = behaviour(run);
        if (outcome !== 'ok') setTimeout(() => failed(outcome), 1);
      },
      seek: () => undefined,
      pause: async () => undefined,
      pausePartition: () => undefined,
      resumePartition: () => undefined,
      commit: async () => undefined,
      endOffsets: async () => new Map([[0, 0]]),
      committed: async () => ({ offset: -1, metadata: null }),
      deleteRecords: async () => undefined,
      stop: async () => undefined,
    };
  }

  /** The lifecycle specs run at least once: a task's transactional sink is for the real broker's specs. */
  transactions(): TransactionalSinks {
    return async () => {
      throw new Error('the memory broker has no transactions');
    };
  }

  async sink(): Promise<RecordSink> {
    const sent = this.sent;
    return {
      send: (m) => void sent.push(m),
      pending: () => 0,
      flush: async () => undefined,
      belowBound: async () => undefined,
      onFailure: () => undefined,
      close: async () => undefined,
    };
  }
}
