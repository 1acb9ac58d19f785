import { Observable, type OperatorFunction } from 'rxjs';
import { NO_WATERMARK, type StreamElement, type TimestampedRecord } from './stream-element.js';
import { eventTimeTrigger, type Trigger } from './trigger.js';
import type { WindowAssigner } from './window-assigner.js';

/** A record is late when its window has already fired at the watermark before it. */
export const isLate = (assigner: WindowAssigner, trigger: Trigger, timestamp: number, watermark: number): boolean =>
  trigger.fires(assigner.assign(timestamp), watermark);

/**
 * Picks out the records that arrive after their window fired (Flink's late-data side output); the
 * window operator leaves the same records out.
 *
 * ```
 * source:  -a-W-b-c-|      W = watermark 3_599_999 (the first hour fires)
 *                          a, b at 10 ms (first hour); c at 3_600_000 (second hour)
 * result:  -----b---|
 * ```
 */
export function lateRecords<T>(assigner: WindowAssigner, trigger: Trigger = eventTimeTrigger): OperatorFunction<StreamElement<T>, TimestampedRecord<T>> {
  return (source) =>
    new Observable<TimestampedRecord<T>>((subscriber) => {
      // The watermark before the next record.
      let current = NO_WATERMARK;
      return source.subscribe({
        next: (element) => {
          if (element.kind === 'watermark') current = element.timestamp;
          else if (isLate(assigner, trigger, element.timestamp, current)) subscriber.next(element);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
