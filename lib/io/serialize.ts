import { isUtf8 } from 'node:buffer';
import type { Analytics } from '../model/analytics.js';
import type { DeadLetter } from '../model/dead-letter.js';

/** An analytics message as it goes on the wire: one JSON object, fields in the codec's order. */
export const analyticsJson = (message: Analytics): string => JSON.stringify(message);

/**
 * A dead letter of a replay as one JSON line: `{"reason","detail","line","raw"}`. Bytes that are not UTF-8
 * cannot stand in a JSON string as they are, so such a line also carries them whole as `raw_base64`.
 */
export function deadLetterLine(letter: DeadLetter): string {
  const { raw } = letter;
  const fields: Record<string, unknown> = { reason: letter.reason, detail: letter.detail, line: letter.source.offset };
  if (raw === null) {
    fields.raw = null;
  } else if (typeof raw === 'string') {
    fields.raw = raw;
  } else {
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    fields.raw = bytes.toString('utf8');
    if (!isUtf8(bytes)) fields.raw_base64 = bytes.toString('base64');
  }
  return JSON.stringify(fields);
}
