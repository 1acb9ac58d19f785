import type { PipelineOutput } from '../analytics/pipeline.js';
import { AnalyticsHistory, ALERTS_KEPT, HOURLY_WINDOWS_KEPT, TOP_CUSTOMERS } from './analytics-history.js';
import type { ConsoleStatus } from './console-status.js';
import { EventHub, type ServerEvent } from './event-hub.js';
import { THROUGHPUT_SECONDS, ThroughputHistory } from './throughput-history.js';

/** How often `status` and `throughput` go out. */
export const TICK_MS = 1_000;

/**
 * The console's side of the job: fed with the records read and every result and dead letter handed to
 * the sink (the same observers as the metrics), it keeps the bounded histories the page shows and tells
 * the clients of /events (see the README for the events and their payloads):
 * - at once: `hourly_sales` and `fraud_alert`, each message as published;
 * - once a second: `status`, `throughput` (the second just ended), and `top_customers` when it changed.
 * A client that connects first gets `snapshot`: all of it as it stands.
 */
export class ConsoleState {
  readonly hub: EventHub;
  private readonly throughput: ThroughputHistory;
  private readonly analytics = new AnalyticsHistory();
  // Top customers changed since the last tick.
  private topChanged = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly status: () => ConsoleStatus, clock: () => number = Date.now) {
    this.throughput = new ThroughputHistory(clock);
    this.hub = new EventHub(() => [{ event: 'snapshot', data: this.snapshot() }]);
  }

  /** Starts the once-a-second events; they stop with {@link close}. */
  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.hub.close();
  }

  onRecords(count: number): void {
    this.throughput.onRecords(count);
  }

  onOutput(output: PipelineOutput): void {
    if (output.kind === 'dead-letter') {
      this.throughput.onDeadLetter(output.reason);
      return;
    }
    const m = output.message;
    switch (m.type) {
      case 'hourly_sales':
        this.throughput.onResult(m.type);
        if (this.analytics.onHourlySales(m)) this.hub.broadcast({ event: 'hourly_sales', data: m });
        break;
      case 'customer_stats':
        // One for nearly every order: the list goes out at the next tick, not a message each.
        this.throughput.onResult(m.type);
        if (this.analytics.onCustomerStats(m)) this.topChanged = true;
        break;
      case 'fraud_alert':
        this.throughput.onResult(m.type, m.rule);
        if (this.analytics.onAlert(m)) this.hub.broadcast({ event: 'fraud_alert', data: m });
        break;
    }
  }

  /** Sends the once-a-second events now (the console's timer calls it; a replay that ends, too). */
  tick(): void {
    const events: ServerEvent[] = [
      { event: 'throughput', data: this.throughput.seal() },
      { event: 'status', data: this.status() },
    ];
    if (this.topChanged) events.push({ event: 'top_customers', data: this.analytics.topCustomers() });
    this.topChanged = false;
    for (const e of events) this.hub.broadcast(e);
  }

  /** Everything the page shows, as it stands: the `snapshot` event's payload. */
  snapshot() {
    return {
      status: this.status(),
      throughput: this.throughput.samples(),
      hourlySales: this.analytics.hourlySales(),
      topCustomers: this.analytics.topCustomers(),
      alerts: this.analytics.alerts(),
      limits: { throughputSeconds: THROUGHPUT_SECONDS, hourlyWindows: HOURLY_WINDOWS_KEPT, alerts: ALERTS_KEPT, topCustomers: TOP_CUSTOMERS },
    };
  }
}
