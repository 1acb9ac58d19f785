import type { AnalyticsSettings } from '../../lib/analytics/settings.js';

/**
 * Semantics §1-5 (docs/semantics.md) for one partition of a recorded file, computed as a plain batch over the whole input,
 * written from those rules alone (nothing of lib/ but the settings type) so that the pipeline has something
 * independent to be compared with. Slow on purpose: every answer is recomputed from the records.
 *
 * The steps, with `W[i]` the watermark before record i (semantics §2: max timestamp of the valid orders before
 * it, minus the bound, minus 1; -infinity before the first) and `after(i)` the watermark after it:
 * 1. decode every record (semantics §1): a dead letter, or a valid order;
 * 2. a valid order over the threshold alerts at once (semantics §4);
 * 3. a valid order is late when `end - 1 <= W[i]` for its window (semantics §3); the others are in their window;
 * 4. a window fires at the first record k with `after(k) >= end - 1`, or at the end of the input;
 * 5. a valid order with `timestamp > W[i]` counts for velocity; in `(timestamp, arrival)` order, each gets
 *    `n` = counted orders of its customer before it (itself included) in `(t - span, t]`, and alerts when
 *    `n` is over the limit and no earlier alert of the customer lies in that span; it reaches the rule at the
 *    first record k >= i with `after(k) >= t`, or at the end of the input.
 */

/** A line of the recording: its number (from 1) and its bytes or text; `null` is a Kafka tombstone. */
export interface RefRecord {
  readonly offset: number;
  readonly value: Uint8Array | string | null;
}

export type RefReason = 'too_large' | 'not_json' | 'invalid' | 'late';

export type RefOutput =
  | { readonly kind: 'analytics'; readonly message: Readonly<Record<string, unknown>> }
  | { readonly kind: 'dead-letter'; readonly reason: RefReason; readonly offset: number };

export interface RefResult {
  /** What processing record i emits, in the step order of semantics §2 (the order among firings is not theirs). */
  readonly perRecord: readonly RefOutput[][];
  /** What the end of the input (watermark +infinity) emits. */
  readonly atEnd: readonly RefOutput[];
}

export interface RefOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
  readonly timestamp: number;
  readonly items: readonly string[];
}

export const MAX_BYTES = 1_048_576;
export const MAX_TIMESTAMP = 253_402_300_799_999;

// ---------------------------------------------------------------------------------------------- semantics §1

/** semantics §1: a record is a valid order or a dead letter with its reason. */
export function decodeRecord(value: Uint8Array | string | null): RefOrder | RefReason {
  if (value === null) return 'not_json';
  const byteLength = typeof value === 'string' ? new TextEncoder().encode(value).length : value.length;
  if (byteLength > MAX_BYTES) return 'too_large';
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      // ignoreBOM: keep a byte-order mark as a character (generators never write one).
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
    } catch {
      return 'not_json';
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not_json';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'invalid';
  const o = parsed as Record<string, unknown>;
  const { orderId, customerId, amount, timestamp, items } = o;
  if (typeof orderId !== 'string' || orderId.length === 0) return 'invalid';
  if (typeof customerId !== 'string' || customerId.length === 0) return 'invalid';
  if (typeof amount !== 'number' || !Number.isFinite(amount) || !(amount >= 0)) return 'invalid';
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) return 'invalid';
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) return 'invalid';
  return { orderId, customerId, amount, timestamp, items: items as string[] };
}

/**
 * semantics §1 for a recorded file: a line ends at `\n`, a `\r` before it is not part of the line, a line that is
 * empty or holds only spaces and tabs is skipped; lines are numbered from 1, skipped ones included. A last
 * line without `\n` is a line; a final `\n` adds none. The rules do not say whether a `\r` ending that last
 * line is part of it: as Flink's TextInputFormat (which strips a trailing `\r` from every record read with
 * the `\n` delimiter, the last one included), it is not.
 */
export function recordingLines(file: Uint8Array): RefRecord[] {
  const records: RefRecord[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start < file.length) {
    const newline = file.indexOf(0x0a, start);
    const end = newline < 0 ? file.length : newline;
    lineNumber += 1;
    let line = file.slice(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.slice(0, -1);
    if (!line.every((b) => b === 0x20 || b === 0x09)) records.push({ offset: lineNumber, value: line });
    start = end + 1;
  }
  return records;
}

// ---------------------------------------------------------------------------------------------- money

/** An exact decimal: `units / 10^scale`. */
interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** The amount as written: the shortest decimal that reads back as the same number (`String`). */
export function decimalOf(amount: number): Decimal {
  const text = String(amount); // "12.5", "0.005", "1e-7", "1.5e+21"; -0 gives "0"
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (m === null) throw new Error(`not a non-negative decimal: ${text}`);
  const fraction = m[2] ?? '';
  let units = BigInt((m[1] ?? '') + fraction);
  let scale = fraction.length - Number(m[3] ?? '0');
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** The exact sum of the amounts. */
export function exactSum(amounts: readonly number[]): Decimal {
  const decimals = amounts.map(decimalOf);
  const scale = Math.max(0, ...decimals.map((d) => d.scale));
  let units = 0n;
  for (const d of decimals) units += d.units * 10n ** BigInt(scale - d.scale);
  return { units, scale };
}

/** `sum / divisor` to the cent, half away from zero (everything here is >= 0), as a number of cents. */
export function roundedCents(sum: Decimal, divisor = 1n): bigint {
  const numerator = sum.units * 100n;
  const denominator = 10n ** BigInt(sum.scale) * divisor;
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return 2n * remainder >= denominator ? quotient + 1n : quotient;
}

/** Cents as the JSON number that prints them: 125050n is 1250.5. */
export function centsToNumber(cents: bigint): number {
  return Number(`${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------------------------- semantics §5

/** `toISOString()` without the fraction and the `Z`. */
export const windowTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');

export const highAmountReason = (threshold: number): string => `Order amount > $${threshold}`;

/**
 * Semantics §5: the numbers and words of the reason follow the settings. This reference words whole
 * minutes only at 1 minute and any other span in ms, so comparisons mask spans other than a minute.
 */
export const velocityReason = (maxOrders: number, spanMs: number): string =>
  `More than ${maxOrders} order${maxOrders === 1 ? '' : 's'} within ${spanMs === 60_000 ? '1 minute' : `${spanMs} ms`}`;

function hourlySales(start: number, end: number, orders: readonly RefOrder[]): Record<string, unknown> {
  const total = exactSum(orders.map((o) => o.amount));
  return {
    type: 'hourly_sales',
    window_start: windowTime(start),
    window_end: windowTime(end),
    order_count: orders.length,
    total_sales: centsToNumber(roundedCents(total)),
    average_order_value: centsToNumber(roundedCents(total, BigInt(orders.length))),
  };
}

function customerStats(start: number, end: number, customerId: string, orders: readonly RefOrder[]): Record<string, unknown> {
  return {
    type: 'customer_stats',
    window_start: windowTime(start),
    window_end: windowTime(end),
    customer_id: customerId,
    orders: orders.length,
    total_spent: centsToNumber(roundedCents(exactSum(orders.map((o) => o.amount)))),
  };
}

const highAmountAlert = (o: RefOrder, threshold: number): Record<string, unknown> => ({
  type: 'fraud_alert',
  rule: 'high_amount',
  customer_id: o.customerId,
  reason: highAmountReason(threshold),
  order_id: o.orderId,
  amount: o.amount,
  timestamp: o.timestamp,
});

const velocityAlert = (o: RefOrder, n: number, s: AnalyticsSettings): Record<string, unknown> => ({
  type: 'fraud_alert',
  rule: 'velocity',
  customer_id: o.customerId,
  reason: velocityReason(s.velocityMaxOrders, s.velocityWindowMs),
  order_id: o.orderId,
  order_count: n,
  timestamp: o.timestamp,
});

// ---------------------------------------------------------------------------------------------- semantics §2-4

const analytics = (message: Record<string, unknown>): RefOutput => ({ kind: 'analytics', message });

/** The whole recording at once; see the file comment for the steps. */
export function batchAnalytics(s: AnalyticsSettings, records: readonly RefRecord[]): RefResult {
  const n = records.length;
  const END = n; // "record index" of the end of the input
  const decoded = records.map((r) => decodeRecord(r.value));
  const orderAt = (i: number): RefOrder | undefined => {
    const d = decoded[i];
    return typeof d === 'object' ? d : undefined;
  };

  // semantics §2: the watermark before record i, from the valid orders before it.
  const watermarkBefore = (i: number): number => {
    let max = -Infinity;
    for (let j = 0; j < i; j++) {
      const o = orderAt(j);
      if (o !== undefined && o.timestamp > max) max = o.timestamp;
    }
    return max - s.maxOutOfOrdernessMs - 1;
  };
  const watermarkAfter = (i: number): number => watermarkBefore(i + 1);
  /** The first record k >= from whose watermark reaches `time`, else the end of the input. */
  const whenWatermarkReaches = (time: number, from: number): number => {
    for (let k = from; k < n; k++) if (watermarkAfter(k) >= time) return k;
    return END;
  };

  const perRecord: RefOutput[][] = records.map(() => []);
  const atEnd: RefOutput[] = [];
  const emitAt = (k: number, output: RefOutput): void => {
    (k === END ? atEnd : (perRecord[k] as RefOutput[])).push(output);
  };

  // Steps 1-3: dead letters, high_amount, lateness; the windows' contents.
  const windowStart = (t: number): number => Math.floor(t / s.windowSizeMs) * s.windowSizeMs;
  const inWindows: { order: RefOrder; index: number }[] = [];
  for (let i = 0; i < n; i++) {
    const d = decoded[i] as RefOrder | RefReason;
    const offset = (records[i] as RefRecord).offset;
    if (typeof d === 'string') {
      emitAt(i, { kind: 'dead-letter', reason: d, offset });
      continue;
    }
    if (d.amount > s.highAmountThreshold) emitAt(i, analytics(highAmountAlert(d, s.highAmountThreshold)));
    const end = windowStart(d.timestamp) + s.windowSizeMs;
    if (end - 1 <= watermarkBefore(i)) emitAt(i, { kind: 'dead-letter', reason: 'late', offset });
    else inWindows.push({ order: d, index: i });
  }

  // Step 4 (windows): each window with orders fires once, when the watermark reaches end - 1.
  const starts = [...new Set(inWindows.map((e) => windowStart(e.order.timestamp)))].sort((a, b) => a - b);
  const firings: { at: number; outputs: RefOutput[] }[] = [];
  for (const start of starts) {
    const end = start + s.windowSizeMs;
    const members = inWindows.filter((e) => windowStart(e.order.timestamp) === start);
    const at = whenWatermarkReaches(end - 1, 0);
    // No order of the window may arrive after it fired: that order would have been late.
    if (members.some((e) => e.index > at)) throw new Error('reference: window fired before one of its orders');
    const orders = members.map((e) => e.order);
    const outputs = [analytics(hourlySales(start, end, orders))];
    const customers = [...new Set(orders.map((o) => o.customerId))];
    for (const c of customers) outputs.push(analytics(customerStats(start, end, c, orders.filter((o) => o.customerId === c))));
    firings.push({ at, outputs });
  }

  // Step 5 (velocity): counted orders in (timestamp, arrival) order, per customer.
  const counted: { order: RefOrder; index: number }[] = [];
  for (let i = 0; i < n; i++) {
    const o = orderAt(i);
    if (o !== undefined && o.timestamp > watermarkBefore(i)) counted.push({ order: o, index: i });
  }
  counted.sort((a, b) => a.order.timestamp - b.order.timestamp || a.index - b.index);
  const alertTimes = new Map<string, number[]>();
  for (let p = 0; p < counted.length; p++) {
    const { order: o, index } = counted[p] as { order: RefOrder; index: number };
    const low = o.timestamp - s.velocityWindowMs;
    const inSpan = (t: number): boolean => t > low && t <= o.timestamp;
    const reached = counted.slice(0, p + 1).filter((e) => e.order.customerId === o.customerId);
    const count = reached.filter((e) => inSpan(e.order.timestamp)).length;
    const previous = alertTimes.get(o.customerId) ?? [];
    if (count > s.velocityMaxOrders && !previous.some(inSpan)) {
      alertTimes.set(o.customerId, [...previous, o.timestamp]);
      firings.push({ at: whenWatermarkReaches(o.timestamp, index), outputs: [analytics(velocityAlert(o, count, s))] });
    }
  }

  for (const f of firings) for (const out of f.outputs) emitAt(f.at, out);
  return { perRecord, atEnd };
}
