import type { SourceRecord } from '../model/source.js';

/**
 * Our own small interface to a log broker (the service's only view of Kafka), so that the pipeline and
 * the job never import a client library and one can be swapped for another.
 */

/** Records of one partition as the broker hands them over. */
export interface SourceBatch {
  readonly partition: number;
  readonly records: readonly SourceRecord[];
  /** True when the broker said, with these records, that the partition has nothing more to read now. */
  readonly caughtUp: boolean;
  /** The partition's end (the next offset to be written) when the batch was fetched, where the source knows it: for lag. */
  readonly highWatermark?: number;
}

/** A partition this instance was given; `offset` (next to read) and `highWatermark` where the source knows them. */
export interface AssignedPartition {
  readonly partition: number;
  readonly caughtUp: boolean;
  readonly offset?: number;
  readonly highWatermark?: number;
}

export interface CommittedOffset {
  readonly partition: number;
  /** The next offset to read; -1 when the group has none for this partition. */
  readonly offset: number;
  readonly metadata: string | null;
}

/** The source's word on a partition: `caughtUp` when the broker confirmed it has nothing left to read. */
export interface PartitionWord {
  readonly partition: number;
  readonly caughtUp: boolean;
}

export interface RecordSource {
  /**
   * Consumes the topic from the group's committed offsets (from the earliest where it has none). Each
   * batch is handed to `handle`, which is awaited: a slow handler holds consumption. `onAssigned` is told
   * the partitions this instance owns, with whether each is caught up, before their records come.
   * `onPartitions` is told when the source's word on a partition other than the batch's changes: before a
   * batch, partitions taken for caught up are reported as not (they may have records again), and once the
   * broker has confirmed where each ends, as caught up again where they are. Resolves once the partitions
   * are assigned and announced; `failed` is told if consumption later stops on an error.
   */
  start(handlers: {
    handle: (batch: SourceBatch) => Promise<void>;
    onAssigned: (partitions: readonly AssignedPartition[]) => void;
    onPartitions: (words: readonly PartitionWord[]) => void;
    failed: (error: Error) => void;
  }): Promise<void>;
  /** Stops handing over batches; resolves once the batch being handled, if any, is done. */
  pause(): Promise<void>;
  /** Stops fetching one partition (its records wait for the others'), or starts again. */
  pausePartition(partition: number): void;
  resumePartition(partition: number): void;
  committed(): Promise<CommittedOffset[]>;
  commit(offsets: ReadonlyArray<{ partition: number; offset: number; metadata: string }>): Promise<void>;
  /** Stops consuming and disconnects. */
  stop(): Promise<void>;
}

export interface OutgoingMessage {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordSink {
  /** Queues a message; it is sent soon, in order, with others. */
  send(message: OutgoingMessage): void;
  /** Messages queued or in flight, not yet acknowledged. */
  pending(): number;
  /** Resolves when every message queued so far is acknowledged by the broker. */
  flush(): Promise<void>;
  /** Resolves when fewer than `bound` messages are pending. */
  belowBound(bound: number): Promise<void>;
  /** Told if a send fails for good (after the client's own retries). */
  onFailure(listener: (error: Error) => void): void;
  /** Disconnects; with `flush` (the default) only after every queued message is acknowledged. */
  close(options?: { readonly flush?: boolean }): Promise<void>;
}

export interface TopicAdmin {
  /** Creates the topic with `partitions` (and topic `configs`) if it is missing; true if it created it. */
  ensureTopic(topic: string, partitions: number, configs?: Readonly<Record<string, string>>): Promise<boolean>;
  /** The next offset to be written, by partition. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}
