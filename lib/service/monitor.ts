import { performance } from 'node:perf_hooks';
import type { PipelineOutput } from '../analytics/pipeline.js';
import type { AssignedPartition, SourceBatch } from '../io/ports.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import type { ProcessingGuarantee } from './config.js';
import type { ServiceHooks } from './service.js';
import { JobStatus } from './status.js';

/** Someone else who watches what flows (the console): told of each batch's records and each output. */
export interface FlowWatcher {
  onRecords(count: number): void;
  onOutput(output: PipelineOutput): void;
}

/**
 * Watches the service through its hooks and keeps both views of it up to date: the Prometheus metrics
 * and the job status. Nothing here changes what the job does.
 *
 * Output latency: an output is timed from the moment the batch that caused it was handed to the
 * pipeline to the moment the output was handed to the sink (queued for the producer; the broker's
 * acknowledgement comes one round trip later). A high_amount alert takes microseconds; a window result
 * or velocity alert is timed from the batch whose watermark fired it; backpressure waits count. Outputs
 * fired between batches (by a partition's idleness timer) have no batch to time them from and are not
 * observed.
 */
export class JobMonitor {
  readonly status: JobStatus;
  readonly metrics: ServiceMetrics;
  // When the batch being handled was handed over (performance.now()), or undefined between batches.
  private batchArrival: number | undefined;

  constructor(
    clock: () => number = Date.now,
    guarantee: ProcessingGuarantee = 'at-least-once',
    private readonly watchers: readonly FlowWatcher[] = [],
  ) {
    this.status = new JobStatus(clock, guarantee);
    this.metrics = createMetrics(() => this.status.watermark, clock, () => this.status.held());
  }

  /** The hooks to give runService. */
  readonly hooks: ServiceHooks = {
    onRunning: (running) => {
      this.status.onRunning(running);
      // A run's pipeline state goes with it; the next run rebuilds it from the last commit.
      if (!running) this.resetPipelineGauges();
    },
    onRestart: (_attempt, error) => {
      this.status.onRestart(error);
      this.metrics.restarts.inc();
    },
    onAssigned: (partitions) => this.onAssigned(partitions),
    onBatch: (batch) => this.onBatch(batch),
    onBatchHandled: () => {
      this.batchArrival = undefined;
    },
    onOutput: (output) => this.onOutput(output),
    onTasks: (read) => this.status.onTasks(read),
    onInternalTopics: (topics) => this.status.onInternalTopics(topics),
    onTransaction: (outcome) => this.metrics.transactions.inc({ outcome }),
    observer: {
      onPartitions: (read) => this.status.onPartitions(read),
      onHeld: (read) => this.status.onHeld(read),
      onWatermark: (watermark) => {
        this.status.onWatermark(watermark);
        if (Number.isFinite(watermark)) this.metrics.watermark.set(watermark);
      },
      onOpenWindows: (windows, panes) => {
        this.metrics.openWindows.set(windows);
        this.metrics.openPanes.set(panes);
      },
      onLiveKeys: (keys) => this.metrics.liveKeys.set(keys),
    },
  };

  private onAssigned(partitions: readonly AssignedPartition[]): void {
    // Partitions of the last run that this one was not given are another instance's now: drop their series.
    this.metrics.consumerLag.reset();
    this.status.onAssigned(partitions);
    for (const { partition } of partitions) {
      this.metrics.recordsIn.inc({ partition }, 0);
      this.updateLag(partition);
    }
  }

  private onBatch(batch: SourceBatch): void {
    this.batchArrival = performance.now();
    this.metrics.recordsIn.inc({ partition: batch.partition }, batch.records.length);
    this.status.onBatch(batch);
    this.updateLag(batch.partition);
    for (const w of this.watchers) w.onRecords(batch.records.length);
  }

  private onOutput(output: PipelineOutput): void {
    const m = this.metrics;
    let type: string;
    if (output.kind === 'analytics') {
      type = output.message.type;
      m.outputs.inc({ type });
      if (output.message.type === 'fraud_alert') m.fraudAlerts.inc({ rule: output.message.rule });
    } else {
      type = 'dead_letter';
      m.deadLetters.inc({ reason: output.reason });
      if (output.reason === 'late') m.lateRecords.inc({ partition: output.source.partition });
    }
    if (this.batchArrival !== undefined) m.outputLatency.observe({ type }, (performance.now() - this.batchArrival) / 1_000);
    for (const w of this.watchers) w.onOutput(output);
  }

  private updateLag(partition: number): void {
    const lag = this.status.lagOf(partition);
    if (lag !== undefined) this.metrics.consumerLag.set({ partition }, lag);
  }

  private resetPipelineGauges(): void {
    this.batchArrival = undefined;
    this.metrics.openWindows.set(0);
    this.metrics.openPanes.set(0);
    this.metrics.liveKeys.set(0);
  }
}
