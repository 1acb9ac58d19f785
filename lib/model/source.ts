/**
 * What a source (a Kafka topic, a recorded file) hands to the pipeline: raw records with their position,
 * and news about a partition's idleness that only the source can know (it has read all there is).
 */

/** Where a record came from: enough to name it in a dead letter and to commit past it. */
export interface SourcePosition {
  readonly partition: number;
  /** Kafka offset, or line number (from 1) in a recorded file. */
  readonly offset: number;
}

/** One undecoded record: a Kafka message value or a line of a recording, as bytes or text. */
export interface SourceRecord extends SourcePosition {
  readonly kind: 'record';
  /** `null` is a Kafka tombstone. */
  readonly value: Uint8Array | string | null;
}

/**
 * The source's word on a partition: `idle: true` when it has nothing left to read (caught up),
 * `idle: false` when it has records to deliver (so the watermark must wait for them).
 */
export interface PartitionStatus {
  readonly kind: 'partition-status';
  readonly partition: number;
  readonly idle: boolean;
}

export type SourceEvent = SourceRecord | PartitionStatus;

export const isPartitionStatus = (e: { readonly kind: string }): e is PartitionStatus => e.kind === 'partition-status';
