import { Observable, type OperatorFunction } from 'rxjs';
import { hourlySalesWindow } from '../analytics/hourly-sales.js';
import type { OrderTotals } from '../analytics/order-totals.js';
import type { AnalyticsOutput } from '../model/analytics.js';
import { addSum, emptySum } from '../model/money.js';
import { NO_WATERMARK } from '../operators/stream-element.js';
import { eventTimeTrigger } from '../operators/trigger.js';
import type { TimeWindow, WindowAssigner } from '../operators/window-assigner.js';
import { isTaskMark, type HourlyPartial, type TaskMark } from './messages.js';

export interface HourlyCombinerOptions {
  readonly assigner: WindowAssigner;
  /** How many customer tasks send partials: a window waits for every one's watermark. All heard from when absent. */
  readonly tasks?: number;
  /** The watermark at the last commit: windows it passed went out before the restart. */
  readonly initialWatermark?: number;
  /** Told of each partial taken (a window still open) and of the open windows after each change, for commits. */
  readonly onOpen?: (openWindows: readonly TimeWindow[]) => void;
  /** Told of the combined watermark whenever it rises. */
  readonly onWatermark?: (watermark: number) => void;
}

interface OpenWindow {
  readonly window: TimeWindow;
  /** The latest partial of each task: a task that restarted sends the same partial again. */
  readonly partials: Map<number, HourlyPartial>;
}

/**
 * The third stage of the topology, one task: the one `hourly_sales` of each window, combined from every
 * customer task's partial, and published once, when every task's watermark has passed the window
 * (semantics §6: "combined from every input partition's share").
 *
 * 1. A partial joins its window, unless the window has gone out; a repeat of a task's partial replaces it.
 * 2. A mark raises its task's watermark; the combined watermark is the minimum over the tasks, and holds
 *    until each expected task has been heard from.
 * 3. Each window the combined watermark passes goes out, earliest first, with the partials' exact sum.
 * 4. On completion whatever is open goes out.
 *
 * ```
 * source:  -a-b-M-N-|    a, b = hour 0 partials of tasks 0 and 1; M, N = their marks past hour 0
 * result:  -------S-|    S = hourly_sales of hour 0, a + b
 * ```
 */
export function hourlyCombiner(options: HourlyCombinerOptions): OperatorFunction<HourlyPartial | TaskMark, AnalyticsOutput> {
  const { tasks } = options;
  const hourly = hourlySalesWindow(options.assigner);
  return (source) =>
    new Observable<AnalyticsOutput>((subscriber) => {
      const open = new Map<number, OpenWindow>();
      const marks = new Map<number, number>();
      let combined = options.initialWatermark ?? NO_WATERMARK;

      const report = (): void => options.onOpen?.([...open.values()].map((w) => w.window));

      const fire = (upTo: number): void => {
        const due = [...open.values()].filter((w) => eventTimeTrigger.fires(w.window, upTo)).sort((a, b) => a.window.start - b.window.start);
        for (const { window, partials } of due) {
          open.delete(window.start);
          const totals: OrderTotals = { count: 0, sum: emptySum() };
          for (const p of partials.values()) {
            totals.count += p.count;
            addSum(totals.sum, p.sum);
          }
          if (totals.count > 0) subscriber.next(hourly.emit(totals, window, undefined));
        }
        if (due.length > 0) report();
      };

      const onMark = (mark: TaskMark): void => {
        if (mark.watermark > (marks.get(mark.task) ?? NO_WATERMARK)) marks.set(mark.task, mark.watermark);
        if (tasks !== undefined && marks.size < tasks) return;
        let lowest = Infinity;
        for (const w of marks.values()) lowest = Math.min(lowest, w);
        if (lowest > combined) {
          combined = lowest;
          options.onWatermark?.(combined);
          fire(combined);
        }
      };

      const onPartial = (partial: HourlyPartial): void => {
        if (eventTimeTrigger.fires(partial.window, combined)) return;
        let w = open.get(partial.window.start);
        if (w === undefined) {
          w = { window: partial.window, partials: new Map() };
          open.set(partial.window.start, w);
        }
        w.partials.set(partial.task, partial);
        report();
      };

      const subscription = source.subscribe({
        next: (value) => {
          try {
            if (isTaskMark(value)) onMark(value);
            else onPartial(value);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          fire(Infinity);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        open.clear();
      };
    });
}
