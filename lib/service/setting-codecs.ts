import { isIP, isIPv4 } from 'node:net';
import * as t from 'io-ts';

/**
 * The kinds of value settings take, as io-ts codecs: what each setting really allows, so that a bad one
 * stops the command at start rather than somewhere inside Kafka or a timer later. Numbers refine `t.Int`
 * or `t.number`, so that `fromText` (setting-text.ts) knows how to read their text.
 */

/** `base` narrowed by `ok`, under `name`. */
function refine<C extends t.Mixed>(base: C, name: string, ok: (value: t.TypeOf<C>) => boolean): t.RefinementType<C, t.TypeOf<C>, t.OutputOf<C>, unknown> {
  return new t.RefinementType(
    name,
    (u): u is t.TypeOf<C> => base.is(u) && ok(u),
    (u, c) => {
      const decoded = base.validate(u, c);
      if (decoded._tag === 'Left') return decoded;
      return ok(decoded.right) ? t.success(decoded.right) : t.failure(u, c);
    },
    base.encode,
    base,
    ok,
  );
}

/** The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A safe integer from `min` to `max`, both included. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER): t.Mixed =>
  refine(t.Int, `Integer[${min},${max}]`, (n) => Number.isSafeInteger(n) && n >= min && n <= max);

/** A finite number >= `min`. */
export const decimalAtLeast = (min: number): t.Mixed => refine(t.number, `Decimal>=${min}`, (n) => Number.isFinite(n) && n >= min);

const DAY_MS = 86_400_000;

/**
 * A window size that keeps epoch-aligned windows aligned to UTC hours and days: one that divides a day
 * evenly (1 h, 15 min, 1 s...), or a whole number of days. A 7-minute window would start at 23:55 on one
 * day and 00:01 on another. Up to 366 days: beyond that a window holds its records (and the commit) back
 * for over a year, which no analytics here needs.
 */
export const windowSize = refine(t.Int, 'WindowSize', (n) => n > 0 && (DAY_MS % n === 0 || (n % DAY_MS === 0 && n <= 366 * DAY_MS)));

/** A name shown to Kafka or a path: not blank, no control characters, no space at either end. */
export const plainName = refine(t.string, 'PlainName', (s) => s.length > 0 && s.trim() === s && !/\p{Cc}/u.test(s));

/** Kafka's rule for topic names: 1 to 249 of `a-z A-Z 0-9 . _ -`, and not `.` or `..`. */
export const topicName = refine(t.string, 'TopicName', (s) => /^[a-zA-Z0-9._-]{1,249}$/.test(s) && s !== '.' && s !== '..');

/**
 * A host name (labels of letters, digits, '-' and '_' (Docker names have them), each at most 63 and not
 * starting or ending with '-'; 253 in all) or an IPv4 address. Something of digits and dots must be a
 * valid IPv4 address: `999.1.1.1` is neither.
 */
export function isHostName(host: string): boolean {
  if (/^[0-9.]+$/.test(host)) return isIPv4(host);
  const label = /^[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/;
  return host.length <= 253 && host.split('.').every((l) => label.test(l));
}

/** Where the HTTP server listens: empty (every interface), a host name, or an IPv4 or IPv6 address, no brackets. */
export const listenHost = refine(t.string, 'ListenHost', (s) => s === '' || isHostName(s) || isIP(s) !== 0);

/** A port in `host:port`: 1 to 65535, decimal, no leading zeros. */
const isBrokerPort = (text: string): boolean => /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65_535;

/**
 * Kafka's bootstrap list: empty (no Kafka), or `host:port` entries separated by commas, spaces around a
 * comma allowed. No IPv6 literals: kafkajs (2.2.4) cuts an address at its first ':', so `[::1]:9092`
 * could never connect; a host name that resolves to an IPv6 address works.
 */
export const brokerList = refine(
  t.string,
  'BrokerList',
  (s) =>
    s === '' ||
    // A space before the first entry or after the last fails the host or port check: "  " is not empty.
    s.split(/ *, */).every((entry) => {
      const colon = entry.lastIndexOf(':');
      return colon > 0 && isHostName(entry.slice(0, colon)) && isBrokerPort(entry.slice(colon + 1));
    }),
);
