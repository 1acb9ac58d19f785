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
  // The window asked for last: nearly every record falls in the same one as the record before, and a
  // window is immutable, so it is handed out again rather than allocated per record.
  let last: TimeWindow = { start: NaN, end: NaN };
  return {
    assign(timestamp) {
      if (timestamp >= last.start && timestamp < last.end) return last;
      const start = timestamp - ((((timestamp - offsetMs) % sizeMs) + sizeMs) % sizeMs);
      last = { start, end: start + sizeMs };
      return last;
    },
  };
}
