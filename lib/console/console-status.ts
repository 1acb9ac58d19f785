import type { JobState, JobStatus, StatusReport } from '../service/status.js';
import type { BrokerProbe, BrokerReachability } from './broker-probe.js';
import type { GroupReport } from './group-watch.js';

/**
 * The job as the console shows it, sent as the `status` event: /status's report (its `state` widened by
 * the replay's two), plus what the page needs to say plainly what is wrong.
 */
export interface ConsoleStatus extends Omit<StatusReport, 'state' | 'internalTopics'> {
  /** What the console watches: the Kafka service, or a replay of a file (`replay --serve`). */
  readonly source: 'kafka' | 'replay';
  /** When this was taken, ms since the epoch: the page's "now" for how far watermarks trail. */
  readonly at: number;
  readonly state: JobState | 'replaying' | 'replayed';
  /** job.restartAttempts, for "restarting (attempt 2 of 3)"; null in a replay. */
  readonly restartAttempts: number | null;
  /** Whether the brokers answer; null in a replay. */
  readonly broker: BrokerReachability | null;
  /** Every instance of the group and what each owns, as the coordinator last said; null in a replay. */
  readonly group: GroupReport | null;
  /** The replay's file and progress; null for the service. */
  readonly replay: { readonly file: string; readonly records: number; readonly done: boolean } | null;
}

/** The Kafka service's status, read afresh on each call. */
export function serviceStatus(status: JobStatus, restartAttempts: number, probe: BrokerProbe, group: () => GroupReport | null = () => null, clock: () => number = Date.now): () => ConsoleStatus {
  return () => {
    const { internalTopics: _internal, ...report } = status.report();
    return { source: 'kafka', at: clock(), ...report, restartAttempts, broker: probe.reachability, group: group(), replay: null };
  };
}

/** A replay's progress, as the console's status: one partition (the file), read line by line. */
export class ReplayStatus {
  private records = 0;
  private done = false;
  private readonly startedAt: number;

  constructor(private readonly file: string, private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
  }

  onRecords(count: number): void {
    this.records += count;
  }

  onDone(): void {
    this.done = true;
  }

  readonly report = (): ConsoleStatus => {
    const now = this.clock();
    return {
      source: 'replay',
      at: now,
      state: this.done ? 'replayed' : 'replaying',
      processingGuarantee: 'at-least-once',
      ready: true,
      uptimeSeconds: Math.round((now - this.startedAt) / 100) / 10,
      restarts: 0,
      restartAttempts: null,
      lastError: null,
      watermark: null,
      partitions: [{ partition: 0, offset: this.records, lag: null, watermark: null, idle: this.done, held: 0, paused: false }],
      tasks: [],
      pendingOutputs: 0,
      broker: null,
      group: null,
      replay: { file: this.file, records: this.records, done: this.done },
    };
  };
}
