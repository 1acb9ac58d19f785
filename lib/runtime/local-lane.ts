import type { RoutedOrder, UpstreamMark } from '../topology/messages.js';

/**
 * The hand-over between the source task of input partition p and the customer task of the same number,
 * which always run in one instance (the group's assignment keeps partition p of both topics together, as
 * Kafka Streams keeps a task's co-partitioned inputs together). What the source task would send to
 * partition p of the orders-by-customer topic (its orders of customers that task owns, and its marks) goes
 * across in memory instead: with input keyed by customer, that is every order, and the internal topic
 * carries only the other partitions' marks.
 *
 * The lane's log is then the input partition itself, so the two commit together: the source task's offset
 * is the earlier of where it stands and where the lane's re-read starts ({@link resumeAt}), and below
 * where it stood it publishes nothing again.
 */
export interface LocalLane {
  /** A message of the lane, as the source task sends it; `at` is its position in the input partition. */
  accept(message: RoutedOrder | UpstreamMark): void;
  /** The source task starts a batch of records: orders of the other partitions may be on their way too. */
  batchStarts(): void;
  /** The source task ended a batch: what it moved (the customer task's watermark) goes on. */
  batchEnds(): void;
  /** Where in the input partition the lane's re-read would start now, and the partition's watermark there. */
  resumeAt(): { readonly offset: number; readonly watermark: number } | undefined;
}
