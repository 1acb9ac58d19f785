import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';

/**
 * What a task's commit carries besides the offset, in Kafka's per-partition metadata string (at most 4 KB
 * by default on the broker): enough to pick up where it left off. `-Infinity` is written as `null`.
 */

const Time = t.union([t.number, t.null]);

/**
 * A source task: its partition's watermark where the commit's offset stands, and (`n`, when further on)
 * where its own output stopped: the re-read below it is for the local lane of the customer task beside it
 * (see `LaneTracker`), and publishes nothing else again.
 */
const SourceMeta = t.intersection([t.type({ t: t.literal('source'), w: Time }), t.partial({ n: t.number })]);

/**
 * A customer task: its watermark; the next log offset it had read; per input partition (lane) where its
 * re-read starts, the last input offset taken before that, how far it had processed, and the lane's
 * watermark where the re-read starts; and each input
 * partition's last word (watermark, caught up, newest event time, next offset to read, where in the log).
 */
const CustomerMeta = t.intersection([
  t.type({
    t: t.literal('customer'),
    w: Time,
    n: t.number,
    // The lane's watermark (fourth) came later: a commit without it restores the lane as unheard of.
    l: t.record(t.string, t.union([t.tuple([t.number, t.number, t.number, Time]), t.tuple([t.number, t.number, t.number])])),
    o: t.record(t.string, t.tuple([Time, t.boolean, Time, t.union([t.number, t.null]), t.union([t.number, t.null])])),
  }),
  // The local lane: its offsets are its input partition's. Commits without it come from a build that sent
  // every lane through the internal topic, and cannot be restored by this one.
  t.partial({ k: t.number }),
]);

/** The combiner: its watermark, and each customer task's. */
const CombinerMeta = t.type({ t: t.literal('combiner'), w: Time, k: t.record(t.string, Time) });

const Meta = t.union([SourceMeta, CustomerMeta, CombinerMeta]);
type Meta = t.TypeOf<typeof Meta>;

export interface SourceRestore {
  readonly w: number;
  /** Where the task's own output stopped, if beyond the commit's offset. */
  readonly n?: number;
}
export interface CustomerRestore {
  readonly w: number;
  readonly next: number;
  /** The local lane, if it had one. */
  readonly local?: number;
  readonly lanes: ReadonlyMap<number, { readonly from: number; readonly taken: number; readonly readUpTo: number; readonly watermark: number }>;
  readonly words: ReadonlyMap<number, { readonly watermark: number; readonly caughtUp: boolean; readonly latest: number; readonly next?: number; readonly at?: number }>;
}
export interface CombinerRestore {
  readonly w: number;
  readonly tasks: ReadonlyMap<number, number>;
}

const fromTime = (n: number | null): number => (n === null ? -Infinity : n);
const toTime = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function readMetadata(metadata: string | null, kind: 'source'): SourceRestore | undefined;
export function readMetadata(metadata: string | null, kind: 'customer'): CustomerRestore | undefined;
export function readMetadata(metadata: string | null, kind: 'combiner'): CombinerRestore | undefined;
export function readMetadata(metadata: string | null, kind: Meta['t']): SourceRestore | CustomerRestore | CombinerRestore | undefined {
  if (metadata === null || metadata === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(metadata);
  } catch {
    // Written by something else: start without a restore point rather than fail.
    return undefined;
  }
  const decoded = Meta.decode(value);
  if (!isRight(decoded) || decoded.right.t !== kind) return undefined;
  const m = decoded.right;
  switch (m.t) {
    case 'source':
      return { w: fromTime(m.w), ...(m.n !== undefined ? { n: m.n } : {}) };
    case 'customer':
      return {
        w: fromTime(m.w),
        next: m.n,
        ...(m.k !== undefined ? { local: m.k } : {}),
        lanes: new Map(Object.entries(m.l).map(([k, [from, taken, readUpTo, watermark]]) => [Number(k), { from, taken, readUpTo, watermark: fromTime(watermark ?? null) }])),
        words: new Map(Object.entries(m.o).map(([k, [w, caughtUp, latest, next, at]]) => [Number(k), { watermark: fromTime(w), caughtUp, latest: fromTime(latest), ...(next !== null ? { next } : {}), ...(at !== null ? { at } : {}) }])),
      };
    case 'combiner':
      return { w: fromTime(m.w), tasks: new Map(Object.entries(m.k).map(([k, w]) => [Number(k), fromTime(w)])) };
  }
}

export type MetadataInput =
  | ({ readonly t: 'source' } & SourceRestore)
  | ({ readonly t: 'customer' } & CustomerRestore)
  | ({ readonly t: 'combiner' } & CombinerRestore);

export function writeMetadata(m: MetadataInput): string {
  switch (m.t) {
    case 'source':
      return JSON.stringify({ t: 'source', w: toTime(m.w), ...(m.n !== undefined ? { n: m.n } : {}) } satisfies Meta);
    case 'customer':
      return JSON.stringify({
        t: 'customer',
        w: toTime(m.w),
        n: m.next,
        ...(m.local !== undefined ? { k: m.local } : {}),
        l: Object.fromEntries([...m.lanes].map(([k, l]) => [String(k), [l.from, l.taken, l.readUpTo, toTime(l.watermark)] as [number, number, number, number | null]])),
        o: Object.fromEntries([...m.words].map(([k, o]) => [String(k), [toTime(o.watermark), o.caughtUp, toTime(o.latest), o.next ?? null, o.at ?? null] as [number | null, boolean, number | null, number | null, number | null]])),
      } satisfies Meta);
    case 'combiner':
      return JSON.stringify({ t: 'combiner', w: toTime(m.w), k: Object.fromEntries([...m.tasks].map(([k, w]) => [String(k), toTime(w)])) } satisfies Meta);
  }
}

/** Kafka's default `offset.metadata.max.bytes`: a commit whose metadata is longer is refused. */
export const KAFKA_DEFAULT_METADATA_MAX_BYTES = 4_096;

/**
 * How long a customer task's commit metadata can grow with `lanes` input partitions: every lane with a
 * restore point and a last word, offsets of 12 digits and timestamps of 13 (a partition with a trillion
 * records, event time in this millennium). The service warns at start when this passes what the brokers
 * take by default, since a refused commit only shows as a warning at each try.
 */
export function customerMetadataBound(lanes: number): number {
  const offset = 999_999_999_999;
  const time = 9_999_999_999_999;
  return writeMetadata({
    t: 'customer',
    w: time,
    next: offset,
    local: lanes,
    lanes: new Map(Array.from({ length: lanes }, (_, lane) => [lane, { from: offset, taken: offset, readUpTo: offset, watermark: time }])),
    words: new Map(Array.from({ length: lanes }, (_, lane) => [lane, { watermark: time, caughtUp: false, latest: time, next: offset, at: offset }])),
  }).length;
}
