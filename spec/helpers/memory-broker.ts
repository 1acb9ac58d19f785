import type { CommittedOffset, OutgoingMessage, RecordSink, RecordSource } from '../../lib/io/ports.js';
import type { BrokerConnector } from '../../lib/service/service.js';

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

  ensureTopics(): Promise<void> {
    return this.topicsReady;
  }

  source(): RecordSource {
    const run = ++this.starts;
    const behaviour = this.behaviour;
    return {
      async start({ onAssigned, failed }) {
        onAssigned([{ partition: 0, caughtUp: true }]);
        const outcome = behaviour(run);
        if (outcome !== 'ok') setTimeout(() => failed(outcome), 1);
      },
      pause: async () => undefined,
      pausePartition: () => undefined,
      resumePartition: () => undefined,
      committed: async (): Promise<CommittedOffset[]> => [],
      commit: async () => undefined,
      stop: async () => undefined,
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
