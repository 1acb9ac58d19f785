import { Subject, type Subscription } from 'rxjs';
import type { Logger } from 'winston';
import { analyticsPipeline, type PipelineObserver, type PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { AssignedPartition, RecordSink, RecordSource, SourceBatch } from '../io/ports.js';
import { toOutgoing, type OutputTopics } from '../io/serialize.js';
import type { SourceEvent, SourceRecord } from '../model/source.js';
import { tumblingWindows } from '../operators/window-assigner.js';
import { CommitTracker } from './commit-tracker.js';
import type { JobSettings } from './config.js';
import { DeadLetterLog } from './dead-letter-log.js';
import { commitEntries, restorePoint } from './restore.js';

/** Records fed between two looks at the unacknowledged output. */
const BACKPRESSURE_STRIDE = 64;

/**
 * Orders a partition may have waiting for the other partitions' heads before its fetching pauses (Kafka
 * Streams' `buffered.records.per.partition`), and the level at which it resumes: memory follows this
 * bound, not how far ahead in event time one partition's backlog runs.
 */
const MAX_HELD_PER_PARTITION = 5_000;
const RESUME_HELD_BELOW = 1_000;

export interface StreamJobOptions {
  readonly source: RecordSource;
  readonly sink: RecordSink;
  readonly analytics: AnalyticsSettings;
  readonly topics: OutputTopics;
  readonly job: JobSettings;
  readonly logger: Logger;
  /** Extra hooks (metrics); the job's own commit tracking is always on. */
  readonly observer?: PipelineObserver;
  /** Told of each batch handed to the pipeline, for metrics. */
  readonly onBatch?: (batch: SourceBatch) => void;
  /** Told when the pipeline is done with a batch (outputs between onBatch and this came from it), for metrics. */
  readonly onBatchHandled?: (batch: SourceBatch) => void;
  /** Told of each output as it is handed to the sink, for metrics. */
  readonly onOutput?: (output: PipelineOutput) => void;
  /** Told of the partitions this run was given, for status. */
  readonly onAssigned?: (partitions: readonly AssignedPartition[]) => void;
}

/**
 * One run of the pipeline over Kafka: restores from the group's last commit, feeds batches into the
 * pipeline, publishes what comes out, and commits offsets the tracker allows once the output before them
 * is acknowledged. Consumption waits while too much output is unacknowledged (backpressure).
 */
export class StreamJob {
  private readonly input = new Subject<SourceEvent>();
  private subscription: Subscription | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  // Decides how far offsets may be committed; set once the run has started.
  private tracker: CommitTracker | undefined;
  // Partitions whose fetching is paused because too many of their orders wait for other partitions.
  private readonly pausedPartitions = new Set<number>();
  // The entries of the last successful commit.
  private lastCommitted = '';
  // The commit under way, so that commits never overlap and stop() can wait for it.
  private committing: Promise<void> = Promise.resolve();
  private deadLetterLog: DeadLetterLog;
  private failWith: (error: Error) => void = () => undefined;
  /** Rejects when the run fails: the pipeline errs, the consumer crashes, or a send fails for good. */
  readonly failed: Promise<never>;

  constructor(private readonly options: StreamJobOptions) {
    this.failed = new Promise<never>((_, reject) => {
      this.failWith = reject;
    });
    this.failed.catch(() => undefined);
    this.deadLetterLog = new DeadLetterLog(options.logger);
  }

  async start(): Promise<void> {
    const { source, sink, analytics, topics, job, logger, observer = {} } = this.options;
    const restore = restorePoint(await source.committed());
    if (restore !== undefined) logger.info('resuming from the last commit', { watermark: restore.watermark });
    const tracker = new CommitTracker(tumblingWindows(analytics.windowSizeMs), analytics.velocityWindowMs);
    let held: (partition: number) => { readonly count: number } = () => ({ count: 0 });
    this.subscription = this.input
      .pipe(
        analyticsPipeline(analytics, {
          ...(restore ? { restore } : {}),
          observer: {
            ...observer,
            onOrder: (position, timestamp) => {
              tracker.onOrder(position, timestamp);
              observer.onOrder?.(position, timestamp);
            },
            onWatermark: (watermark) => {
              tracker.onWatermark(watermark);
              observer.onWatermark?.(watermark);
            },
            onHeld: (read) => {
              tracker.onHeld(read);
              held = read;
              observer.onHeld?.(read);
            },
          },
        }),
      )
      .subscribe({
        next: (output) => {
          if (output.kind === 'dead-letter') this.deadLetterLog.record(output);
          sink.send(toOutgoing(output, topics));
          this.options.onOutput?.(output);
        },
        error: (err: unknown) => this.failWith(err instanceof Error ? err : new Error(String(err))),
      });
    sink.onFailure((err) => this.failWith(err));
    await source.start({
      handle: async (batch) => {
        this.options.onBatch?.(batch);
        logger.debug('batch', { partition: batch.partition, records: batch.records.length, caughtUp: batch.caughtUp, first: batch.records[0]?.offset });
        try {
          // Checked every few records, not once a batch: a batch can hold a whole partition, and its output
          // must not pile up unacknowledged.
          for (let i = 0; i < batch.records.length; i++) {
            const record = batch.records[i] as SourceRecord;
            tracker.onRead(record);
            this.input.next(record);
            if (i % BACKPRESSURE_STRIDE === 0 && sink.pending() >= job.maxPendingOutputs) await sink.belowBound(job.maxPendingOutputs);
          }
          // The broker's word with the batch: at its end, or with more to read (then it holds the others).
          this.input.next({ kind: 'partition-status', partition: batch.partition, idle: batch.caughtUp });
          this.balance(batch.partition, held);
          if (sink.pending() >= job.maxPendingOutputs) await sink.belowBound(job.maxPendingOutputs);
        } finally {
          this.options.onBatchHandled?.(batch);
        }
      },
      onAssigned: (partitions) => {
        logger.info('partitions assigned', { partitions });
        this.options.onAssigned?.(partitions);
        for (const p of partitions) this.input.next({ kind: 'partition-status', partition: p.partition, idle: p.caughtUp });
      },
      onPartitions: (words) => {
        for (const { partition, caughtUp } of words) this.input.next({ kind: 'partition-status', partition, idle: caughtUp });
        // A word can let held orders go: a partition paused for them may fetch again.
        this.balance(undefined, held);
      },
      failed: (err) => this.failWith(err),
    });
    this.commitTimer = setInterval(() => void this.commit(tracker), job.commitIntervalMs);
    this.tracker = tracker;
  }

  /**
   * Pauses fetching a partition whose orders pile up waiting for the others' heads, and resumes the paused
   * ones that have drained: a partition that runs ahead in event time cannot fill memory.
   */
  private balance(current: number | undefined, held: (partition: number) => { readonly count: number }): void {
    const { source } = this.options;
    if (current !== undefined && held(current).count > MAX_HELD_PER_PARTITION && !this.pausedPartitions.has(current)) {
      this.pausedPartitions.add(current);
      source.pausePartition(current);
    }
    for (const partition of this.pausedPartitions) {
      if (held(partition).count < RESUME_HELD_BELOW) {
        this.pausedPartitions.delete(partition);
        source.resumePartition(partition);
      }
    }
  }

  /** Commits what the tracker allows, once everything published so far is acknowledged. */
  private commit(tracker: CommitTracker): Promise<void> {
    const run = async (): Promise<void> => {
      const entries = commitEntries(tracker.snapshot());
      // Nothing new since the last commit (or nothing read yet): no request, no wait on a group still joining.
      const key = JSON.stringify(entries);
      if (entries.length === 0 || key === this.lastCommitted) return;
      await this.options.sink.flush();
      await this.options.source.commit(entries);
      this.lastCommitted = key;
    };
    this.committing = this.committing.then(run, run).catch((err: unknown) => {
      this.options.logger.warn('commit failed; the next one will retry', { error: String(err) });
    });
    return this.committing;
  }

  /** Graceful stop: stop consuming, publish what is out, commit, disconnect. Windows stay open: they are re-read next time. */
  async stop(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.options.source.pause();
    if (this.tracker !== undefined) await this.commit(this.tracker);
    this.subscription?.unsubscribe();
    this.deadLetterLog.close();
    await Promise.allSettled([this.options.source.stop(), this.options.sink.close()]);
  }

  /** Tear-down after a failure: no flush or commit, the next run re-reads from the last good commit. */
  async abort(): Promise<void> {
    clearInterval(this.commitTimer);
    this.subscription?.unsubscribe();
    this.deadLetterLog.close();
    await Promise.allSettled([this.options.source.stop(), this.options.sink.close({ flush: false })]);
  }
}
