import fc from 'fast-check';
import type { AnalyticsSettings } from '../../lib/analytics/settings.js';
import { decodeRecord, MAX_BYTES, MAX_TIMESTAMP, type RefRecord } from './batch-analytics.js';

/**
 * fast-check arbitraries for recordings of one partition: orders with disorder (some late), bursts of one
 * customer, duplicate timestamps, amounts around the high_amount threshold and with more decimals than
 * cents, mixed with lines that are not JSON, not valid orders, or too large.
 */

/** Small windows so that a few dozen records cross many of them. */
export const settingsArb: fc.Arbitrary<AnalyticsSettings> = fc.record({
  windowSizeMs: fc.oneof(fc.constantFrom(1_000, 2_000, 3_600, 5_000, 10_000), fc.integer({ min: 1_000, max: 10_000 })),
  maxOutOfOrdernessMs: fc.oneof(fc.constantFrom(0, 1, 500), fc.integer({ min: 0, max: 500 })),
  idleTimeoutMs: fc.constant(3_600_000),
  highAmountThreshold: fc.constantFrom(1_000, 100, 250),
  velocityMaxOrders: fc.integer({ min: 1, max: 5 }),
  velocityWindowMs: fc.oneof(
    { arbitrary: fc.integer({ min: 100, max: 2_000 }), weight: 9 },
    { arbitrary: fc.constant(60_000), weight: 1 },
  ),
});

/** Customers that differ only by case, a space or in bytes per character: all distinct (semantics §1). */
const customerArb = fc.oneof(
  { arbitrary: fc.constant('c1'), weight: 6 },
  { arbitrary: fc.constantFrom('c2', 'C1', 'c1 ', ' c1', 'ü', '客户', 'x\ud800'), weight: 4 },
);

/** An amount as a number; most to the cent, some finer; sums stay below 2^53 cents. */
export const amountArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 30_000 }).map((cents) => cents / 100), weight: 10 },
  { arbitrary: fc.integer({ min: 0, max: 150_000 }).map((cents) => cents / 100), weight: 1 },
  { arbitrary: fc.constantFrom(0, 0.01, 0.1, 0.2, 0.3, 19.99, 250.5), weight: 2 },
  // more decimals than cents: exact sums must round these correctly
  { arbitrary: fc.constantFrom(0.005, 1.0049, 0.015, 2.675, 1.005, 0.001, 0.0049999, 1e-7, 123.456, 0.125, 0.375), weight: 3 },
  { arbitrary: fc.constantFrom(99_999.99, 1_234_567.89, 1e6), weight: 1 },
);

/** Amounts whose sums pass 2^53 cents, where a double no longer holds every cent, and one JSON prints as 1e+21. */
export const hugeAmountArb = fc.oneof(
  { arbitrary: amountArb, weight: 3 },
  { arbitrary: fc.constantFrom(12_345_678_901_234.56, 45_035_996_273_704.96, 45_035_996_273_704.97, 9e15, 1e21), weight: 2 },
);
/** Offsets from the threshold: at it, just over, just under, over by less than a cent. */
const aroundThresholdArb = fc.constantFrom(0, 0.01, -0.01, 0.001, 0.005, 1, -1);

/** `value` `weight` times in `outOf`, else undefined. */
const sometimes = <T>(value: fc.Arbitrary<T>, weight: number, outOf: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: value, weight }, { arbitrary: fc.constant(undefined), weight: outOf - weight });

/** How an order's line is damaged, if at all. */
export type Damage =
  | 'none'
  | 'no-orderId' | 'empty-orderId' | 'number-orderId'
  | 'no-customerId' | 'empty-customerId' | 'array-customerId'
  | 'negative-amount' | 'string-amount' | 'huge-amount' | 'null-amount'
  | 'fraction-timestamp' | 'negative-timestamp' | 'timestamp-past-9999' | 'string-timestamp' | 'huge-timestamp'
  | 'no-items' | 'string-items' | 'number-in-items' | 'null-items'
  | 'as-array' | 'truncated' | 'trailing-comma' | 'single-quotes' | 'bad-utf8'
  | 'pad-to-limit' | 'pad-over-limit' | 'pad-over-limit-multibyte' | 'pad-whitespace-to-limit';

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { arbitrary: fc.constant<Damage>('none'), weight: 85 },
  {
    arbitrary: fc.constantFrom<Damage>(
      'no-orderId', 'empty-orderId', 'number-orderId', 'no-customerId', 'empty-customerId', 'array-customerId',
      'negative-amount', 'string-amount', 'huge-amount', 'null-amount', 'fraction-timestamp', 'negative-timestamp',
      'timestamp-past-9999', 'string-timestamp', 'huge-timestamp', 'no-items', 'string-items', 'number-in-items',
      'null-items', 'as-array', 'truncated', 'trailing-comma', 'single-quotes', 'bad-utf8',
    ),
    weight: 14,
  },
  {
    arbitrary: fc.constantFrom<Damage>('pad-to-limit', 'pad-over-limit', 'pad-over-limit-multibyte', 'pad-whitespace-to-limit'),
    weight: 1,
  },
);

/** One planned order: its customer, its place in time and how its line is written. */
export interface OrderPlan {
  readonly customer: string;
  /** Event time advanced since the previous order of the recording. */
  readonly step: number;
  /** How far the timestamp is pushed back from the advancing clock: disorder, some of it late. */
  readonly jitter: number;
  /** Or a timestamp at an edge of the watermark W of its arrival, overriding the clock and jitter. */
  readonly edge: Edge | undefined;
  readonly amount: number;
  /** Use `threshold + offset` rather than `amount`. */
  readonly aroundThreshold: number | undefined;
  readonly amountStyle: 'plain' | 'trailing-zero' | 'exponent';
  readonly timestampStyle: 'plain' | 'dot-zero' | 'exponent';
  readonly keyOrder: number;
  readonly extraFields: boolean;
  /** Whitespace around the object (JSON allows it), customer id written with \u escapes. */
  readonly spacing: boolean;
  readonly escapeCustomer: boolean;
  readonly items: readonly string[];
  readonly orderId: string | undefined;
  readonly asBytes: boolean;
  readonly damage: Damage;
}

/** A line that is never an order, whatever the plan around it. */
export type JunkLine = { readonly junk: string | Uint8Array | null };

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const junkArb: fc.Arbitrary<JunkLine> = fc
  .constantFrom<string | Uint8Array | null>(
    '{', 'not json', '', 'NaN', 'undefined', '[1,]', '{"orderId": 01}', '"just a string"', '42', 'null', 'true', '[]', '{}',
    '{"__proto__":{"orderId":"o","customerId":"c1","amount":1,"timestamp":1717200000000,"items":[]}}',
    null,
    bytes(0xff),
    bytes(0x7b, 0xc0, 0x80, 0x7d), // overlong NUL
    bytes(0x22, 0xed, 0xa0, 0x80, 0x22), // an encoded surrogate
    bytes(0x22, 0xe2, 0x82, 0x22), // truncated sequence
  )
  .map((junk) => ({ junk }));

const stepArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 }, // same timestamp as the previous order
  { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 5 }, // a burst
  { arbitrary: fc.integer({ min: 40, max: 700 }), weight: 4 },
  { arbitrary: fc.integer({ min: 700, max: 12_000 }), weight: 2 }, // crosses windows
);
const jitterArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 6 },
  { arbitrary: fc.integer({ min: 1, max: 500 }), weight: 2 }, // within most bounds
  { arbitrary: fc.integer({ min: 500, max: 3_000 }), weight: 2 }, // beyond the bound: late if it crosses a window
  { arbitrary: fc.integer({ min: 3_000, max: 15_000 }), weight: 1 },
);

/**
 * Timestamps on the edges that the comparisons of semantics §2-4 draw, from the watermark W that the order meets: `at-w`
 * is not counted for velocity (`timestamp > W`), `after-w` is; `w-window-last` is the last millisecond of
 * W's window (late: `end - 1 <= W`), `next-window-first` the first of the next; `at-max` repeats the
 * newest timestamp; `span-after` is exactly one velocity span after the order of its customer that is
 * `velocityMaxOrders` back, on the open end of the span `(t - span, t]`.
 */
export type Edge = 'at-w' | 'after-w' | 'w-window-last' | 'w-window-last-minus-1' | 'next-window-first' | 'at-max' | 'span-after';
const edgeArb = sometimes(
  fc.constantFrom<Edge>('at-w', 'after-w', 'w-window-last', 'w-window-last-minus-1', 'next-window-first', 'at-max', 'span-after'),
  1,
  5,
);

export const orderPlanArb = (customer: fc.Arbitrary<string>, amount: fc.Arbitrary<number>): fc.Arbitrary<OrderPlan> =>
  fc.record({
    customer,
    step: stepArb,
    jitter: jitterArb,
    edge: edgeArb,
    amount,
    aroundThreshold: sometimes(aroundThresholdArb, 1, 4),
    amountStyle: fc.constantFrom('plain', 'plain', 'trailing-zero', 'exponent'),
    timestampStyle: fc.constantFrom('plain', 'plain', 'dot-zero', 'exponent'),
    keyOrder: fc.nat(4),
    extraFields: fc.boolean(),
    spacing: fc.boolean(),
    escapeCustomer: fc.boolean(),
    items: fc.oneof(fc.constant([]), fc.constant(['a', 'b']), fc.constant(['é'])),
    orderId: sometimes(fc.constantFrom('dup', ' ', 'ü'), 1, 10),
    asBytes: fc.boolean(),
    damage: damageArb,
  });

/** A burst: several orders of one customer close together. */
const burstArb = (amount: fc.Arbitrary<number>): fc.Arbitrary<OrderPlan[]> => customerArb.chain((c) =>
  fc.array(
    orderPlanArb(fc.constant(c), amount).map((p) => ({ ...p, step: Math.min(p.step, 60) })),
    { minLength: 2, maxLength: 9, size: 'max' },
  ),
);

export type LinePlan = OrderPlan | JunkLine;

/** The plan of a recording: orders, bursts and junk, at most about `maxLength` lines. */
export const recordingPlanArb = (maxLength = 60, amount = amountArb): fc.Arbitrary<{ base: number; lines: LinePlan[] }> =>
  fc.record({
    base: fc.oneof(
      { arbitrary: fc.constant(1_717_200_000_000), weight: 6 }, // 2024-06-01T00:00:00
      { arbitrary: fc.integer({ min: 0, max: 3_000 }), weight: 1 }, // jitter may go below 0: invalid
      { arbitrary: fc.integer({ min: MAX_TIMESTAMP - 40_000, max: MAX_TIMESTAMP }), weight: 1 }, // past 9999: invalid
      { arbitrary: fc.integer({ min: 0, max: 4_000_000_000_000 }), weight: 2 },
    ),
    lines: fc
      .array(
        fc.oneof(
          { arbitrary: orderPlanArb(customerArb, amount).map((p) => [p]), weight: 10 },
          { arbitrary: burstArb(amount), weight: 3 },
          { arbitrary: junkArb.map((j) => [j]), weight: 1 },
        ),
        { maxLength: Math.ceil(maxLength / 2), size: 'max' },
      )
      .map((groups) => groups.flat().slice(0, maxLength)),
  });

// ---------------------------------------------------------------------------------------------- lines

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function amountText(amount: number, style: OrderPlan['amountStyle']): string {
  const plain = JSON.stringify(amount);
  if (style === 'trailing-zero') return plain.includes('e') ? plain : plain.includes('.') ? `${plain}0` : `${plain}.00`;
  if (style === 'exponent' && !plain.includes('e')) {
    const [int = '0', frac = ''] = plain.split('.');
    return `${(int + frac).replace(/^0+(?=\d)/, '')}e-${frac.length}`;
  }
  return plain;
}

function timestampText(t: number, style: OrderPlan['timestampStyle']): string {
  if (style === 'dot-zero') return `${t}.0`; // 1717200000000.0 is an integer (semantics §1)
  if (style === 'exponent') return `${t}e0`;
  return String(t);
}

/** A JSON string of `\\uXXXX` escapes only. */
const escaped = (text: string): string =>
  `"${[...Array(text.length).keys()].map((i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

/** The line of one planned order with timestamp `t`, damaged as planned. */
export function orderLine(plan: OrderPlan, index: number, t: number, threshold: number): string | Uint8Array {
  const amount = plan.aroundThreshold === undefined ? plan.amount : Math.max(0, Number((threshold + plan.aroundThreshold).toFixed(3)));
  const fields: [string, string][] = [
    ['orderId', JSON.stringify(plan.orderId ?? `o${index}`)],
    ['customerId', plan.escapeCustomer ? escaped(plan.customer) : JSON.stringify(plan.customer)],
    ['amount', amountText(amount, plan.amountStyle)],
    ['timestamp', timestampText(t, plan.timestampStyle)],
    ['items', JSON.stringify(plan.items)],
  ];
  const set = (key: string, value: string | undefined): void => {
    const at = fields.findIndex(([k]) => k === key);
    if (value === undefined) fields.splice(at, 1);
    else fields[at] = [key, value];
  };
  switch (plan.damage) {
    case 'no-orderId': set('orderId', undefined); break;
    case 'empty-orderId': set('orderId', '""'); break;
    case 'number-orderId': set('orderId', '5'); break;
    case 'no-customerId': set('customerId', undefined); break;
    case 'empty-customerId': set('customerId', '""'); break;
    case 'array-customerId': set('customerId', '["c1"]'); break;
    case 'negative-amount': set('amount', '-0.01'); break;
    case 'string-amount': set('amount', JSON.stringify(String(amount))); break;
    case 'huge-amount': set('amount', '1e400'); break;
    case 'null-amount': set('amount', 'null'); break;
    case 'fraction-timestamp': set('timestamp', `${t}.5`); break;
    case 'negative-timestamp': set('timestamp', '-1'); break;
    case 'timestamp-past-9999': set('timestamp', String(MAX_TIMESTAMP + 1)); break;
    case 'string-timestamp': set('timestamp', JSON.stringify(String(t))); break;
    case 'huge-timestamp': set('timestamp', '1e400'); break;
    case 'no-items': set('items', undefined); break;
    case 'string-items': set('items', '"a"'); break;
    case 'number-in-items': set('items', '["a", 1]'); break;
    case 'null-items': set('items', 'null'); break;
    default: break;
  }
  if (plan.extraFields) fields.push(['note', '{"amount": -5, "orderId": ""}'], ['items_count', '2']);
  const rotated = [...fields.slice(plan.keyOrder % fields.length), ...fields.slice(0, plan.keyOrder % fields.length)];
  const ordered = plan.keyOrder === 4 ? rotated.reverse() : rotated;
  const members = ordered.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  let text = plan.spacing ? `\t {\n${members.join(' ,\r\n')} }\r` : `{${members.join(',')}}`;
  switch (plan.damage) {
    case 'as-array': text = `[${text}]`; break;
    case 'truncated': text = text.slice(0, text.lastIndexOf('}')); break;
    case 'trailing-comma': text = `{${members.join(',')},}`; break;
    case 'single-quotes': text = text.replaceAll('"', "'"); break;
    case 'bad-utf8': {
      const b = utf8(text);
      const at = b.indexOf(0x22) + 1; // inside the first key
      return Uint8Array.from([...b.slice(0, at), 0xff, ...b.slice(at)]);
    }
    case 'pad-to-limit': // exactly 1 MiB: still fine
    case 'pad-over-limit': {
      const target = plan.damage === 'pad-to-limit' ? MAX_BYTES : MAX_BYTES + 1;
      const bare = `{${members.join(',')},"pad":""}`;
      text = `{${members.join(',')},"pad":"${'x'.repeat(target - utf8(bare).length)}"}`;
      break;
    }
    case 'pad-over-limit-multibyte': {
      // fewer than 1 MiB characters, more than 1 MiB bytes
      const bare = `{${members.join(',')},"pad":""}`;
      text = `{${members.join(',')},"pad":"${'é'.repeat(Math.ceil((MAX_BYTES + 1 - utf8(bare).length) / 2))}"}`;
      break;
    }
    case 'pad-whitespace-to-limit':
      text = `${text}${' '.repeat(MAX_BYTES - utf8(text).length)}`;
      break;
    default: break;
  }
  return plan.asBytes ? utf8(text) : text;
}

/** The records of a planned recording, numbered from 1 as the lines of a file. */
export function recordsOf(plan: { base: number; lines: readonly LinePlan[] }, settings: AnalyticsSettings): RefRecord[] {
  let clock = plan.base;
  let maxSeen = -Infinity; // of the valid orders so far, for the edges
  const customerTimes = new Map<string, number[]>(); // timestamps of each customer's valid orders so far
  return plan.lines.map((line, i) => {
    if ('junk' in line) return { offset: i + 1, value: line.junk };
    clock += line.step;
    const times = customerTimes.get(line.customer) ?? [];
    const t =
      line.edge === undefined || maxSeen === -Infinity
        ? clock - line.jitter
        : line.edge === 'span-after'
          ? (times[Math.max(0, times.length - settings.velocityMaxOrders)] ?? clock) + settings.velocityWindowMs
          : edgeTime(line.edge, maxSeen, settings);
    const value = orderLine(line, i + 1, t, settings.highAmountThreshold);
    const decoded = decodeRecord(value);
    if (typeof decoded === 'object') {
      maxSeen = Math.max(maxSeen, decoded.timestamp);
      customerTimes.set(decoded.customerId, [...(customerTimes.get(decoded.customerId) ?? []), decoded.timestamp].sort((a, b) => a - b));
    }
    return { offset: i + 1, value };
  });
}

function edgeTime(edge: Exclude<Edge, 'span-after'>, maxSeen: number, s: AnalyticsSettings): number {
  const w = maxSeen - s.maxOutOfOrdernessMs - 1;
  const windowEnd = Math.floor(w / s.windowSizeMs) * s.windowSizeMs + s.windowSizeMs;
  switch (edge) {
    case 'at-w': return w;
    case 'after-w': return w + 1;
    case 'w-window-last': return windowEnd - 1;
    case 'w-window-last-minus-1': return windowEnd - 2;
    case 'next-window-first': return windowEnd;
    case 'at-max': return maxSeen;
  }
}
