/**
 * What flows between the event-time operators, as in Flink: records with their event time, and
 * watermarks. A watermark `w` says that no more records with timestamp `<= w` are expected; each operator
 * keeps the last one it saw as "the watermark before" the next record.
 */

export interface TimestampedRecord<T> {
  readonly kind: 'record';
  readonly value: T;
  readonly timestamp: number;
}

export interface Watermark {
  readonly kind: 'watermark';
  /** Event time in epoch ms; `Infinity` at the end of a bounded input. */
  readonly timestamp: number;
}

export type StreamElement<T> = TimestampedRecord<T> | Watermark;

/** The watermark before anything is known: every event time is ahead of it. */
export const NO_WATERMARK = -Infinity;

export const record = <T>(value: T, timestamp: number): TimestampedRecord<T> => ({ kind: 'record', value, timestamp });
export const watermark = (timestamp: number): Watermark => ({ kind: 'watermark', timestamp });
export const isRecord = <T>(e: StreamElement<T>): e is TimestampedRecord<T> => e.kind === 'record';
