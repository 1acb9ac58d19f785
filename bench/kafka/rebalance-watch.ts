import type { Snapshot, TaskKey, TaskSeen } from './fleet.js';

/**
 * What one membership change (an instance joining, leaving with SIGTERM, or killed) costs, read off the
 * members' `/status` polled every few tens of milliseconds:
 *
 * - back in service: from the change until every task the group had before is again at a running
 *   member, settled, and at least as far as it was last seen at its old owner. For a task that moved
 *   this includes the rebalance, its restore (re-reading its partition from the last commit, an hour of
 *   state or so) and catching up with where its old owner had got to;
 * - moved: the tasks that changed owner, each with its own time back and the records it re-read (from
 *   where its new owner resumed to where it was last seen at its old one);
 * - the longest stall of the input partitions that stayed where they were and still had records to read
 *   (kafkajs rebalances eagerly: every member stops fetching while the group rebalances).
 */
export interface ChangeReport {
  readonly label: string;
  /** ms from the change to all tasks back in service; undefined if they never were within the limit. */
  readonly backMs: number | undefined;
  readonly moved: ReadonlyArray<{ key: TaskKey; kind: TaskSeen['kind']; backMs: number | undefined; reread: number | undefined }>;
  readonly keptInputStallMs: number | undefined;
  /** Tasks per member (by its number, from 1) before the change and once all were back. */
  readonly owners: { readonly before: string; readonly after: string };
  /** Tasks still not back when the watch gave up. */
  readonly missing: readonly TaskKey[];
}

export class RebalanceWatch {
  private readonly before: ReadonlyMap<TaskKey, TaskSeen>;
  private readonly movedAt = new Map<TaskKey, number>();
  private readonly backAt = new Map<TaskKey, number>();
  private readonly kinds = new Map<TaskKey, TaskSeen['kind']>();
  // Each task's offset as last seen at the member that had it before the change: where a moved task's
  // new owner must get back to (the old one goes on until the rebalance takes the task away).
  private readonly lastAtOwner = new Map<TaskKey, number>();
  private doneAt: number | undefined;
  private latest: ReadonlyMap<TaskKey, TaskSeen>;
  // Kept input partitions: when their summed offset last moved, and the longest gap between moves.
  private keptSum: number | undefined;
  private keptMovedAt: number;
  private longestStall = 0;
  private sawKeptWork = false;

  /**
   * `last`: the snapshot just before the change, taken at `startedAt` (monoMs); `happened` tells whether
   * the change has taken effect from the group's point of view (the new member holds tasks, the old one
   * has exited), so that "nothing moved yet" is not mistaken for "all back".
   */
  constructor(
    readonly label: string,
    last: Snapshot,
    readonly startedAt: number,
    private readonly inputTopic: string,
    private readonly inputEnds: ReadonlyMap<TaskKey, number>,
    private readonly happened: (seen: Snapshot) => boolean,
  ) {
    this.before = last.tasks;
    this.latest = last.tasks;
    for (const [key, t] of last.tasks) {
      this.kinds.set(key, t.kind);
      this.lastAtOwner.set(key, t.offset);
    }
    this.keptMovedAt = startedAt;
  }

  get done(): boolean {
    return this.doneAt !== undefined;
  }

  observe(seen: Snapshot): void {
    if (this.doneAt !== undefined) return;
    this.latest = seen.tasks;
    let allBack = true;
    let keptSum = 0;
    let keptWork = false;
    for (const [key, was] of this.before) {
      const now = seen.tasks.get(key);
      if (now !== undefined && now.instance === was.instance && !this.movedAt.has(key)) this.lastAtOwner.set(key, now.offset);
      if (now === undefined || now.instance !== was.instance) this.movedAt.set(key, this.movedAt.get(key) ?? seen.at);
      const back = now !== undefined && now.settled && now.offset >= (this.lastAtOwner.get(key) ?? was.offset);
      if (back && this.movedAt.has(key) && !this.backAt.has(key)) this.backAt.set(key, seen.at);
      if (!back) allBack = false;
      if (key.startsWith(`${this.inputTopic}:`) && !this.movedAt.has(key) && now !== undefined) {
        keptSum += now.offset;
        if (now.offset < (this.inputEnds.get(key) ?? Infinity)) keptWork = true;
      }
    }
    if (this.keptSum !== undefined && keptSum !== this.keptSum) {
      this.longestStall = Math.max(this.longestStall, seen.at - this.keptMovedAt);
      this.keptMovedAt = seen.at;
    } else if (!keptWork) {
      // At their end: waiting is not a stall.
      this.keptMovedAt = seen.at;
    }
    if (keptWork) this.sawKeptWork = true;
    this.keptSum = keptSum;
    if (allBack && this.happened(seen)) {
      this.doneAt = seen.at;
      if (keptWork) this.longestStall = Math.max(this.longestStall, seen.at - this.keptMovedAt);
    }
  }

  /** `resumedAt`: the offset each moved task's new owner resumed from (its log), to count what it re-read. */
  report(resumedAt: (key: TaskKey) => number | undefined): ChangeReport {
    const moved = [...this.movedAt.keys()].map((key) => {
      const from = resumedAt(key);
      const was = this.lastAtOwner.get(key);
      const back = this.backAt.get(key);
      return {
        key,
        kind: this.kinds.get(key) ?? 'source',
        backMs: back === undefined ? undefined : back - this.startedAt,
        reread: from === undefined || was === undefined ? undefined : Math.max(0, was - from),
      };
    });
    return {
      label: this.label,
      backMs: this.doneAt === undefined ? undefined : this.doneAt - this.startedAt,
      moved,
      owners: { before: ownersOf(this.before), after: ownersOf(this.latest) },
      keptInputStallMs: this.sawKeptWork ? this.longestStall : undefined,
      missing: this.doneAt !== undefined ? [] : [...this.before.keys()].filter((k) => this.movedAt.has(k) && !this.backAt.has(k)),
    };
  }
}

/** "#1: 3, #2: 4": how many tasks each member holds. */
function ownersOf(tasks: ReadonlyMap<TaskKey, TaskSeen>): string {
  const n = new Map<number, number>();
  for (const t of tasks.values()) n.set(t.instance, (n.get(t.instance) ?? 0) + 1);
  return [...n].sort(([a], [b]) => a - b).map(([i, count]) => `#${i + 1}: ${count}`).join(', ');
}
