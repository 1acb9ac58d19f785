import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { decodeOrder, isOrderRecord } from '../model/decode-order.js';
import type { GroupRecord, OutgoingMessage } from '../io/ports.js';
import type { HourlyPartial, RoutedOrder, TaskMark, UpstreamMark } from '../topology/messages.js';

/**
 * The internal topics' messages on the wire, each once as an io-ts codec. An order keeps its value bytes
 * as they came (a late one is published as a dead letter exactly so); where it came from and its
 * partition's watermarks ride in headers. Marks and partials are small JSON values. `-Infinity` is `null`.
 */

const KIND = 'sp.kind';

const Time = t.union([t.number, t.null]);
const time = (n: number): number | null => (Number.isFinite(n) ? n : null);
const fromTime = (n: number | null, none = -Infinity): number => (n === null ? none : n);

export const MarkValue = t.type({ partition: t.number, caughtUp: t.boolean, watermark: Time, latest: Time, next: t.union([t.number, t.null]) });
export const PartialValue = t.type({ task: t.number, start: t.number, end: t.number, count: t.number, cents: t.number, units: t.string, scale: t.number });
export const TaskMarkValue = t.type({ task: t.number, watermark: Time });

export function routedMessage(topic: string, order: RoutedOrder): OutgoingMessage {
  const { record } = order;
  const raw = record.raw;
  return {
    topic,
    key: record.order.customerId,
    value: typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
    headers: {
      [KIND]: 'order',
      'sp.partition': String(record.source.partition),
      'sp.offset': String(record.source.offset),
      'sp.before': String(order.before),
      'sp.watermark': String(order.watermark),
    },
  };
}

export function markMessages(topic: string, partitions: number, mark: UpstreamMark, next: number): OutgoingMessage[] {
  const value = JSON.stringify({
    partition: mark.partition,
    caughtUp: mark.idle,
    watermark: time(mark.watermark),
    latest: time(mark.latest),
    next,
  } satisfies t.TypeOf<typeof MarkValue>);
  return Array.from({ length: partitions }, (_, partition) => ({ topic, partition, key: null, value, headers: { [KIND]: 'mark' } }));
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
    return {
      kind: 'partition-status',
      partition: v.partition,
      idle: v.caughtUp,
      watermark: fromTime(v.watermark),
      latest: fromTime(v.latest),
      ...(v.next !== null ? { next: v.next } : {}),
      at: { partition: v.partition, offset: record.offset },
    };
  }
  const partition = Number(h['sp.partition']);
  const offset = Number(h['sp.offset']);
  if (h[KIND] !== 'order' || !Number.isInteger(partition) || !Number.isInteger(offset)) throw new InternalMessageError(record, 'not an order or a mark');
  const decoded = decodeOrder({ kind: 'record', partition, offset, value: record.value });
  if (!isOrderRecord(decoded)) throw new InternalMessageError(record, `the order does not decode: ${decoded.detail}`);
  return {
    kind: 'routed',
    record: decoded,
    before: Number(h['sp.before']),
    watermark: Number(h['sp.watermark']),
    at: { partition, offset: record.offset },
  };
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
