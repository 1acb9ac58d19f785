import type { GroupMember, GroupView } from '../io/ports.js';

/** How often the group is described: a rebalance shows within this. */
export const GROUP_INTERVAL_MS = 3_000;

/** The group as the console last saw it. */
export interface GroupReport {
  /** The group's state, null before the first answer. */
  readonly state: string | null;
  /** Every instance in the group and the partitions it owns (the last answer: kept while the broker is away). */
  readonly members: readonly GroupMember[];
  /** When the last answer came (ms since the epoch), null before one. */
  readonly at: number | null;
  /** Why the last question failed, null when it did not. */
  readonly error: string | null;
}

/**
 * Asks the group coordinator every {@link GROUP_INTERVAL_MS} who is in the group and what each member
 * owns, so that each instance's console shows the others too. One question at a time; what it keeps is
 * the last answer, replaced, never accumulated.
 */
export class GroupWatch {
  private last: GroupReport = { state: null, members: [], at: null, error: null };
  private timer: NodeJS.Timeout | undefined;
  private asking = false;

  constructor(private readonly view: GroupView, private readonly clock: () => number = Date.now) {}

  get report(): GroupReport {
    return this.last;
  }

  start(): void {
    void this.ask();
    this.timer = setInterval(() => void this.ask(), GROUP_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.view.close();
  }

  /** Asks once now (the timer does; a test may). */
  async ask(): Promise<void> {
    if (this.asking) return;
    this.asking = true;
    try {
      const { state, members } = await this.view.describe();
      this.last = { state, members, at: this.clock(), error: null };
    } catch (err) {
      this.last = { ...this.last, error: err instanceof Error ? err.message : String(err) };
    } finally {
      this.asking = false;
    }
  }
}
