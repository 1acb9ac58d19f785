import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { deadLetter, type DeadLetter } from './dead-letter.js';
import { EXPECTATIONS, Order } from './order.js';
import type { SourcePosition, SourceRecord } from './source.js';

/** Records longer than this many bytes are refused before parsing (exactly this many is fine). */
export const MAX_RECORD_BYTES = 1_048_576;

/** A valid order with where it came from; `raw` is kept so that a late order's dead letter is exact. */
export interface OrderRecord {
  readonly kind: 'order';
  readonly order: Order;
  readonly source: SourcePosition;
  readonly raw: Uint8Array | string;
}

export const isOrderRecord = (e: { readonly kind: string }): e is OrderRecord => e.kind === 'order';

// Fatal: bytes that are not UTF-8 throw instead of becoming U+FFFD, in the same pass that decodes.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one source record into an order or a dead letter, in the order of checks of semantics §1:
 * size, then UTF-8 and JSON, then the order's shape.
 */
export function decodeOrder(record: SourceRecord): OrderRecord | DeadLetter {
  const { value } = record;
  if (value === null) return deadLetter('not_json', 'empty value (tombstone)', record, null);
  const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
  if (bytes > MAX_RECORD_BYTES) {
    return deadLetter('too_large', `${bytes} bytes, more than the limit of ${MAX_RECORD_BYTES}`, record, value);
  }
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      text = utf8.decode(value);
    } catch {
      return deadLetter('not_json', 'not valid UTF-8', record, value);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const why = text.length === 0 ? 'empty value' : (e as Error).message;
    return deadLetter('not_json', why, record, value);
  }
  // `is` checks the same codec without building a validation result, so a valid order (the common
  // case) pays for no more; only a bad one is decoded, for the paths of its errors. The record itself
  // serves as the position: one object fewer per order on the hot path.
  if (Order.is(parsed)) return { kind: 'order', order: parsed, source: record, raw: value };
  const decoded = Order.decode(parsed);
  if (isLeft(decoded)) return deadLetter('invalid', describeErrors(decoded.left), record, value);
  return { kind: 'order', order: decoded.right, source: record, raw: value };
}

/** `amount: expected a finite number >= 0, got -5`: one clause a field, the path dotted. */
export function describeErrors(errors: t.Errors): string {
  const clauses = new Map<string, string>();
  for (const error of errors) {
    const path = error.context
      .map((entry) => entry.key)
      .filter((key) => key !== '')
      .join('.');
    if (clauses.has(path)) continue;
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a value';
    const what = EXPECTATIONS[expected] ?? (path === '' ? 'an object' : expected);
    clauses.set(path, `${path === '' ? 'record' : path}: expected ${what}, got ${show(error.value)}`);
  }
  return [...clauses.values()].join('; ');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (Array.isArray(value)) return 'an array';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
