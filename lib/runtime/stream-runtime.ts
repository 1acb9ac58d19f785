import type { Logger } from 'winston';
import type { PipelineObserver, PipelineOutput } from '../analytics/pipeline.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import type { AssignedPartition, GroupBatch, GroupConsumer, OwnedPartition, RecordSink, SourceBatch, TransactionalSink, TransactionalSinks } from '../io/ports.js';
import type { OutputTopics } from '../io/serialize.js';
import type { PartitionWatermark } from '../operators/assign-watermarks.js';
import { commitInterval, type JobSettings } from '../service/config.js';
import { DeadLetterLog } from '../service/dead-letter-log.js';
import { combinerTaskRunner } from './combiner-task-runner.js';
import { customerTaskRunner, type CustomerTaskGauges } from './customer-task-runner.js';
import { HeldOrdersGate, type HeldState } from './held-orders-gate.js';
import type { InternalTopics } from './internal-topics.js';
import { singleFlight } from './single-flight.js';
import { sourceTaskRunner } from './source-task-runner.js';
import type { TasksView } from '../service/status.js';
import type { LocalLane } from './local-lane.js';
import type { Task, TaskContext } from './task.js';

type CustomerTask = ReturnType<typeof customerTaskRunner>;

export interface StreamRuntimeOptions {
  readonly consumer: GroupConsumer;
  readonly sink: RecordSink;
  readonly analytics: AnalyticsSettings;
  readonly topics: OutputTopics;
  readonly internal: InternalTopics;
  /** Partitions of the input topic. */
  readonly inputPartitions: number;
  readonly job: JobSettings;
  readonly logger: Logger;
  readonly observer?: PipelineObserver;
  readonly onBatch?: (batch: SourceBatch) => void;
  readonly onBatchHandled?: (batch: SourceBatch) => void;
  readonly onOutput?: (output: PipelineOutput) => void;
  /** Told of the input partitions this instance owns, after each rebalance. */
  readonly onAssigned?: (partitions: readonly AssignedPartition[]) => void;
  /** Given a reader of every task this instance runs, and of its output not yet acknowledged. */
  readonly onTasks?: (read: () => TasksView) => void;
  /**
   * Exactly-once: each task publishes through its own transactional sink, and commits its offset in the
   * same transaction. Without it, at-least-once: one sink for all, offsets committed once acknowledged.
   */
  readonly transactions?: TransactionalSinks;
  /** Told of each transaction's end. */
  readonly onTransaction?: (outcome: 'committed' | 'aborted') => void;
}

/**
 * How often internal topics are purged at most (Kafka Streams' `repartition.purge.interval.ms` is 30 s):
 * a purge is one DeleteRecords a topic, and exactly once a task commits every 100 ms.
 */
const PURGE_INTERVAL_MS = 5_000;

/**
 * How long a partition paused for its held orders waits while the customer tasks holding them process
 * nothing, before it reads again (at least two commit intervals: exactly once, other instances' marks are
 * seen at their commits).
 */
const HELD_STALL_MS = 2_000;

/**
 * The Kafka job of one instance (Kafka Streams' `StreamThread`): one consumer in the group over the input
 * and the internal topics, one task per partition it owns. Partition p of the input and of the
 * orders-by-customer topic are always owned together (the group's assignment sees to it), and their two
 * tasks are linked by a {@link LocalLane} and commit together. A rebalance stops only the tasks whose
 * partitions moved away and starts the ones that moved here (restored from the group's commit); the
 * others go on from where they were. Output is published through one producer; offsets are committed
 * per task once the output before them is acknowledged.
 */
export class StreamRuntime {
  private readonly tasks = new Map<string, Task>();
  // Exactly-once: each unit's own transactional sink (a unit: one task, or a source task and the customer
  // task beside it, which commit together), by the key of its first task.
  private readonly taskSinks = new Map<string, TransactionalSink>();
  private readonly gauges = new Map<string, CustomerTaskGauges>();
  private readonly deadLetterLog: DeadLetterLog;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  // At least once: a commit cycle is queued behind the one under way.
  private commitQueued = false;
  // Exactly once: each task's transaction under way, by task, and the tasks whose turn came meanwhile.
  private readonly transactionsUnderWay = new Map<string, Promise<void>>();
  private readonly commitAgain = new Set<string>();
  // Set by a stop or an abort: no transaction starts on its own any more.
  private stopped = false;
  private lastCommitted = new Map<string, string>();
  // Internal topics' offsets committed since the last purge, by topic and partition, and when that was.
  private readonly purgeable = new Map<string, Map<number, number>>();
  private lastPurge = performance.now();
  private failWith: (error: Error) => void = () => undefined;
  readonly failed: Promise<never>;
  private readonly context: TaskContext;
  private readonly gate: HeldOrdersGate;

  constructor(private readonly options: StreamRuntimeOptions) {
    this.failed = new Promise<never>((_, reject) => {
      this.failWith = reject;
    });
    this.failed.catch(() => undefined);
    this.deadLetterLog = new DeadLetterLog(options.logger);
    const { consumer, sink, analytics, topics, internal, inputPartitions, job } = options;
    const observer = options.observer ?? {};
    this.context = {
      analytics,
      sink,
      topics,
      internal,
      inputPartitions,
      maxPendingOutputs: job.maxPendingOutputs,
      onOutput: (output) => {
        if (output.kind === 'dead-letter') this.deadLetterLog.record(output);
        options.onOutput?.(output);
      },
      observer: {
        // The instance's watermark for status: the lowest of its customer tasks'.
        onWatermark: () => observer.onWatermark?.(this.watermark()),
      },
      inputEnds: singleFlight(() => consumer.endOffsets(topics.inputTopic)),
    };
    observer.onPartitions?.(() => this.partitionWatermarks());
    observer.onHeld?.((partition) => ({ count: this.heldOf(partition), first: undefined, paused: this.gate.isPaused(partition) }));
    this.gate = new HeldOrdersGate(
      job.maxHeldOrders,
      Math.max(HELD_STALL_MS, 2 * commitInterval(job)),
      {
        pause: (partition) => {
          options.logger.debug('reading paused: orders of the partition wait for the others', { partition, held: this.heldOf(partition) });
          consumer.pausePartition(topics.inputTopic, partition);
        },
        resume: (partition) => consumer.resumePartition(topics.inputTopic, partition),
      },
      (partition, reason) => options.logger.debug('reading resumed', { partition, held: this.heldOf(partition), reason }),
    );
  }

  async start(): Promise<void> {
    const { consumer, sink, job } = this.options;
    sink.onFailure((err) => this.failWith(err));
    this.options.onTasks?.(() => ({
      tasks: [...this.tasks.values()].map((t) => t.describe()),
      // Exactly once, output is out only once its transaction commits.
      pendingOutputs: sink.pending() + [...this.taskSinks.values()].reduce((n, s) => n + s.pending(), 0),
    }));
    await consumer.start({
      onAssignment: async (owned) => this.assign(owned),
      handle: (batch) => this.handle(batch),
      failed: (err) => this.failWith(err),
    });
    this.commitTimer = setInterval(() => {
      // Held orders can also go on between batches (a partition confirmed caught up), and a stall shows
      // only as time passing with no batch: the gate looks on each tick too.
      this.checkHeld();
      void this.commit();
    }, commitInterval(job));
  }

  /** Pauses or resumes the input partitions of this instance's source tasks by what they have held. */
  private checkHeld(): void {
    // Once stopping, the consumer is paused as a whole: pausing or resuming one partition would undo that.
    if (this.stopped) return;
    const states: HeldState[] = [];
    for (const t of this.tasks.values()) {
      if (t.topic !== this.options.topics.inputTopic) continue;
      states.push({ partition: t.partition, ...this.heldBy(t.partition), rereading: t.describe().rereading === true });
    }
    this.gate.update(states, performance.now());
  }

  // Sinks being closed, until they are (a stop waits for them).
  private readonly closingSinks = new Set<Promise<void>>();

  /** Closes a task's transactional sink: what its open transaction holds is aborted (the next owner redoes it). */
  private closeTaskSink(key: string): void {
    const taskSink = this.taskSinks.get(key);
    if (taskSink === undefined) return;
    this.taskSinks.delete(key);
    const aborted = taskSink.counts.aborted;
    const closing: Promise<void> = taskSink.close().then(
      () => {
        if (taskSink.counts.aborted > aborted) this.options.onTransaction?.('aborted');
      },
      () => undefined,
    );
    this.closingSinks.add(closing);
    void closing.then(() => this.closingSinks.delete(closing));
  }

  private key(topic: string, partition: number): string {
    return `${topic}:${partition}`;
  }

  /** The topic of the unit a task of `topic` commits in: a customer task's unit is the source task's of its number. */
  private unitTopic(topic: string): string {
    return topic === this.options.internal.ordersByCustomer ? this.options.topics.inputTopic : topic;
  }

  private unitOf(topic: string, partition: number): string {
    return this.key(this.unitTopic(topic), partition);
  }

  /** The tasks of a unit this instance runs, the source task first (its commit entry sends the marks the other's counts). */
  private unitTasks(unit: string): Task[] {
    const first = this.tasks.get(unit);
    const partner = first !== undefined && first.topic === this.options.topics.inputTopic ? this.tasks.get(this.key(this.options.internal.ordersByCustomer, first.partition)) : undefined;
    return [first, partner].filter((t): t is Task => t !== undefined);
  }

  /**
   * Partition p of the input and of the orders-by-customer topic must be owned together: the local lane
   * between their tasks has no other way across. The group's assignor guarantees it; a member of the group
   * with another assignor would break it, and then this instance stops rather than compute wrong results.
   */
  private checkCoPartitioned(owned: readonly OwnedPartition[]): void {
    const { topics, internal } = this.options;
    const of = (topic: string): Set<number> => new Set(owned.filter((o) => o.topic === topic).map((o) => o.partition));
    const inputs = of(topics.inputTopic);
    const customers = of(internal.ordersByCustomer);
    const apart = [...inputs].filter((p) => !customers.has(p)).concat([...customers].filter((p) => !inputs.has(p)));
    if (apart.length > 0) {
      throw new Error(
        `partition ${apart[0]} of ${topics.inputTopic} and of ${internal.ordersByCustomer} were assigned apart: every member of the group must run this build (its assignor keeps them together)`,
      );
    }
  }

  /** After a rebalance: stop the tasks that moved away, keep the others where they were, start the new ones. */
  private async assign(owned: readonly OwnedPartition[]): Promise<void> {
    const { consumer, topics, internal, logger } = this.options;
    this.checkCoPartitioned(owned);
    // kafkajs keeps a partition paused through rebalances: whatever was paused is looked at afresh.
    if (!this.stopped) this.gate.reset();
    const wanted = new Set(owned.map((o) => this.key(o.topic, o.partition)));
    const stopped: string[] = [];
    for (const [key, task] of this.tasks) {
      if (wanted.has(key)) continue;
      task.close();
      this.closeTaskSink(this.unitOf(task.topic, task.partition));
      this.tasks.delete(key);
      this.gauges.delete(key);
      this.lastCommitted.delete(key);
      stopped.push(key);
    }
    const kept: string[] = [];
    const started: string[] = [];
    // Exactly-once: a new task's sink is opened first (fencing its previous owner, whose open transaction
    // the broker then settles), and only then is its commit read.
    const arriving = owned.filter((o) => !this.tasks.has(this.key(o.topic, o.partition)));
    const contexts = new Map<string, TaskContext>();
    const refreshed = new Map<string, OwnedPartition>();
    if (this.options.transactions !== undefined) {
      const open = this.options.transactions;
      const units = new Map<string, OwnedPartition[]>();
      for (const o of arriving) {
        const unit = this.unitOf(o.topic, o.partition);
        units.set(unit, [...(units.get(unit) ?? []), o]);
      }
      await Promise.all(
        [...units].map(async ([unit, members]) => {
          const first = members[0]!;
          const taskSink = await open({ topic: this.unitTopic(first.topic), partition: first.partition });
          taskSink.onFailure((err) => this.failWith(err));
          this.taskSinks.set(unit, taskSink);
          for (const o of members) {
            const key = this.key(o.topic, o.partition);
            contexts.set(key, { ...this.context, sink: taskSink });
            const committed = await consumer.committed(o.topic, o.partition);
            refreshed.set(key, { ...o, committed: { partition: o.partition, offset: committed.offset, metadata: committed.metadata } });
          }
        }),
      );
    }
    // A customer task starts before the source task beside it, which hands it its lane from the start.
    const lanes = new Map<number, LocalLane>();
    const rank = (o: OwnedPartition): number => (o.topic === internal.ordersByCustomer ? 0 : o.topic === topics.inputTopic ? 1 : 2);
    for (const owning of [...owned].sort((a, b) => rank(a) - rank(b))) {
      const key = this.key(owning.topic, owning.partition);
      const o = refreshed.get(key) ?? owning;
      const existing = this.tasks.get(key);
      if (existing !== undefined) {
        // kafkajs restarts every partition from the committed offset: go on from where the task is.
        consumer.seek(o.topic, o.partition, existing.next);
        kept.push(key);
        continue;
      }
      const context = contexts.get(key) ?? this.context;
      let task: Task;
      if (o.topic === topics.inputTopic) task = sourceTaskRunner(o, context, lanes.get(o.partition));
      else if (o.topic === internal.ordersByCustomer) {
        const gauges = { openWindows: 0, openPanes: 0, liveKeys: 0 };
        this.gauges.set(key, gauges);
        const customer = customerTaskRunner(o, context, gauges, { local: true });
        lanes.set(o.partition, customer.local);
        task = customer;
      } else if (o.topic === internal.hourlyPartials) task = combinerTaskRunner(o, context);
      else continue;
      this.tasks.set(key, task);
      started.push(key);
      if (o.committed.offset >= 0) logger.info('resuming from the last commit', { task: key, offset: o.committed.offset, watermark: task.describe().watermark });
      if (o.committed.offset >= 0 && o.committed.offset > o.low) consumer.seek(o.topic, o.partition, o.committed.offset);
    }
    logger.info('tasks assigned', { kept, started, stopped });
    logger.info('partitions assigned', { partitions: owned.filter((o) => o.topic === topics.inputTopic).map((o) => o.partition) });
    this.options.onAssigned?.(
      owned
        .filter((o) => o.topic === topics.inputTopic)
        .map((o) => {
          const next = this.tasks.get(this.key(o.topic, o.partition))?.next ?? o.low;
          return { partition: o.partition, caughtUp: next >= o.high, offset: next, highWatermark: o.high };
        }),
    );
  }

  private async handle(batch: GroupBatch): Promise<void> {
    const task = this.tasks.get(this.key(batch.topic, batch.partition));
    if (task === undefined) return;
    const isInput = batch.topic === this.options.topics.inputTopic;
    const sourceBatch: SourceBatch = { partition: batch.partition, records: batch.records, caughtUp: batch.caughtUp, highWatermark: batch.highWatermark };
    if (isInput) this.options.onBatch?.(sourceBatch);
    try {
      await task.handle(batch);
    } catch (err) {
      this.failWith(err instanceof Error ? err : new Error(String(err)));
    } finally {
      if (isInput) this.options.onBatchHandled?.(sourceBatch);
      this.reportGauges();
      this.checkHeld();
    }
  }

  private reportGauges(): void {
    const observer = this.options.observer;
    if (observer === undefined) return;
    let windows = 0;
    let panes = 0;
    let keys = 0;
    for (const g of this.gauges.values()) {
      windows += g.openWindows;
      panes += g.openPanes;
      keys += g.liveKeys;
    }
    observer.onOpenWindows?.(windows, panes);
    observer.onLiveKeys?.(keys);
  }

  /** The lowest watermark of this instance's customer tasks (or of its source tasks, where it has none). */
  private watermark(): number {
    const described = [...this.tasks.values()].map((t) => t.describe());
    const customers = described.filter((d) => d.kind === 'customer');
    const pool = customers.length > 0 ? customers : described.filter((d) => d.kind === 'source');
    return pool.length === 0 ? -Infinity : Math.min(...pool.map((d) => d.watermark));
  }

  private partitionWatermarks(): PartitionWatermark[] {
    return [...this.tasks.values()]
      .map((t) => t.describe())
      .filter((d) => d.kind === 'source')
      .map((d) => ({ partition: d.partition, watermark: d.watermark, idle: d.caughtUp }));
  }

  private heldOf(partition: number): number {
    return this.heldBy(partition).held;
  }

  /** A partition's orders held in this instance's customer tasks, and the orders those tasks have processed. */
  private heldBy(partition: number): { held: number; processed: number } {
    let held = 0;
    let processed = 0;
    for (const t of this.tasks.values()) {
      if (!('heldOf' in t)) continue;
      const customer = t as CustomerTask;
      const n = customer.heldOf(partition);
      held += n;
      if (n > 0) processed += customer.processed;
    }
    return { held, processed };
  }

  /**
   * Commits what every task allows. At least once: one commit of every task's offset, once everything
   * published so far is acknowledged. Exactly once: each task's own transaction, on its own cycle, so that
   * a task whose transaction is slow (a window's customer_stats going out) holds back no other. A cycle
   * asked for while one is under way waits for it; a third is not queued (under a backlog, ticks would
   * otherwise pile up faster than commits end).
   */
  private commit(): Promise<void> {
    if (this.options.transactions !== undefined) return this.commitTransactions();
    if (this.commitQueued) return this.committing;
    this.commitQueued = true;
    const run = async (): Promise<void> => {
      this.commitQueued = false;
      const { consumer, sink } = this.options;
      // Source tasks first: their entries send the marks the customer tasks' entries count.
      const ordered = [...this.tasks.values()].sort((a, b) => Number(b.topic === this.options.topics.inputTopic) - Number(a.topic === this.options.topics.inputTopic));
      const entries = ordered.map((t) => ({ topic: t.topic, partition: t.partition, entry: t.commitEntry() }));
      // A task with nothing new to commit is left alone.
      const changed = entries.filter((e) => e.entry !== undefined && this.lastCommitted.get(this.key(e.topic, e.partition)) !== JSON.stringify(e.entry));
      if (changed.length === 0) return;
      await sink.flush();
      await consumer.commit(changed.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.entry!.offset, metadata: e.entry!.metadata })));
      for (const e of changed) {
        this.lastCommitted.set(this.key(e.topic, e.partition), JSON.stringify(e.entry));
        this.committedAt(e.topic, e.partition, e.entry!.offset);
      }
    };
    this.committing = this.committing.then(run, run).catch((err: unknown) => {
      this.options.logger.warn('commit failed; the next one will retry', { error: String(err) });
    });
    return this.committing;
  }

  /**
   * Exactly once: every task without a transaction under way commits one now if it has anything new (or
   * output waiting in its open transaction: results of records already committed past are never left
   * open). Resolves once every transaction under way, these and earlier ones, has ended.
   */
  private commitTransactions(): Promise<void> {
    const all: Array<Promise<void>> = [];
    const units = new Set([...this.tasks.values()].map((t) => this.unitOf(t.topic, t.partition)));
    for (const key of units) {
      const underWay = this.transactionsUnderWay.get(key);
      if (underWay !== undefined) {
        // Its turn came while it was committing: it commits again as soon as that ends, not a tick later.
        this.commitAgain.add(key);
        all.push(underWay);
        continue;
      }
      const transaction = this.commitTransaction(key);
      if (transaction !== undefined) all.push(transaction);
    }
    return Promise.all(all).then(() => undefined);
  }

  /**
   * One unit's transaction, if it has anything new: resolves when it has ended (a failure is logged, not
   * thrown). It holds all the unit's tasks have sent: their entries, taken together just now, cover it.
   */
  private commitTransaction(key: string): Promise<void> | undefined {
    const tasks = this.unitTasks(key);
    const taskSink = this.taskSinks.get(key);
    if (tasks.length === 0 || taskSink === undefined) return undefined;
    const entries = tasks.flatMap((task) => {
      const entry = task.commitEntry();
      return entry === undefined ? [] : [{ task, entry }];
    });
    if (entries.length === 0) return undefined;
    const text = JSON.stringify(entries.map((e) => e.entry));
    if (this.lastCommitted.get(key) === text && taskSink.pending() === 0) return undefined;
    const transaction: Promise<void> = taskSink
      .commit(entries.map(({ task, entry }) => ({ topic: task.topic, partition: task.partition, offset: entry.offset, metadata: entry.metadata })))
      .then(
        () => {
          // The task may have moved away meanwhile: its successor's commits are its own.
          if (this.taskSinks.get(key) !== taskSink) return;
          this.lastCommitted.set(key, text);
          for (const { task, entry } of entries) this.committedAt(task.topic, task.partition, entry.offset);
          this.options.logger.debug('transaction committed', { task: key, offsets: entries.map((e) => e.entry.offset), messages: taskSink.sent() });
          this.options.onTransaction?.('committed');
        },
        (err: unknown) => {
          this.options.logger.warn('commit failed; the next one will retry', { task: key, error: String(err) });
        },
      )
      .finally(() => {
        if (this.transactionsUnderWay.get(key) !== transaction) return;
        this.transactionsUnderWay.delete(key);
        if (this.commitAgain.delete(key) && !this.stopped) void this.commitTransaction(key);
      });
    this.transactionsUnderWay.set(key, transaction);
    return transaction;
  }

  /** A task's commit landed: an internal topic's records below it may be purged (Kafka Streams does so after commits). */
  private committedAt(topic: string, partition: number, offset: number): void {
    const { internal, consumer, logger } = this.options;
    if (topic !== internal.ordersByCustomer && topic !== internal.hourlyPartials) return;
    const purgeable = this.purgeable.get(topic) ?? new Map<number, number>();
    purgeable.set(partition, offset);
    this.purgeable.set(topic, purgeable);
    const now = performance.now();
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    for (const [t, offsets] of this.purgeable) {
      const purge = [...offsets].map(([p, o]) => ({ partition: p, offset: o }));
      void consumer.deleteRecords(t, purge).catch((err: unknown) => logger.debug('purge failed; the next one will retry', { topic: t, error: String(err) }));
    }
    this.purgeable.clear();
  }

  /** Graceful stop: stop consuming, publish what is out, commit, disconnect. Windows stay open: they are re-read next time. */
  async stop(): Promise<void> {
    clearInterval(this.commitTimer);
    this.stopped = true;
    await this.options.consumer.pause();
    await this.commit();
    // Exactly once, a task whose transaction was under way then commits what came after it now.
    if (this.options.transactions !== undefined) await this.commit();
    for (const t of this.tasks.values()) t.close();
    for (const key of [...this.taskSinks.keys()]) this.closeTaskSink(key);
    this.deadLetterLog.close();
    await Promise.allSettled([this.options.consumer.stop(), this.options.sink.close(), ...this.closingSinks]);
  }

  /** Tear-down after a failure: no flush or commit, the next run re-reads from the last good commit. */
  async abort(): Promise<void> {
    clearInterval(this.commitTimer);
    this.stopped = true;
    for (const t of this.tasks.values()) t.close();
    for (const key of [...this.taskSinks.keys()]) this.closeTaskSink(key);
    this.deadLetterLog.close();
    await Promise.allSettled([this.options.consumer.stop(), this.options.sink.close({ flush: false }), ...this.closingSinks]);
  }
}
