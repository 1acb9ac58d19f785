/**
 * `stream-processor`: the package's public API. Everything a program may import is re-exported here (and
 * marble-test helpers from `stream-processor/testing`); the rest of dist/ is internal and unreachable
 * through the package's `exports`, free to change.
 */

// The pipeline: source events in, analytics and dead letters out.
export { analyticsPipeline, type PipelineObserver, type PipelineOptions, type PipelineOutput, type RestorePoint } from './analytics/pipeline.js';
export { DEFAULT_ANALYTICS_SETTINGS, type AnalyticsSettings } from './analytics/settings.js';

// Its building blocks: the rules and windows it composes.
export { highAmountAlerts } from './analytics/high-amount.js';
export { newVelocityState, velocityAlerts, velocityStep, type VelocityOptions, type VelocityState } from './analytics/velocity.js';
export { hourlySalesWindow } from './analytics/hourly-sales.js';
export { customerStatsWindow } from './analytics/customer-stats.js';
export { orderTotals, type OrderTotals } from './analytics/order-totals.js';

// Event-time operators.
export { NO_WATERMARK, isRecord, record, watermark, type StreamElement, type TimestampedRecord, type Watermark } from './operators/stream-element.js';
export { assignWatermarks, type AssignWatermarksOptions, type PartitionWatermark } from './operators/assign-watermarks.js';
export { boundedOutOfOrderness, type WatermarkGenerator } from './operators/watermark-generator.js';
export { tumblingWindows, type TimeWindow, type WindowAssigner } from './operators/window-assigner.js';
export { eventTimeTrigger, type Trigger } from './operators/trigger.js';
export type { AggregateFunction } from './operators/aggregate-function.js';
export { windowAggregate, type WindowSpec } from './operators/window-aggregate.js';
export { isLate, lateRecords } from './operators/late-records.js';
export { inEventTimeOrder, type EventTimeOrderOptions } from './operators/in-event-time-order.js';
export { scanByKey, type ScanByKeyOptions } from './operators/scan-by-key.js';
export { partitionGroup, type HeldRecords, type PartitionGroupOptions } from './operators/partition-group.js';
export { rejectFarAhead, type RejectFarAheadOptions } from './operators/reject-far-ahead.js';

// The model: io-ts codecs (values) with their types, and the formats of the output.
export { Amount, EpochMillis, MAX_TIMESTAMP, NonEmptyString, Order } from './model/order.js';
export {
  Analytics,
  CustomerStats,
  FraudAlert,
  HighAmountAlert,
  HourlySales,
  VelocityAlert,
  analyticsKey,
  analyticsOutput,
  type AnalyticsOutput,
  type AnalyticsType,
} from './model/analytics.js';
export { DeadLetterReason, deadLetter, isDeadLetter, type DeadLetter } from './model/dead-letter.js';
export { MAX_RECORD_BYTES, decodeOrder, describeErrors, isOrderRecord, type OrderRecord } from './model/decode-order.js';
export { isPartitionStatus, type PartitionStatus, type SourceEvent, type SourcePosition, type SourceRecord } from './model/source.js';
export { addAmount, emptySum, toDollars, type MoneySum } from './model/money.js';
export { formatSpan, formatWindowTime } from './model/window-time.js';
export { analyticsJson, deadLetterLine, toOutgoing, type OutputTopics } from './io/serialize.js';

// Ports: where a source or a sink plugs in, and the job that runs the pipeline between them (the Kafka
// service's own run, with its commits and backpressure, over any source and sink).
export type { AssignedPartition, CommittedOffset, GroupBatch, GroupConsumer, GroupRecord, OutgoingMessage, OwnedPartition, RecordSink, SourceBatch, TopicAdmin } from './io/ports.js';
export { StreamRuntime, type StreamRuntimeOptions } from './runtime/stream-runtime.js';
export { localTopology } from './topology/local-topology.js';
export { sourceTask } from './topology/source-task.js';
export { customerTask } from './topology/customer-task.js';
export { hourlyCombiner } from './topology/hourly-combiner.js';
export type { JobSettings } from './service/config.js';
export { createLogger, type LogLevel } from './service/logger.js';
export { readRecording, type RecordingOptions } from './io/recording-source.js';
