import type { Admin } from 'kafkajs';
import { internalTopics } from '../../lib/runtime/internal-topics.js';
import type { StatusReport, TaskReport } from '../../lib/service/status.js';
import { endOffsets, monoMs } from './common.js';
import type { ServiceProcess } from './processes.js';

/**
 * Several `main.js run` processes of one group, seen from outside as an operator would: through each
 * one's `/status`. The bench learns from it when the work is done (every partition of the input and of
 * the internal topics read to its end by its task, nothing left to publish) and who owns which task at
 * any moment (for the rebalance measures).
 */

/** `topic:partition` of a task. */
export type TaskKey = string;

export interface TaskSeen {
  readonly instance: number;
  readonly offset: number;
  readonly settled: boolean;
  readonly kind: TaskReport['kind'];
}

export interface Snapshot {
  /** monoMs() when every instance had answered. */
  readonly at: number;
  readonly tasks: ReadonlyMap<TaskKey, TaskSeen>;
  readonly pendingOutputs: number;
  /** Instances that did not answer (not listening yet, or gone). */
  readonly silent: readonly number[];
}

export const taskKey = (topic: string, partition: number): TaskKey => `${topic}:${partition}`;

export class Fleet {
  readonly topics: readonly string[];

  constructor(
    readonly members: ServiceProcess[],
    readonly input: string,
    groupId: string,
  ) {
    const internal = internalTopics(groupId);
    this.topics = [input, internal.ordersByCustomer, internal.hourlyPartials];
  }

  get running(): ServiceProcess[] {
    return this.members.filter((m) => m.running);
  }

  /** Every running member's `/status`, merged: a task seen at two members (mid-rebalance) counts at the furthest. */
  async snapshot(): Promise<Snapshot> {
    const tasks = new Map<TaskKey, TaskSeen>();
    const silent: number[] = [];
    let pendingOutputs = 0;
    await Promise.all(
      this.members.map(async (m, instance) => {
        if (!m.running) return;
        if (m.httpPort === undefined) {
          silent.push(instance);
          return;
        }
        let report: StatusReport;
        try {
          report = (await (await fetch(`http://127.0.0.1:${m.httpPort}/status`)).json()) as StatusReport;
        } catch {
          silent.push(instance);
          return;
        }
        pendingOutputs += report.pendingOutputs;
        for (const t of report.tasks) {
          const key = taskKey(t.topic, t.partition);
          const other = tasks.get(key);
          if (other === undefined || other.offset < t.offset) tasks.set(key, { instance, offset: t.offset, settled: t.settled, kind: t.kind });
        }
      }),
    );
    return { at: monoMs(), tasks, pendingOutputs, silent };
  }

  /** The end offsets of the input and internal topics, by task key. */
  async ends(admin: Admin): Promise<Map<TaskKey, number>> {
    const ends = new Map<TaskKey, number>();
    for (const topic of this.topics) for (const [p, end] of await endOffsets(admin, topic)) ends.set(taskKey(topic, p), end);
    return ends;
  }

  /**
   * Whether all work is done: every running member answered with nothing left to publish, and every
   * partition of the three topics has a settled task at its end. The ends are read after the statuses,
   * so a record written meanwhile makes the answer "not yet", never a false "done".
   */
  async drained(admin: Admin): Promise<boolean> {
    const seen = await this.snapshot();
    if (seen.silent.length > 0 || seen.pendingOutputs > 0) return false;
    const ends = await this.ends(admin);
    return [...ends].every(([key, end]) => {
      const t = seen.tasks.get(key);
      return t !== undefined && t.settled && t.offset >= end;
    });
  }

  /** Records the input's tasks have read, over every member. */
  static inputProgress(seen: Snapshot, input: string): number {
    let n = 0;
    for (const [key, t] of seen.tasks) if (key.startsWith(`${input}:`) && t.kind === 'source') n += t.offset;
    return n;
  }
}
