import type { SourceRecord } from '../model/source.js';

/**
 * Our own small interface to a log broker (the service's only view of Kafka), so that the pipeline and
 * the job never import a client library and one can be swapped for another.
 */

/** Records of one partition as the broker hands them over. */
export interface SourceBatch {
  readonly partition: number;
  readonly records: readonly SourceRecord[];
  /** True when nothing more is there to read in this partition right now. */
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

export interface RecordSource {
  /**
   * Consumes the topic from the group's committed offsets (from the earliest where it has none). Each
   * batch is handed to `handle`, which is awaited: a slow handler holds consumption. `onAssigned` is told
   * the partitions this instance owns, with whether each is caught up, before their records come.
   * `onBacklog` is told, before a batch, of partitions that were caught up and have records to read
   * again, so that the watermark waits for them. Resolves once consumption has started; `failed` is told
   * if it later stops on an error.
   */
  start(handlers: {
    handle: (batch: SourceBatch) => Promise<void>;
    onAssigned: (partitions: readonly AssignedPartition[]) => void;
    onBacklog?: (partitions: readonly number[]) => void;
    failed: (error: Error) => void;
  }): Promise<void>;
  /** Stops handing over batches; resolves once the batch being handled, if any, is done. */
  pause(): Promise<void>;
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
