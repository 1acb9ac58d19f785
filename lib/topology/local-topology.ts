import { connect, filter, merge, type Observable, type OperatorFunction } from 'rxjs';
import type { PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { SourceEvent } from '../model/source.js';
import { tumblingWindows } from '../operators/window-assigner.js';
import { customerTask, type CustomerTaskOutput } from './customer-task.js';
import { hourlyCombiner } from './hourly-combiner.js';
import { isHourlyPartial, isRoutedOrder, isTaskMark, isUpstreamMark, type HourlyPartial, type RoutedOrder, type TaskMark, type UpstreamMark } from './messages.js';
import { sourceTask, type SourceTaskOutput } from './source-task.js';

const isInternal = (e: SourceTaskOutput): e is RoutedOrder | UpstreamMark => isRoutedOrder(e) || isUpstreamMark(e);
const isToCombine = (e: CustomerTaskOutput): e is HourlyPartial | TaskMark => isHourlyPartial(e) || isTaskMark(e);

/**
 * The whole topology in one process, the stages joined directly instead of through internal topics:
 * source task, then one customer task, then the hourly combiner. This is what `replay` runs (a file is one
 * partition); on Kafka the same three stages run as tasks spread over the instances of a group.
 *
 * ```
 * records ─ sourceTask ─┬─ dead letters, high_amount ──────────────────────────────┐
 *                       └─ routed orders, marks ─ customerTask ─┬─ late, customer_stats, velocity ─┤
 *                                                               └─ partials, marks ─ hourlyCombiner ─┴─ out
 * ```
 */
export function localTopology(settings: AnalyticsSettings): OperatorFunction<SourceEvent, PipelineOutput> {
  const assigner = tumblingWindows(settings.windowSizeMs);
  return (source) =>
    source.pipe(
      sourceTask(settings),
      connect(
        (upstream$): Observable<PipelineOutput> =>
          merge(
            upstream$.pipe(filter((e): e is PipelineOutput => !isInternal(e))),
            upstream$.pipe(
              filter(isInternal),
              customerTask(settings),
              connect(
                (downstream$): Observable<PipelineOutput> =>
                  merge(
                    downstream$.pipe(filter((e): e is PipelineOutput => !isToCombine(e))),
                    downstream$.pipe(filter(isToCombine), hourlyCombiner({ assigner })),
                  ),
              ),
            ),
          ),
      ),
    );
}
