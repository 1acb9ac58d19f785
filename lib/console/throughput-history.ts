import { ALERT_RULES, OUTPUT_TYPES } from '../service/metrics.js';
import { DeadLetterReason } from '../model/dead-letter.js';
import { RingBuffer } from './ring-buffer.js';

/** What went through the job in one second of wall-clock time. */
export interface ThroughputSample {
  /** Start of the second, ms since the epoch. */
  readonly at: number;
  /** Records read and handed to the pipeline. */
  readonly recordsIn: number;
  /** Results handed to the sink, by type. */
  readonly outputs: Readonly<Record<(typeof OUTPUT_TYPES)[number], number>>;
  /** Fraud alerts, by rule (also counted in outputs.fraud_alert). */
  readonly alerts: Readonly<Record<(typeof ALERT_RULES)[number], number>>;
  /** Dead letters, by reason. */
  readonly deadLetters: Readonly<Record<DeadLetterReason, number>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? { -readonly [J in keyof T[K]]: T[K][J] } : T[K] };

/** 15 minutes of one-second samples: the charts' span, and all that is kept. */
export const THROUGHPUT_SECONDS = 900;

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * Counts per second of records in, results out and dead letters, for the console's live charts. The
 * second being counted is sealed by {@link seal} (the console calls it once a second) and joins the
 * last {@link THROUGHPUT_SECONDS}; older seconds are dropped.
 */
export class ThroughputHistory {
  private readonly sealed = new RingBuffer<ThroughputSample>(THROUGHPUT_SECONDS);
  // The second being counted.
  private current: Mutable<ThroughputSample>;

  constructor(private readonly clock: () => number = Date.now) {
    this.current = this.fresh();
  }

  onRecords(count: number): void {
    this.current.recordsIn += count;
  }

  onResult(type: (typeof OUTPUT_TYPES)[number], rule?: (typeof ALERT_RULES)[number]): void {
    this.current.outputs[type] += 1;
    if (rule !== undefined) this.current.alerts[rule] += 1;
  }

  onDeadLetter(reason: DeadLetterReason): void {
    this.current.deadLetters[reason] += 1;
  }

  /** Ends the second being counted, keeps it, and returns it. */
  seal(): ThroughputSample {
    const done = this.current;
    this.sealed.push(done);
    this.current = this.fresh();
    // Sealed early (a replay that ended), the next sample still starts a second of its own.
    if (this.current.at <= done.at) this.current.at = done.at + 1_000;
    return done;
  }

  /** The sealed seconds, oldest first. */
  samples(): ThroughputSample[] {
    return this.sealed.toArray();
  }

  private fresh(): Mutable<ThroughputSample> {
    return {
      at: Math.floor(this.clock() / 1_000) * 1_000,
      recordsIn: 0,
      outputs: zeros(OUTPUT_TYPES),
      alerts: zeros(ALERT_RULES),
      deadLetters: zeros(Object.keys(DeadLetterReason.keys) as DeadLetterReason[]),
    };
  }
}
