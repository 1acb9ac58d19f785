import type { TimeWindow } from './window-assigner.js';

/** Decides when a window's result is final (Flink's `Trigger`, for the event-time case). */
export interface Trigger {
  /** True once the watermark says the window can receive nothing more. */
  fires(window: TimeWindow, watermark: number): boolean;
}

/**
 * Flink's `EventTimeTrigger`: a window fires when the watermark reaches its last millisecond, `end - 1`.
 * A record whose window would already have fired is late: lateness is this same test, made on arrival.
 */
export const eventTimeTrigger: Trigger = {
  fires: (window, watermark) => window.end - 1 <= watermark,
};
