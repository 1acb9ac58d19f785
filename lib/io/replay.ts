import { tap, lastValueFrom, defaultIfEmpty, type SchedulerLike } from 'rxjs';
import type { PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsType } from '../model/analytics.js';
import type { DeadLetterReason } from '../model/dead-letter.js';
import { localTopology } from '../topology/local-topology.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { LineWriter } from './line-writer.js';
import { readRecording } from './recording-source.js';
import { analyticsJson, deadLetterLine } from './serialize.js';

export interface ReplaySummary {
  /** Records read: lines that are not blank. */
  records: number;
  /** Valid orders among them, late and too_far_ahead ones included. */
  orders: number;
  deadLetters: Record<DeadLetterReason, number>;
  outputs: Record<AnalyticsType, number>;
  elapsedMs: number;
}

export interface ReplayOptions {
  /** The recording; `-` reads standard input. */
  readonly file: string;
  readonly settings: AnalyticsSettings;
  readonly analytics: LineWriter;
  /** Where dead letters go; without it they are counted and dropped. */
  readonly deadLetters?: LineWriter;
  readonly onProgress?: (bytesRead: number) => void;
  /** Told of each record read (the console's throughput). */
  readonly onRecord?: () => void;
  /** Told of each result and dead letter, as it is written (the console). */
  readonly onOutput?: (output: PipelineOutput) => void;
  readonly scheduler?: SchedulerLike;
}

/**
 * Replays a recorded file through the pipeline: analytics to one writer, dead letters to another. The
 * reading waits whenever a writer does, so memory stays flat however slow the output is.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const summary: ReplaySummary = {
    records: 0,
    orders: 0,
    deadLetters: { too_large: 0, not_json: 0, invalid: 0, late: 0, too_far_ahead: 0 },
    outputs: { hourly_sales: 0, customer_stats: 0, fraud_alert: 0 },
    elapsedMs: 0,
  };
  const { analytics, deadLetters, onRecord, onOutput } = options;
  const source = readRecording(options.file, {
    whenReady: () => analytics.whenReady() ?? deadLetters?.whenReady(),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  try {
    await lastValueFrom(
      source.pipe(
        tap(() => {
          summary.records += 1;
          onRecord?.();
        }),
        localTopology(options.settings),
        tap((output) => {
          if (output.kind === 'analytics') {
            summary.outputs[output.message.type] += 1;
            analytics.write(analyticsJson(output.message));
          } else {
            summary.deadLetters[output.reason] += 1;
            deadLetters?.write(deadLetterLine(output));
          }
          onOutput?.(output);
        }),
        defaultIfEmpty(undefined),
      ),
    );
    await Promise.all([analytics.close(), deadLetters?.close()]);
  } catch (err) {
    // A run that did not finish leaves no output file in place (one that was lent a stream, like
    // stdout, has already written what it had).
    analytics.abandon();
    deadLetters?.abandon();
    throw err;
  }
  const { too_large, not_json, invalid } = summary.deadLetters;
  summary.orders = summary.records - too_large - not_json - invalid;
  summary.elapsedMs = performance.now() - started;
  return summary;
}
