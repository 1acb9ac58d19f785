import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DeadLetterReason } from '../model/dead-letter.js';

/**
 * Every metric the service exposes on /metrics, declared once here with its help text. Each service gets
 * its own registry (not prom-client's global one), so tests can make several and nothing leaks between
 * them. Names follow Prometheus conventions: base units (seconds), `_total` for counters.
 */

const PREFIX = 'stream_processor_';

export const OUTPUT_TYPES = ['hourly_sales', 'customer_stats', 'fraud_alert'] as const;
export const ALERT_RULES = ['high_amount', 'velocity'] as const;
/** The latency histogram's `type` label: an analytics type, or a dead letter. */
export const LATENCY_TYPES = [...OUTPUT_TYPES, 'dead_letter'] as const;

export type ServiceMetrics = ReturnType<typeof createMetrics>;

/**
 * @param watermarkNow the pipeline's watermark now (ms of event time; not finite before the first),
 *   read at scrape time for the lag behind the wall clock.
 * @param heldNow orders the pipeline holds back now, by partition, read at scrape time.
 */
export function createMetrics(watermarkNow: () => number, wallClock: () => number = Date.now, heldNow: () => ReadonlyArray<readonly [number, number]> = () => []) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const metrics = {
    registry,
    recordsIn: new Counter({
      name: `${PREFIX}records_in_total`,
      help: 'Records read from the input topic and handed to the pipeline (valid or not), by partition.',
      labelNames: ['partition'] as const,
      registers,
    }),
    outputs: new Counter({
      name: `${PREFIX}outputs_total`,
      help: 'Analytics results handed to the sink, by type (hourly_sales, customer_stats, fraud_alert).',
      labelNames: ['type'] as const,
      registers,
    }),
    fraudAlerts: new Counter({
      name: `${PREFIX}fraud_alerts_total`,
      help: 'Fraud alerts handed to the sink, by rule (high_amount, velocity); also counted in outputs_total.',
      labelNames: ['rule'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: `${PREFIX}dead_letters_total`,
      help: 'Records set aside to the dead-letter topic, by reason (too_large, not_json, invalid, late, too_far_ahead).',
      labelNames: ['reason'] as const,
      registers,
    }),
    lateRecords: new Counter({
      name: `${PREFIX}late_records_total`,
      help: 'Valid orders that came after the watermark had passed their window, by partition (dead letters of reason late).',
      labelNames: ['partition'] as const,
      registers,
    }),
    watermark: new Gauge({
      name: `${PREFIX}watermark_ms`,
      help: 'The pipeline\'s event-time watermark, ms since the epoch (absent until the first watermark).',
      registers,
    }),
    watermarkLag: new Gauge({
      name: `${PREFIX}watermark_lag_ms`,
      help: 'Wall clock minus the watermark, ms, at scrape time: how far event time trails real time (large when replaying old data).',
      registers,
      collect() {
        const w = watermarkNow();
        if (Number.isFinite(w)) this.set(wallClock() - w);
      },
    }),
    consumerLag: new Gauge({
      name: `${PREFIX}consumer_lag`,
      help: 'Records in the partition not read yet (its high watermark minus the next offset to read), as of the last fetch.',
      labelNames: ['partition'] as const,
      registers,
    }),
    heldRecords: new Gauge({
      name: `${PREFIX}held_records`,
      help: 'Valid orders read from the partition that wait for the other partitions\' next records (orders of several partitions are taken in event-time order), at scrape time.',
      labelNames: ['partition'] as const,
      registers,
      collect() {
        this.reset();
        for (const [partition, count] of heldNow()) this.set({ partition }, count);
      },
    }),
    openWindows: new Gauge({
      name: `${PREFIX}open_windows`,
      help: 'Customer-stats windows open (not fired yet).',
      registers,
    }),
    openPanes: new Gauge({
      name: `${PREFIX}open_panes`,
      help: 'Per-customer accumulators held over all open customer-stats windows.',
      registers,
    }),
    liveKeys: new Gauge({
      name: `${PREFIX}live_keys`,
      help: 'Customers the velocity rule holds state for.',
      registers,
    }),
    restarts: new Counter({
      name: `${PREFIX}restarts_total`,
      help: 'Restarts of the pipeline after a failure (not counting rebalances).',
      registers,
    }),
    transactions: new Counter({
      name: `${PREFIX}transactions_total`,
      help: 'Kafka transactions of the tasks (exactly-once), by outcome: committed, or aborted (a task moved away or stopped with output not committed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    outputLatency: new Histogram({
      name: `${PREFIX}output_latency_seconds`,
      help: 'Time from a batch being handed to the pipeline to each output it caused being handed to the sink, by type (outputs fired by idleness timers are not counted).',
      labelNames: ['type'] as const,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    }),
  };

  // Known label values start at zero, so that a rate() sees the first increase and dashboards show 0, not "no data".
  for (const type of OUTPUT_TYPES) metrics.outputs.inc({ type }, 0);
  for (const rule of ALERT_RULES) metrics.fraudAlerts.inc({ rule }, 0);
  for (const reason of Object.keys(DeadLetterReason.keys)) metrics.deadLetters.inc({ reason }, 0);
  metrics.restarts.inc(0);
  for (const outcome of ['committed', 'aborted'] as const) metrics.transactions.inc({ outcome }, 0);
  return metrics;
}
