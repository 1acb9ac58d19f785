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

export interface OutgoingMessage {
  readonly topic: string;
  /** A partition of its own choosing (a mark goes to every partition); by the key's hash otherwise. */
  readonly partition?: number;
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

/** A task's offset commit, as it goes into the task's transaction. */
export interface TransactionalCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
}

/**
 * A task's own sink in exactly-once mode: what it sends and its offset commit go in one transaction. A
 * message is out (for `pending`, `flush` and `belowBound`) once its transaction commits: before that
 * read_committed readers cannot see it.
 */
export interface TransactionalSink extends RecordSink {
  sent(): number;
  /**
   * Ends the open transaction with the commit in it (or the commits: a source task's and the customer
   * task's beside it go together): all of it becomes visible to read_committed readers, or none. The
   * transaction holds every message handed over before the call (the output of the records the entries
   * cover); later messages go in the next one.
   */
  commit(entries: TransactionalCommit | readonly TransactionalCommit[]): Promise<void>;
  /** Transactions committed and aborted so far. */
  readonly counts: { readonly committed: number; readonly aborted: number };
}

/**
 * Opens a task's transactional sink. Its transactional id comes from the group and the task's partition,
 * so opening it fences the task's previous owner (a zombie) and settles that owner's open transaction:
 * the task must read its commit only after this.
 */
export type TransactionalSinks = (task: { readonly topic: string; readonly partition: number }) => Promise<TransactionalSink>;

/** One member of the consumer group, as the group coordinator describes it. */
export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  /** The member's address as the broker saw it (`/10.0.0.7`). */
  readonly host: string;
  /** Partitions it owns, by topic. */
  readonly partitions: Readonly<Record<string, readonly number[]>>;
}

/** The service's group as seen from outside it: every instance in it and what each owns. */
export interface GroupView {
  /** The group's state (`Stable`, `PreparingRebalance`, `Empty`...) and members; asked now. */
  describe(): Promise<{ readonly state: string; readonly members: readonly GroupMember[] }>;
  close(): Promise<void>;
}

export interface TopicAdmin {
  /** Creates the topic with `partitions` (and topic `configs`) if it is missing; true if it created it. */
  ensureTopic(topic: string, partitions: number, configs?: Readonly<Record<string, string>>): Promise<boolean>;
  /** The next offset to be written, by partition. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/**
 * A consumer in a group that owns partitions of several topics, each of them a task's input (Kafka
 * Streams' tasks): batches come one partition at a time, tagged with their topic; the assignment is told
 * whole every time the group rebalances, so that tasks the instance keeps go on and only moved ones stop.
 */
export interface GroupRecord extends SourceRecord {
  readonly key: Uint8Array | null;
  /** Header values as text (our internal topics write text only). */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface GroupBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly GroupRecord[];
  /** True when the broker said, with these records, that the partition has nothing more to read now. */
  readonly caughtUp: boolean;
  readonly highWatermark: number;
  /**
   * The offset after the last one the batch covers: past its records and past the transaction markers
   * after them, which a consumer never sees (a task's position moves there, or it would never reach the
   * end of a topic written in transactions).
   */
  readonly end: number;
}

/** One partition this instance owns after a rebalance: where the group's commit left it, and its ends. */
export interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  /** The committed offset (-1 for none) and its metadata. */
  readonly committed: CommittedOffset;
  /** The first offset still in the log, and the next to be written. */
  readonly low: number;
  readonly high: number;
}

export interface GroupConsumer {
  /**
   * Joins the group and consumes the topics. `onAssignment` is told every partition owned after each
   * rebalance, and awaited before any batch of that generation is handed over; `handle` is awaited too.
   * Resolves once the first assignment has been handled; `failed` is told if consumption stops on an error.
   */
  start(handlers: {
    onAssignment: (owned: readonly OwnedPartition[]) => Promise<void>;
    handle: (batch: GroupBatch) => Promise<void>;
    failed: (error: Error) => void;
  }): Promise<void>;
  /** Reads a partition from `offset` on next (a task kept through a rebalance goes on from where it was). */
  seek(topic: string, partition: number, offset: number): void;
  pausePartition(topic: string, partition: number): void;
  resumePartition(topic: string, partition: number): void;
  /** Stops handing over batches; resolves once the batch being handled, if any, is done. */
  pause(): Promise<void>;
  commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: number; metadata: string }>): Promise<void>;
  /** The next offset to be written in each partition of a topic. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  /** The group's commit of one partition, asked now (-1 and no metadata where there is none). */
  committed(topic: string, partition: number): Promise<{ readonly offset: number; readonly metadata: string | null }>;
  /** Deletes records below `offset` (Kafka Streams purges its repartition topics once committed past). */
  deleteRecords(topic: string, partitions: ReadonlyArray<{ partition: number; offset: number }>): Promise<void>;
  stop(): Promise<void>;
}
