import { writeFileSync } from 'node:fs';
import { Prng } from '../../lib/io/prng.js';

/**
 * A recording for the Kafka specs: `orders` orders over many hours whose disorder stays inside the 5 s
 * bound (but for stragglers, if asked for), with amounts above $1000, velocity bursts, and a bad line of
 * two kinds every few hundred lines. Returns its lines.
 */
export function writeRecording(path: string, orders: number, seed = 7, options: { readonly stragglerEvery?: number } = {}): string[] {
  const lines = recordingLines(orders, seed, options);
  writeFileSync(path, lines.join('\n') + '\n');
  return lines;
}

/** The lines {@link writeRecording} writes. */
export function recordingLines(orders: number, seed = 7, options: { readonly stragglerEvery?: number } = {}): string[] {
  const rng = new Prng(seed);
  let clock = Date.UTC(2024, 5, 1);
  const lines: string[] = [];
  const order = (orderId: string, customerId: string, amount: number, timestamp: number) =>
    lines.push(JSON.stringify({ orderId, customerId, amount, timestamp, items: ['sku'] }));
  for (let i = 0; i < orders; i++) {
    clock += rng.int(0, 4_000);
    if (i % 400 === 0) {
      // Seven orders of one customer within 12 s: a velocity alert.
      for (let k = 0; k < 7; k++) order(`burst-${i}-${k}`, `burst-${i}`, 9.99, clock + k * 2_000);
      clock += 14_000;
    }
    const amount = i % 53 === 0 ? 1500.25 : Math.round((1 + rng.next() * 300) * 100) / 100;
    // Up to 4 s behind the clock: reordered, never late (the bound is 5 s). A straggler, when asked for,
    // is up to 2 hours behind: late, or not, depending on where event time stands when it is taken.
    const straggler = options.stragglerEvery !== undefined && i % options.stragglerEvery === options.stragglerEvery - 1;
    order(`o-${i}`, `c-${rng.int(0, 199)}`, amount, clock - (straggler ? rng.int(0, 7_200_000) : rng.int(0, 4_000)));
    if (i % 250 === 125) {
      lines.push('not json at all');
      lines.push(JSON.stringify({ orderId: `bad-${i}`, customerId: 'x', amount: -1, timestamp: clock, items: [] }));
    }
  }
  return lines;
}

/** An order far in the future, one a partition: it moves every partition's watermark past the data. */
export const sentinel = (partition: number): string =>
  JSON.stringify({ orderId: `sentinel-${partition}`, customerId: `sentinel-${partition}`, amount: 1, timestamp: Date.UTC(2030, 0, 1), items: [] });

/** True for the results that only the sentinels make: their own window never closes on Kafka. */
export const isSentinelResult = (json: string): boolean => json.includes('"sentinel-') || json.includes('"2030-01-01T00:00:00"');
