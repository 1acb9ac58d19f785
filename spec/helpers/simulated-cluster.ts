import type { PipelineOutput } from '../../lib/analytics/pipeline.js';
import type { AnalyticsSettings } from '../../lib/analytics/settings.js';
import type { GroupRecord, OutgoingMessage, OwnedPartition, TransactionalCommit, TransactionalSink } from '../../lib/io/ports.js';
import { Prng } from '../../lib/io/prng.js';
import type { OutputTopics } from '../../lib/io/serialize.js';
import { combinerTaskRunner } from '../../lib/runtime/combiner-task-runner.js';
import { customerTaskRunner } from '../../lib/runtime/customer-task-runner.js';
import { internalTopics, type InternalTopics } from '../../lib/runtime/internal-topics.js';
import type { LocalLane } from '../../lib/runtime/local-lane.js';
import { sourceTaskRunner } from '../../lib/runtime/source-task-runner.js';
import type { Task, TaskContext } from '../../lib/runtime/task.js';
import { customerPartition } from '../../lib/topology/customer-partition.js';
import { isSentinelResult, sentinel } from './recording.js';

/**
 * The exactly-once runtime in memory, to find by the thousand what a real broker finds once a night: the
 * real task runners (source, customer, combiner) over logs held in arrays, each unit (a source task and the
 * customer task beside it, linked by their local lane; or the combiner) with a transactional sink whose
 * commit appends its messages and its offsets (with the restore metadata) at once, as a Kafka transaction
 * does for read_committed readers. An aborted transaction leaves holes in the offsets, as its
 * records and markers do in a real log; a commit leaves one for its marker.
 *
 * What the simulation decides, from its seed, is what a broker and a group decide: which task reads next
 * and how much, when tasks commit, and when some or all units die (their open transactions aborted) and
 * start again from the group's commit. What it does not model is Kafka itself (fetch sessions, fencing
 * requests): the real-broker specs do that.
 */

interface LogRecord {
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** One partition's visible records (committed ones), and the next offset to be written (holes included). */
class Partition {
  readonly records: LogRecord[] = [];
  end = 0;
  low = 0;

  append(message: { key: string | null; value: Buffer | string | null; headers?: Readonly<Record<string, string>> }): void {
    const value = typeof message.value === 'string' ? Buffer.from(message.value) : message.value;
    this.records.push({ offset: this.end++, key: message.key, value, headers: message.headers ?? {} });
  }

  /** Offsets no reader sees: an aborted transaction's records, or a commit marker. */
  skip(n: number): void {
    this.end += n;
  }

  /** Up to `max` records from `position`, and where the reader stands after them (holes after them included). */
  read(position: number, max: number): { records: LogRecord[]; end: number } {
    let i = lowerBound(this.records, position);
    const records: LogRecord[] = [];
    for (; i < this.records.length && records.length < max; i++) records.push(this.records[i]!);
    const end = i < this.records.length ? this.records[i]!.offset : this.end;
    return { records, end: Math.max(position, end) };
  }
}

function lowerBound(records: readonly LogRecord[], offset: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (records[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SimulationPlan {
  readonly seed: number;
  /** Input lines, produced a few at a time between steps. */
  readonly lines: readonly string[];
  /**
   * What the lines are keyed by, as `produce --key` does: `orderId` (the default) sends most orders of a
   * partition to other partitions' customer tasks; `customerId` keeps them all in the local lane.
   */
  readonly keyBy?: 'orderId' | 'customerId';
  readonly partitions: number;
  readonly settings: AnalyticsSettings;
  /** Chance, at each step, that every task dies (an instance killed) and that a few do (a rebalance). */
  readonly killAll: number;
  readonly killSome: number;
  /** Chance, at each step, of a commit of every task (the runtime's commit cycle). */
  readonly commit: number;
  /**
   * Exactly once (the default): a task's output and its commit become visible together. At least once:
   * output is visible as it is sent, and a commit (made once all is sent, as the runtime flushes first)
   * only moves the group's offset; a task that dies sends again what came after its commit.
   */
  readonly guarantee?: 'exactly-once' | 'at-least-once';
  /** Told what happens, step by step, for a failure's investigation. */
  readonly trace?: (line: string) => void;
}

export interface SimulationResult {
  /** What read_committed readers of the output topics see: analytics JSON, and dead letters as `reason|raw`. */
  readonly analytics: string[];
  readonly deadLetters: string[];
  readonly kills: number;
  readonly commits: number;
  readonly steps: number;
}

const TOPICS: OutputTopics = { inputTopic: 'orders', outputTopic: 'analytics', deadLetterTopic: 'dead-letters' };

/** Runs the plan to its end: every line produced and read, every task caught up and committed. */
export async function simulate(plan: SimulationPlan): Promise<SimulationResult> {
  const rng = new Prng(plan.seed);
  const internal: InternalTopics = internalTopics('sim');
  const topics = new Map<string, Partition[]>();
  const partitionsOf = (topic: string): Partition[] => {
    let p = topics.get(topic);
    if (p === undefined) topics.set(topic, (p = Array.from({ length: topic === internal.hourlyPartials || topic === TOPICS.outputTopic || topic === TOPICS.deadLetterTopic ? 1 : plan.partitions }, () => new Partition())));
    return p;
  };
  // Where a message lands: its own partition, or by its key as Kafka's default partitioner puts it.
  const partitionFor = (m: OutgoingMessage): Partition => {
    const parts = partitionsOf(m.topic);
    return parts[m.partition ?? (m.key === null ? 0 : customerPartition(m.key, parts.length))]!;
  };
  const groupCommits = new Map<string, { offset: number; metadata: string }>();
  const key = (topic: string, partition: number): string => `${topic}:${partition}`;

  /** A task's transactional sink: its messages become visible, with its commit, only when it commits. */
  const transactionalSink = (): TransactionalSink & { abort(): void } => {
    let open: OutgoingMessage[] = [];
    let handed = 0;
    let published = 0;
    const counts = { committed: 0, aborted: 0 };
    const write = (m: OutgoingMessage): Partition => {
      const p = partitionFor(m);
      p.append(m);
      return p;
    };
    return {
      send(message) {
        if (plan.guarantee === 'at-least-once') {
          write(message);
          handed += 1;
          published = handed;
          return;
        }
        if (message.topic !== internal.ordersByCustomer && message.topic !== internal.hourlyPartials) plan.trace?.(`  sends ${message.headers?.reason ?? ''} ${String(message.value).slice(0, 120)}`);
        open.push(message);
        handed += 1;
      },
      pending: () => handed - published,
      sent: () => handed,
      flush: async () => undefined,
      // A task waiting for its output to go out: the runtime's commit cycle may run meanwhile, mid-batch.
      belowBound: async () => {
        if (rng.chance(0.5)) await commitAll(true);
      },
      onFailure: () => undefined,
      close: async () => undefined,
      counts,
      async commit(entries: TransactionalCommit | readonly TransactionalCommit[]) {
        const touched = new Set<Partition>(open.map(write));
        open = [];
        published = handed;
        for (const entry of Array.isArray(entries) ? entries : [entries as TransactionalCommit]) groupCommits.set(key(entry.topic, entry.partition), { offset: entry.offset, metadata: entry.metadata });
        for (const p of touched) p.skip(1);
        counts.committed += 1;
      },
      abort() {
        // Its records took offsets in their partitions; read_committed readers skip them.
        const taken = new Map<Partition, number>();
        for (const m of open) {
          const p = partitionFor(m);
          taken.set(p, (taken.get(p) ?? 0) + 1);
        }
        for (const [p, n] of taken) p.skip(n + 1);
        open = [];
        counts.aborted += 1;
      },
    };
  };

  interface Running {
    readonly topic: string;
    readonly partition: number;
    /** Its unit: the source task and the customer task of one number, or the combiner alone. */
    readonly unit: string;
    task: Task;
    sink: ReturnType<typeof transactionalSink>;
    position: number;
  }

  const input = partitionsOf(TOPICS.inputTopic);
  partitionsOf(internal.ordersByCustomer);
  partitionsOf(internal.hourlyPartials);
  const ends = async (): Promise<ReadonlyMap<number, number>> => new Map(input.map((p, i) => [i, p.end]));

  const unitOf = (topic: string, partition: number): string => (topic === internal.hourlyPartials ? key(topic, partition) : `task ${partition}`);

  /** Starts the tasks of a unit, on one sink: the customer task first, then the source task handing it its lane. */
  const startUnit = (unit: string): Running[] => {
    const sink = transactionalSink();
    if (unit === key(internal.hourlyPartials, 0)) return [start(internal.hourlyPartials, 0, sink)];
    const partition = Number(unit.slice('task '.length));
    const customer = start(internal.ordersByCustomer, partition, sink);
    return [start(TOPICS.inputTopic, partition, sink, (customer.task as Task & { local: LocalLane }).local), customer];
  };

  const start = (topic: string, partition: number, sink: ReturnType<typeof transactionalSink>, local?: LocalLane): Running => {
    const context: TaskContext = {
      analytics: plan.settings,
      sink,
      topics: TOPICS,
      internal,
      inputPartitions: plan.partitions,
      // Low, so that tasks wait mid-batch (see belowBound).
      maxPendingOutputs: 3,
      onOutput: (_: PipelineOutput) => undefined,
      observer: {},
      inputEnds: ends,
    };
    const log = partitionsOf(topic)[partition]!;
    const committed = groupCommits.get(key(topic, partition));
    const owned: OwnedPartition = {
      topic,
      partition,
      committed: { partition, offset: committed?.offset ?? -1, metadata: committed?.metadata ?? null },
      low: log.low,
      high: log.end,
    };
    plan.trace?.(`start ${topic}:${partition} at ${owned.committed.offset} ${owned.committed.metadata ?? ''}`);
    const task =
      topic === TOPICS.inputTopic
        ? sourceTaskRunner(owned, context, local)
        : topic === internal.ordersByCustomer
          ? customerTaskRunner(owned, context, { openWindows: 0, openPanes: 0, liveKeys: 0 }, { local: true })
          : combinerTaskRunner(owned, context);
    return { topic, partition, unit: unitOf(topic, partition), task, sink, position: Math.max(task.next, log.low) };
  };

  const units = [...Array.from({ length: plan.partitions }, (_, partition) => `task ${partition}`), key(internal.hourlyPartials, 0)];
  let running = units.flatMap(startUnit);

  // Microtasks and timers the tasks queued (a customer task's question of where the input ends) run out.
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** Units die whole (their tasks share a process and a transaction). */
  const restart = (victims: readonly string[]): void => {
    const dying = running.filter((r) => victims.includes(r.unit));
    for (const v of dying) v.task.close();
    for (const sink of new Set(dying.map((v) => v.sink))) sink.abort();
    running = running.filter((r) => !victims.includes(r.unit)).concat(victims.flatMap(startUnit));
  };

  let commits = 0;
  let lastCommits = new Map<string, string>();
  /**
   * A commit cycle: every unit's entries at once (a source task's before the customer task's, as the
   * runtime takes them), then each unit's transaction; `some`, as units on their own cycles, only some.
   */
  const commitAll = async (some = false): Promise<void> => {
    const byUnit = units.map((unit) => {
      const tasks = running.filter((r) => r.unit === unit);
      return { tasks, entries: tasks.map((r) => ({ r, entry: r.task.commitEntry()! })) };
    });
    const changed = byUnit.filter(
      ({ tasks, entries }) =>
        (entries.some(({ r, entry }) => lastCommits.get(key(r.topic, r.partition)) !== JSON.stringify(entry)) || tasks[0]!.sink.pending() > 0) && (!some || rng.chance(0.6)),
    );
    for (const { entries } of changed) for (const { r, entry } of entries) plan.trace?.(`commit ${r.topic}:${r.partition} at ${entry.offset} ${entry.metadata}`);
    for (const { tasks, entries } of changed) {
      await tasks[0]!.sink.commit(entries.map(({ r, entry }) => ({ topic: r.topic, partition: r.partition, offset: entry.offset, metadata: entry.metadata })));
    }
    for (const { entries } of changed) for (const { r, entry } of entries) lastCommits.set(key(r.topic, r.partition), JSON.stringify(entry));
    commits += 1;
    // Purge the internal topics below their last commits now and then, as the runtime does.
    if (commits % 5 === 0) {
      for (const [k, text] of lastCommits) {
        const [topic, partition] = [k.slice(0, k.lastIndexOf(':')), Number(k.slice(k.lastIndexOf(':') + 1))];
        if (topic === TOPICS.inputTopic) continue;
        const log = partitionsOf(topic)[partition]!;
        log.low = Math.max(log.low, (JSON.parse(text) as { offset: number }).offset);
      }
    }
  };

  const readable = (r: Running): boolean => {
    const log = partitionsOf(r.topic)[r.partition]!;
    return r.position < log.end;
  };

  const fetch = async (r: Running, max: number): Promise<void> => {
    const log = partitionsOf(r.topic)[r.partition]!;
    r.position = Math.max(r.position, log.low);
    const { records, end } = log.read(r.position, max);
    const groupRecords: GroupRecord[] = records.map((x) => ({ kind: 'record', partition: r.partition, offset: x.offset, value: x.value, key: x.key === null ? null : Buffer.from(x.key), headers: x.headers }));
    const task = r.task;
    plan.trace?.(`fetch ${r.topic}:${r.partition} ${r.position}..${end} (${records.length})`);
    r.position = end;
    await task.handle({ topic: r.topic, partition: r.partition, records: groupRecords, caughtUp: end >= log.end, highWatermark: log.end, end });
  };

  let produced = 0;
  let sentinels = false;
  const produce = (n: number): void => {
    if (produced === plan.lines.length) {
      // Last, an order far ahead in each partition: it closes every window (see the Kafka specs' sentinels).
      if (!sentinels) input.forEach((p, i) => p.append({ key: null, value: sentinel(i) }));
      sentinels = true;
      return;
    }
    for (const line of plan.lines.slice(produced, produced + n)) {
      const k = keyOf(line, plan.keyBy ?? 'orderId');
      const p = k === null ? 0 : customerPartition(k, plan.partitions);
      input[p]!.append({ key: k, value: line });
    }
    produced = Math.min(plan.lines.length, produced + n);
  };

  let kills = 0;
  let steps = 0;
  // Until all is produced, read and committed, and nothing is left to move.
  for (let quiet = 0; quiet < 3; steps++) {
    if (!sentinels && rng.chance(0.3)) produce(rng.int(1, 40));
    if (rng.chance(plan.killAll)) {
      kills += 1;
      restart(units);
    } else if (rng.chance(plan.killSome)) {
      kills += 1;
      restart(units.filter(() => rng.chance(0.4)));
    }
    const candidates = running.filter(readable);
    if (candidates.length > 0) {
      await fetch(candidates[rng.int(0, candidates.length - 1)]!, rng.chance(0.2) ? 1_000 : rng.int(1, 30));
    }
    await settle();
    if (candidates.length === 0) await commitAll();
    else if (rng.chance(plan.commit)) await commitAll(rng.chance(0.5));
    await settle();
    const idle = sentinels && running.every((r) => !readable(r) && r.sink.pending() === 0);
    quiet = idle ? quiet + 1 : 0;
    if (steps > 2_000_000) throw new Error('the simulation does not settle');
  }
  for (const r of running) r.task.close();

  const values = (topic: string): LogRecord[] => partitionsOf(topic).flatMap((p) => p.records);
  return {
    analytics: values(TOPICS.outputTopic).map((r) => r.value!.toString()).filter((v) => !isSentinelResult(v)),
    deadLetters: values(TOPICS.deadLetterTopic).map((r) => `${r.headers.reason}|${r.value?.toString() ?? ''}`),
    kills,
    commits,
    steps,
  };
}

function keyOf(line: string, field: 'orderId' | 'customerId'): string | null {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    const k = v[field];
    return typeof k === 'string' ? k : null;
  } catch {
    return null;
  }
}
