import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { decodeOrder, isOrderRecord } from '../model/decode-order.js';
import type { GroupRecord, OutgoingMessage } from '../io/ports.js';
import type { HourlyPartial, RoutedOrder, TaskMark, UpstreamMark, WatermarkRise } from '../topology/messages.js';

/**
 * The internal topics' messages on the wire, each once as an io-ts codec. An order keeps its value bytes
 * as they came (a late one is published as a dead letter exactly so); where it came from and its
 * partition's watermarks ride in headers. Marks and partials are small JSON values. `-Infinity` is `null`.
 */

const KIND = 'sp.kind';

const Time = t.union([t.number, t.null]);
const time = (n: number): number | null => (Number.isFinite(n) ? n : null);
const fromTime = (n: number | null, none = -Infinity): number => (n === null ? none : n);

export const MarkValue = t.intersection([
  t.type({ partition: t.number, caughtUp: t.boolean, watermark: Time, latest: Time, next: t.union([t.number, t.null]) }),
  t.partial({ rises: t.string }),
]);
export const PartialValue = t.type({ task: t.number, start: t.number, end: t.number, count: t.number, cents: t.number, units: t.string, scale: t.number });
export const TaskMarkValue = t.type({ task: t.number, watermark: Time });

/** An order to the customer task it is addressed to (partition 0 when there is one task). */
export function routedMessage(topic: string, order: RoutedOrder): OutgoingMessage {
  const { record } = order;
  const raw = record.raw;
  return {
    topic,
    partition: order.destination ?? 0,
    key: record.order.customerId,
    value: typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
    headers: {
      [KIND]: 'order',
      'sp.partition': String(record.source.partition),
      'sp.offset': String(record.source.offset),
      'sp.before': String(order.before),
      'sp.watermark': String(order.watermark),
      ...(order.rises !== undefined && order.rises.length > 0 ? { [RISES]: encodeRises(order.rises) } : {}),
    },
  };
}

/** A mark to the customer task it is addressed to (each gets its own copy, with its own rises). */
export function markMessage(topic: string, mark: UpstreamMark, next: number): OutgoingMessage {
  const value = JSON.stringify({
    partition: mark.partition,
    caughtUp: mark.idle,
    watermark: time(mark.watermark),
    latest: time(mark.latest),
    next,
    ...(mark.rises !== undefined && mark.rises.length > 0 ? { rises: encodeRises(mark.rises) } : {}),
  } satisfies t.TypeOf<typeof MarkValue>);
  return { topic, partition: mark.destination ?? 0, key: null, value, headers: { [KIND]: 'mark' } };
}

const RISES = 'sp.rises';

/**
 * Watermark rises as short text, since an order carries about one for every other customer task:
 * `timestamp:offset` pairs separated by commas, each timestamp as the step from the one before (the first
 * from 0) and the watermark as its offset from its timestamp, left out when the same as the one before
 * (with a fixed out-of-orderness bound, always). `[[1000, -5001], [1250, -4751]]` is `1000:-6001,250`.
 */
export function encodeRises(rises: readonly WatermarkRise[]): string {
  let text = '';
  let timestamp = 0;
  let offset: number | undefined;
  for (const [t, w] of rises) {
    if (text !== '') text += ',';
    text += String(t - timestamp);
    if (w - t !== offset) text += `:${w - t}`;
    timestamp = t;
    offset = w - t;
  }
  return text;
}

/** The rises {@link encodeRises} wrote; undefined if the text is not such. */
export function decodeRises(text: string): WatermarkRise[] | undefined {
  const rises: WatermarkRise[] = [];
  let timestamp = 0;
  let offset: number | undefined;
  for (const part of text.split(',')) {
    const fields = part.split(':');
    const [step, off] = fields;
    if (fields.length > 2 || !/^-?\d+$/.test(step ?? '') || (off !== undefined && !/^-?\d+$/.test(off))) return undefined;
    timestamp += Number(step);
    if (off !== undefined) offset = Number(off);
    if (offset === undefined || !Number.isSafeInteger(timestamp)) return undefined;
    rises.push([timestamp, timestamp + offset]);
  }
  return rises;
}

export function partialMessage(topic: string, partial: HourlyPartial): OutgoingMessage {
  const value = JSON.stringify({
    task: partial.task,
    start: partial.window.start,
    end: partial.window.end,
    count: partial.count,
    cents: partial.sum.cents,
    units: partial.sum.units.toString(),
    scale: partial.sum.scale,
  } satisfies t.TypeOf<typeof PartialValue>);
  return { topic, partition: 0, key: null, value, headers: { [KIND]: 'partial' } };
}

export function taskMarkMessage(topic: string, mark: TaskMark): OutgoingMessage {
  return { topic, partition: 0, key: null, value: JSON.stringify({ task: mark.task, watermark: time(mark.watermark) }), headers: { [KIND]: 'task-mark' } };
}

/** A message of the orders-by-customer topic, read at `at` (its lane is the input partition it came from). */
export function readRouted(record: GroupRecord): RoutedOrder | UpstreamMark {
  const h = record.headers;
  if (h[KIND] === 'mark') {
    const v = decodeJson(MarkValue, record);
    const rises = risesOf(v.rises, record);
    return {
      kind: 'partition-status',
      partition: v.partition,
      idle: v.caughtUp,
      watermark: fromTime(v.watermark),
      latest: fromTime(v.latest),
      ...(v.next !== null ? { next: v.next } : {}),
      at: { partition: v.partition, offset: record.offset },
      ...(rises !== undefined ? { rises } : {}),
    };
  }
  const partition = Number(h['sp.partition']);
  const offset = Number(h['sp.offset']);
  if (h[KIND] !== 'order' || !Number.isInteger(partition) || !Number.isInteger(offset)) throw new InternalMessageError(record, 'not an order or a mark');
  const decoded = decodeOrder({ kind: 'record', partition, offset, value: record.value });
  if (!isOrderRecord(decoded)) throw new InternalMessageError(record, `the order does not decode: ${decoded.detail}`);
  const rises = risesOf(h[RISES], record);
  return {
    kind: 'routed',
    record: decoded,
    before: Number(h['sp.before']),
    watermark: Number(h['sp.watermark']),
    at: { partition, offset: record.offset },
    ...(rises !== undefined ? { rises } : {}),
  };
}

/** The rises a message carries (in a mark's value or an order's header), if any; refuses text we did not write. */
function risesOf(text: string | undefined, record: GroupRecord): WatermarkRise[] | undefined {
  if (text === undefined) return undefined;
  const rises = decodeRises(text);
  if (rises === undefined) throw new InternalMessageError(record, `unreadable watermark rises: ${text}`);
  return rises;
}

/** A message of the hourly-partials topic. */
export function readPartial(record: GroupRecord): HourlyPartial | TaskMark {
  if (record.headers[KIND] === 'task-mark') {
    const v = decodeJson(TaskMarkValue, record);
    return { kind: 'task-mark', task: v.task, watermark: fromTime(v.watermark) };
  }
  if (record.headers[KIND] !== 'partial') throw new InternalMessageError(record, 'not a partial or a mark');
  const v = decodeJson(PartialValue, record);
  return {
    kind: 'hourly-partial',
    task: v.task,
    window: { start: v.start, end: v.end },
    count: v.count,
    sum: { cents: v.cents, units: BigInt(v.units), scale: v.scale },
  };
}

/** An internal topic holds something we did not write: another program shares its name. */
export class InternalMessageError extends Error {
  override readonly name = 'InternalMessageError';
  constructor(record: GroupRecord, why: string) {
    super(`internal topic record at partition ${record.partition} offset ${record.offset}: ${why}`);
  }
}

function decodeJson<C extends t.Mixed>(codec: C, record: GroupRecord): t.TypeOf<C> {
  let value: unknown;
  try {
    value = JSON.parse(record.value === null ? '' : typeof record.value === 'string' ? record.value : Buffer.from(record.value).toString('utf8'));
  } catch {
    throw new InternalMessageError(record, 'not JSON');
  }
  const result = codec.decode(value);
  if (isLeft(result)) throw new InternalMessageError(record, PathReporter.report(result).join('; '));
  return result.right;
}
