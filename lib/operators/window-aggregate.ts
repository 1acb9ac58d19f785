import { Observable, type OperatorFunction } from 'rxjs';
import type { AggregateFunction } from './aggregate-function.js';
import { isLate } from './late-records.js';
import { NO_WATERMARK, type StreamElement } from './stream-element.js';
import { eventTimeTrigger, type Trigger } from './trigger.js';
import type { TimeWindow, WindowAssigner } from './window-assigner.js';

export interface WindowSpec<T, K, ACC, R, OUT> {
  readonly assigner: WindowAssigner;
  /** Defaults to {@link eventTimeTrigger}. */
  readonly trigger?: Trigger;
  /** Gives each key its own windows; without it one window holds every record of its span. */
  readonly keyBy?: (value: T) => K;
  readonly aggregate: AggregateFunction<T, ACC, R>;
  /** Builds the output of one fired window and key (Flink's window function). */
  readonly emit: (result: R, window: TimeWindow, key: K) => OUT;
  /** Told the number of open windows and accumulators whenever it changes, for metrics. */
  readonly onSize?: (openWindows: number, openPanes: number) => void;
}

/** A window's state: one accumulator a key, in the order keys first came. */
interface OpenWindow<K, ACC> {
  readonly window: TimeWindow;
  readonly panes: Map<K, ACC>;
}

/**
 * Aggregates records into event-time windows, keyed or not, and emits each window's results once, when
 * the trigger fires (Flink's `WindowOperator` with incremental aggregation).
 *
 * 1. A record is assigned its window; if the trigger has already fired for it at the current watermark,
 *    the record is late and left out (see {@link lateRecords} to report it).
 * 2. Otherwise the accumulator of its (window, key) takes it.
 * 3. On each watermark, every window the trigger fires for goes out, earliest first, one output a key
 *    in order of first arrival, and its state is dropped at once.
 * 4. On completion whatever is still open fires, as at an infinite watermark.
 *
 * ```
 * source:  -a-b-W-c-|      a = 1 at 10 ms, b = 2 at 20 ms, c = 4 at 3_600_010 ms;
 * result:  -----S---(T|)   W = watermark 3_599_999; S = sum 3 of hour 0, T = sum 4 of hour 1
 * ```
 */
export function windowAggregate<T, K, ACC, R, OUT>(spec: WindowSpec<T, K, ACC, R, OUT>): OperatorFunction<StreamElement<T>, OUT> {
  const { assigner, aggregate, emit, keyBy, onSize } = spec;
  const trigger = spec.trigger ?? eventTimeTrigger;
  return (source) =>
    new Observable<OUT>((subscriber) => {
      // Open windows by start time.
      const open = new Map<number, OpenWindow<K, ACC>>();
      // Starts of the open windows, ascending, so the next to fire is first. Few: disorder is bounded.
      const starts: number[] = [];
      // The watermark before the next record.
      let current = NO_WATERMARK;
      // Accumulators held, over all windows, for metrics.
      let panes = 0;

      const fire = (watermark: number): void => {
        while (starts.length > 0 && !subscriber.closed) {
          const state = open.get(starts[0] as number) as OpenWindow<K, ACC>;
          if (!trigger.fires(state.window, watermark)) break;
          starts.shift();
          open.delete(state.window.start);
          panes -= state.panes.size;
          onSize?.(open.size, panes);
          for (const [key, accumulator] of state.panes) {
            subscriber.next(emit(aggregate.getResult(accumulator), state.window, key));
          }
        }
      };

      const add = (value: T, timestamp: number): void => {
        if (isLate(assigner, trigger, timestamp, current)) return;
        const window = assigner.assign(timestamp);
        let state = open.get(window.start);
        if (state === undefined) {
          state = { window, panes: new Map() };
          open.set(window.start, state);
          starts.splice(insertionPoint(starts, window.start), 0, window.start);
        }
        const key = keyBy === undefined ? (undefined as K) : keyBy(value);
        const accumulator = state.panes.get(key);
        if (accumulator === undefined) {
          state.panes.set(key, aggregate.add(value, aggregate.createAccumulator()));
          panes += 1;
          onSize?.(open.size, panes);
        } else {
          state.panes.set(key, aggregate.add(value, accumulator));
        }
      };

      const subscription = source.subscribe({
        next: (element) => {
          try {
            if (element.kind === 'record') {
              add(element.value, element.timestamp);
            } else if (element.timestamp > current) {
              current = element.timestamp;
              fire(current);
            }
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          try {
            fire(Infinity);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        open.clear();
        starts.length = 0;
      };
    });
}

/** Where `value` goes in the ascending `sorted` (binary search). */
function insertionPoint(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
