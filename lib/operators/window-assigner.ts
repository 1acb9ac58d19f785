/** A span of event time `[start, end)`, in epoch ms. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** Says which window a record's event time falls in (Flink's `WindowAssigner`, one window a record). */
export interface WindowAssigner {
  assign(timestamp: number): TimeWindow;
}

/**
 * Tumbling windows of `sizeMs`, aligned to the epoch (so to UTC hours for an hour): `[k·size, (k+1)·size)`.
 * `offsetMs` shifts the alignment, as Flink's `TumblingEventTimeWindows.of(size, offset)`.
 */
export function tumblingWindows(sizeMs: number, offsetMs = 0): WindowAssigner {
  if (!(Number.isSafeInteger(sizeMs) && sizeMs > 0)) throw new RangeError(`window size must be a positive integer of ms, got ${sizeMs}`);
  return {
    assign(timestamp) {
      const start = timestamp - ((((timestamp - offsetMs) % sizeMs) + sizeMs) % sizeMs);
      return { start, end: start + sizeMs };
    },
  };
}
