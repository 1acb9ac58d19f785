import type { PipelineObserver, PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { GroupBatch, RecordSink } from '../io/ports.js';
import type { OutputTopics } from '../io/serialize.js';
import type { InternalTopics } from './internal-topics.js';

/**
 * One task: the work of one partition of one topic, with its own state (Kafka Streams' `StreamTask`).
 * It is created when its partition is assigned, restored from the group's commit, handed that
 * partition's batches, asked what may be committed, and closed when the partition moves away.
 */
export interface Task {
  readonly topic: string;
  readonly partition: number;
  /** The next offset of its partition to read: a task kept through a rebalance goes on from here. */
  readonly next: number;
  handle(batch: GroupBatch): Promise<void>;
  /**
   * What may be committed now for its partition: it covers everything the task has sent so far (exactly
   * once, the transaction that carries it holds all of that).
   */
  commitEntry(): { offset: number; metadata: string } | undefined;
  /** For status and metrics. */
  describe(): TaskDescription;
  close(): void;
}

export interface TaskDescription {
  readonly kind: 'source' | 'customer' | 'combiner';
  readonly topic: string;
  readonly partition: number;
  readonly next: number;
  /** The task's watermark; -Infinity before it has one. */
  readonly watermark: number;
  /** True when its partition has nothing more to read now. */
  readonly caughtUp: boolean;
  /** False while it waits for the broker to confirm where input partitions end (it may still move event time). */
  readonly settled: boolean;
  /** A source task re-reading, for the customer task beside it only, what it had read before a restart. */
  readonly rereading?: boolean;
}

/** What every task of an instance shares: settings, where results go, and the hooks for metrics. */
export interface TaskContext {
  readonly analytics: AnalyticsSettings;
  readonly sink: RecordSink;
  readonly topics: OutputTopics;
  readonly internal: InternalTopics;
  /** Partitions of the input topic, and so of the orders-by-customer topic and of customer tasks. */
  readonly inputPartitions: number;
  readonly maxPendingOutputs: number;
  /** Told of each result handed to the sink. */
  readonly onOutput: (output: PipelineOutput) => void;
  readonly observer: PipelineObserver;
  /** Where the input partitions end now, asked of the broker: a partition's mark of being caught up is checked against it. */
  readonly inputEnds: () => Promise<ReadonlyMap<number, number>>;
}

/** Records handed to a task between two looks at the unacknowledged output. */
export const BACKPRESSURE_STRIDE = 64;
