/** The knobs of the analytics (docs/semantics.md); config/default.json holds the same defaults for the CLI and service. */
export interface AnalyticsSettings {
  /** Size of the tumbling windows of both hourly sales and customer stats. */
  readonly windowSizeMs: number;
  /** How far behind the newest record of its partition a record may come and still be on time. */
  readonly maxOutOfOrdernessMs: number;
  /** Processing time without records after which a partition stops holding the watermark back. */
  readonly idleTimeoutMs: number;
  /** An order with an amount strictly above this raises a high_amount alert. */
  readonly highAmountThreshold: number;
  /** More orders than this within `velocityWindowMs` raise a velocity alert. */
  readonly velocityMaxOrders: number;
  readonly velocityWindowMs: number;
  /**
   * An order stamped more than this ahead of its partition's watermark becomes a `too_far_ahead` dead
   * letter instead of moving the watermark; 0 or absent: off, as the contract has it.
   */
  readonly maxFutureSkewMs?: number;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = {
  windowSizeMs: 3_600_000,
  maxOutOfOrdernessMs: 5_000,
  idleTimeoutMs: 30_000,
  highAmountThreshold: 1_000,
  velocityMaxOrders: 5,
  velocityWindowMs: 60_000,
  maxFutureSkewMs: 0,
};
