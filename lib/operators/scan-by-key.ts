import { Observable, type OperatorFunction } from 'rxjs';
import { MinHeap } from './min-heap.js';
import type { StreamElement } from './stream-element.js';

export interface ScanByKeyOptions<T, K, S, OUT> {
  readonly keyOf: (value: T) => K;
  /** A new key's empty state. */
  readonly seed: (key: K) => S;
  /** Folds one record into its key's state (in place) and returns what to emit, if anything. */
  readonly step: (state: S, value: T, timestamp: number) => OUT | undefined;
  /** The event time from which the state can no longer matter: it is dropped once the watermark gets there. */
  readonly expiresAt: (state: S) => number;
  /** Told the number of live keys whenever it changes, for metrics. */
  readonly onSize?: (liveKeys: number) => void;
}

/** A live key's state and the event time it expires at. */
interface Entry<S> {
  readonly state: S;
  expiresAt: number;
}

interface Expiry<K> {
  readonly key: K;
  readonly at: number;
}

/**
 * `scan` per key, with state that ends in event time: `groupBy(key, { duration })` + `scan`, fused into one
 * Map so that a key costs one entry rather than a Subject and a subscription chain, and so that a quiet key
 * is released by the watermark (Flink's keyed state with a TTL).
 *
 * 1. A record's key gets its state (seeded if new); `step` folds the record in and may emit.
 * 2. On a watermark `w`, every key whose `expiresAt(state) <= w` is dropped: memory follows live keys.
 *    A record for it later starts from a fresh seed.
 * 3. Watermarks themselves are not emitted.
 *
 * ```
 * source:  -a-a-W-a-|     count per key; a key expires 100 ms after its last record; W = watermark 200
 * result:  -1-2---1-|     (the key was released at W, so the count starts again)
 * ```
 */
export function scanByKey<T, K, S, OUT>(options: ScanByKeyOptions<T, K, S, OUT>): OperatorFunction<StreamElement<T>, OUT> {
  const { keyOf, seed, step, expiresAt, onSize } = options;
  return (source) =>
    new Observable<OUT>((subscriber) => {
      // Live keys and their state.
      const live = new Map<K, Entry<S>>();
      // One entry a live key, soonest expiry on top; an entry found stale is pushed again with the new time.
      const expiries = new MinHeap<Expiry<K>>((a, b) => a.at < b.at);

      const onRecord = (value: T, timestamp: number): void => {
        const key = keyOf(value);
        let entry = live.get(key);
        const isNew = entry === undefined;
        if (entry === undefined) {
          entry = { state: seed(key), expiresAt: -Infinity };
          live.set(key, entry);
        }
        const out = step(entry.state, value, timestamp);
        entry.expiresAt = expiresAt(entry.state);
        if (isNew) {
          expiries.push({ key, at: entry.expiresAt });
          onSize?.(live.size);
        }
        if (out !== undefined) subscriber.next(out);
      };

      const onWatermark = (watermark: number): void => {
        let released = false;
        for (let top = expiries.peek(); top !== undefined && top.at <= watermark; top = expiries.peek()) {
          expiries.pop();
          const entry = live.get(top.key) as Entry<S>;
          if (entry.expiresAt <= watermark) {
            live.delete(top.key);
            released = true;
          } else {
            expiries.push({ key: top.key, at: entry.expiresAt });
          }
        }
        if (released) onSize?.(live.size);
      };

      const subscription = source.subscribe({
        next: (element) => {
          try {
            if (element.kind === 'record') onRecord(element.value, element.timestamp);
            else onWatermark(element.timestamp);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        live.clear();
        expiries.clear();
      };
    });
}
