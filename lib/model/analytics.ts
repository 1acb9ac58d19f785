import * as t from 'io-ts';

/**
 * The messages published on the `analytics` topic (one JSON line each in a replay). The field order of
 * each codec is the order on the wire: the constructors in lib/analytics build objects in this order.
 */

/** A UTC time as `2024-06-01T00:00:00`: ISO 8601 without fraction or zone. */
const WindowTime = t.string;

export const HourlySales = t.type({
  type: t.literal('hourly_sales'),
  window_start: WindowTime,
  window_end: WindowTime,
  order_count: t.number,
  total_sales: t.number,
  average_order_value: t.number,
});
export type HourlySales = t.TypeOf<typeof HourlySales>;

export const CustomerStats = t.type({
  type: t.literal('customer_stats'),
  window_start: WindowTime,
  window_end: WindowTime,
  customer_id: t.string,
  orders: t.number,
  total_spent: t.number,
});
export type CustomerStats = t.TypeOf<typeof CustomerStats>;

export const HighAmountAlert = t.type({
  type: t.literal('fraud_alert'),
  rule: t.literal('high_amount'),
  customer_id: t.string,
  reason: t.string,
  order_id: t.string,
  amount: t.number,
  timestamp: t.number,
});
export type HighAmountAlert = t.TypeOf<typeof HighAmountAlert>;

export const VelocityAlert = t.type({
  type: t.literal('fraud_alert'),
  rule: t.literal('velocity'),
  customer_id: t.string,
  reason: t.string,
  order_id: t.string,
  order_count: t.number,
  timestamp: t.number,
});
export type VelocityAlert = t.TypeOf<typeof VelocityAlert>;

export const FraudAlert = t.union([HighAmountAlert, VelocityAlert]);
export type FraudAlert = t.TypeOf<typeof FraudAlert>;

export const Analytics = t.union([HourlySales, CustomerStats, HighAmountAlert, VelocityAlert]);
export type Analytics = t.TypeOf<typeof Analytics>;
export type AnalyticsType = Analytics['type'];

/** The Kafka key of a message: the hour for sales, the customer for everything about a customer. */
export const analyticsKey = (message: Analytics): string =>
  message.type === 'hourly_sales' ? message.window_start : message.customer_id;

/** A result of the pipeline, ready to publish. */
export interface AnalyticsOutput {
  readonly kind: 'analytics';
  readonly message: Analytics;
}

export const analyticsOutput = (message: Analytics): AnalyticsOutput => ({ kind: 'analytics', message });
