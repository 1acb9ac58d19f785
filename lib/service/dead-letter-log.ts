import type { Logger } from 'winston';
import type { DeadLetter, DeadLetterReason } from '../model/dead-letter.js';

/**
 * Logs dead letters without flooding: the first of each reason in full, then a count per reason at most
 * once per interval. Under a storm of bad records the log stays readable.
 */
export class DeadLetterLog {
  // Reasons already logged in full.
  private readonly seen = new Set<DeadLetterReason>();
  // Dead letters since the last summary, by reason.
  private counts = new Map<DeadLetterReason, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    intervalMs = 10_000,
  ) {
    this.timer = setInterval(() => this.summarise(), intervalMs);
    this.timer.unref();
  }

  record(letter: DeadLetter): void {
    if (!this.seen.has(letter.reason)) {
      this.seen.add(letter.reason);
      this.logger.warn(`dead letter (${letter.reason}): ${letter.detail}`, { partition: letter.source.partition, offset: letter.source.offset });
      return;
    }
    this.counts.set(letter.reason, (this.counts.get(letter.reason) ?? 0) + 1);
  }

  summarise(): void {
    if (this.counts.size === 0) return;
    this.logger.warn('more dead letters', { byReason: Object.fromEntries(this.counts) });
    this.counts = new Map();
  }

  close(): void {
    clearInterval(this.timer);
    this.summarise();
  }
}
