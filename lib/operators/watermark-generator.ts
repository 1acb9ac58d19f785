import { NO_WATERMARK } from './stream-element.js';

/**
 * Decides one partition's watermark from the event times it has seen (Flink's `WatermarkGenerator`).
 * Swap it for another strategy without touching the operator that merges partitions.
 */
export interface WatermarkGenerator {
  /** Takes the event time of a valid record of this partition. */
  onEvent(timestamp: number): void;
  /** The partition's watermark now. */
  current(): number;
}

/**
 * Bounded out-of-orderness: records may come up to `maxOutOfOrdernessMs` behind the newest one seen,
 * so the watermark is `maxTimestampSeen - maxOutOfOrdernessMs - 1` (Flink's formula).
 */
export function boundedOutOfOrderness(maxOutOfOrdernessMs: number): () => WatermarkGenerator {
  return () => {
    let maxTimestamp = NO_WATERMARK;
    return {
      onEvent(timestamp) {
        if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      },
      current: () => maxTimestamp - maxOutOfOrdernessMs - 1,
    };
  };
}
