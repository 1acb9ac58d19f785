import type { AssignedPartition, SourceBatch } from '../io/ports.js';
import type { InternalTopicReport } from '../runtime/internal-topics.js';
import type { ProcessingGuarantee } from './config.js';
import type { PartitionWatermark } from '../operators/assign-watermarks.js';
import { NO_WATERMARK } from '../operators/stream-element.js';

/**
 * What the job is doing, for /status and /readyz:
 * - starting: the process is up, the consumer has not joined its group yet;
 * - running: consuming (the producer is connected, the consumer has joined its group and its partitions
 *   are assigned and known to the pipeline): ready;
 * - restarting: a run ended on a failure or a rebalance, the next one is on its way;
 * - stopping: a signal came, the job is publishing what is out and committing;
 * - failed: the pipeline failed more often than it may restart; the process is about to exit.
 */
export type JobState = 'starting' | 'running' | 'restarting' | 'stopping' | 'failed';

export interface PartitionReport {
  readonly partition: number;
  /** The next offset to read; null before the source said. */
  readonly offset: number | null;
  /** Records not read yet, as of the last fetch; null before the source said. */
  readonly lag: number | null;
  /** The partition's own watermark (ms of event time), null before its first valid order. */
  readonly watermark: number | null;
  /** True when the partition does not hold the job's watermark back: it is caught up or quiet for the idle timeout. */
  readonly idle: boolean;
  /** Orders read from it that wait for the other partitions' heads (taken in event-time order across partitions). */
  readonly held: number;
  /** True while its reading is paused because `job.maxHeldOrders` of its orders were held (until half are gone). */
  readonly paused: boolean;
}

export interface StatusReport {
  readonly state: JobState;
  /** The delivery guarantee in force (job.processingGuarantee). */
  readonly processingGuarantee: ProcessingGuarantee;
  readonly ready: boolean;
  readonly uptimeSeconds: number;
  readonly restarts: number;
  /** Why the last run failed, if one did. */
  readonly lastError: string | null;
  /** The job's watermark (ms of event time; the least of the partitions that are not idle), null before the first. */
  readonly watermark: number | null;
  readonly partitions: readonly PartitionReport[];
  /** Every task this instance runs (one per partition it owns of the input and internal topics). */
  readonly tasks: readonly TaskReport[];
  /** Messages handed to the producer and not yet acknowledged by the broker (exactly once: not yet in a committed transaction). */
  readonly pendingOutputs: number;
  /** The topics the service keeps for itself (named from the group id), once it has made sure of them. */
  readonly internalTopics: readonly InternalTopicReport[];
}

export interface TaskReport {
  readonly kind: 'source' | 'customer' | 'combiner';
  readonly topic: string;
  readonly partition: number;
  /** The next offset of its partition to read. */
  readonly offset: number;
  /** Its partition had nothing more to read at its last batch. */
  readonly caughtUp: boolean;
  /** False while it waits for the broker to confirm where input partitions end. */
  readonly settled: boolean;
  readonly watermark: number | null;
}

/** What the runtime tells of its tasks and its output when asked. */
export interface TasksView {
  readonly tasks: ReadonlyArray<Omit<TaskReport, 'watermark' | 'offset'> & { readonly next: number; readonly watermark: number }>;
  readonly pendingOutputs: number;
}

/** What the source told of a partition. */
interface PartitionState {
  offset: number | null;
  highWatermark: number | null;
  /** The source's last word: nothing more to read. */
  caughtUp: boolean;
}

/**
 * The job's state and, per partition, how far it has read (from the source) and where its watermark is
 * and whether it is idle (read from the pipeline itself when a report is asked for).
 */
export class JobStatus {
  private current: JobState = 'starting';
  private restartCount = 0;
  private lastError: string | null = null;
  private jobWatermark = NO_WATERMARK;
  private readTasks: () => TasksView = () => ({ tasks: [], pendingOutputs: 0 });
  private internal: readonly InternalTopicReport[] = [];
  private readonly partitions = new Map<number, PartitionState>();
  // The running pipeline's partitions, as it holds them; none between runs.
  private readPipeline: () => readonly PartitionWatermark[] = () => [];
  // The running pipeline's orders held back per partition; none between runs.
  private readHeld: (partition: number) => { readonly count: number; readonly paused?: boolean } = () => ({ count: 0 });
  private readonly startedAt: number;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly guarantee: ProcessingGuarantee = 'at-least-once',
  ) {
    this.startedAt = clock();
  }

  get state(): JobState {
    return this.current;
  }

  /** Ready only while consuming: a run starts only once its partitions are assigned and announced. */
  get ready(): boolean {
    return this.current === 'running';
  }

  get watermark(): number {
    return this.jobWatermark;
  }

  get restarts(): number {
    return this.restartCount;
  }

  onRunning(running: boolean): void {
    if (this.current === 'stopping' || this.current === 'failed') return;
    this.current = running ? 'running' : 'restarting';
  }

  onRestart(error: Error): void {
    this.restartCount += 1;
    this.lastError = error.message;
    if (this.current !== 'stopping') this.current = 'restarting';
  }

  onStopping(): void {
    if (this.current !== 'failed') this.current = 'stopping';
  }

  onFailed(error: Error): void {
    this.lastError = error.message;
    this.current = 'failed';
  }

  /** A run's partitions: they replace the last run's, which another instance may own now. */
  onAssigned(assigned: readonly AssignedPartition[]): void {
    this.partitions.clear();
    for (const a of assigned) {
      const p = this.partition(a.partition);
      p.caughtUp = a.caughtUp;
      if (a.offset !== undefined) p.offset = a.offset;
      if (a.highWatermark !== undefined) p.highWatermark = a.highWatermark;
    }
  }

  onBatch(batch: SourceBatch): void {
    const p = this.partition(batch.partition);
    const last = batch.records[batch.records.length - 1];
    if (last !== undefined) p.offset = last.offset + 1;
    if (batch.highWatermark !== undefined) p.highWatermark = batch.highWatermark;
    p.caughtUp = batch.caughtUp;
  }

  /** The pipeline of a new run hands over its reader. */
  onPartitions(read: () => readonly PartitionWatermark[]): void {
    this.readPipeline = read;
  }

  onWatermark(watermark: number): void {
    this.jobWatermark = watermark;
  }

  /** The runtime's reader of its tasks. */
  onTasks(read: () => TasksView): void {
    this.readTasks = read;
  }

  /** The internal topics, once the service has made sure they exist. */
  onInternalTopics(topics: readonly InternalTopicReport[]): void {
    this.internal = topics;
  }

  /** The pipeline's reader of the orders it holds back per partition. */
  onHeld(read: (partition: number) => { readonly count: number; readonly paused?: boolean }): void {
    this.readHeld = read;
  }

  /** Orders held back, for each partition of the run. */
  held(): Array<[partition: number, count: number]> {
    return [...this.partitions.keys()].map((partition) => [partition, this.readHeld(partition).count]);
  }

  /** Records not read yet in a partition, or undefined where that is not known. */
  lagOf(partition: number): number | undefined {
    const p = this.partitions.get(partition);
    if (p === undefined || p.offset === null || p.highWatermark === null) return undefined;
    return Math.max(0, p.highWatermark - p.offset);
  }

  report(): StatusReport {
    const now = this.clock();
    const pipeline = new Map(this.readPipeline().map((p) => [p.partition, p]));
    const tasks = this.readTasks();
    return {
      state: this.current,
      processingGuarantee: this.guarantee,
      ready: this.ready,
      uptimeSeconds: Math.round((now - this.startedAt) / 100) / 10,
      restarts: this.restartCount,
      lastError: this.lastError,
      watermark: finiteOrNull(this.jobWatermark),
      partitions: [...this.partitions]
        .sort(([a], [b]) => a - b)
        .map(([partition, p]) => {
          const held = this.readHeld(partition);
          return {
            partition,
            offset: p.offset,
            lag: this.lagOf(partition) ?? null,
            watermark: finiteOrNull(pipeline.get(partition)?.watermark ?? NO_WATERMARK),
            // A partition the pipeline has not met holds nothing back, as the source's word says.
            idle: pipeline.get(partition)?.idle ?? p.caughtUp,
            held: held.count,
            paused: held.paused ?? false,
          };
        }),
      tasks: tasks.tasks.map((t) => ({ kind: t.kind, topic: t.topic, partition: t.partition, offset: t.next, caughtUp: t.caughtUp, settled: t.settled, watermark: finiteOrNull(t.watermark) })),
      pendingOutputs: tasks.pendingOutputs,
      internalTopics: this.internal,
    };
  }

  private partition(partition: number): PartitionState {
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { offset: null, highWatermark: null, caughtUp: false };
      this.partitions.set(partition, p);
    }
    return p;
  }
}

const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null);
