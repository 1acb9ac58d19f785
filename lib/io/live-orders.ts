import { Prng } from './prng.js';

export interface LiveOrderOptions {
  readonly customers: number;
  /** Share of orders that start fraud: half amounts above the threshold, half velocity bursts. */
  readonly fraudShare: number;
  readonly seed: number;
}

/**
 * Synthetic order events for demos and load: skewed customer popularity, log-normal basket sizes, and
 * now and then a fraud pattern (an amount above $1000, or a burst of 6-8 orders of one customer within
 * a few seconds). Each call gives the next order, stamped with the given time.
 */
export function liveOrders(options: LiveOrderOptions): (now: number) => string {
  const rng = new Prng(options.seed);
  let count = 0;
  // A burst in progress: its customer and how many orders remain.
  let burst: { customerId: string; left: number } | undefined;
  const customer = (i: number): string => `cust-${String(i).padStart(6, '0')}`;
  return (now) => {
    count += 1;
    let customerId: string;
    let amount: number;
    if (burst !== undefined) {
      customerId = burst.customerId;
      amount = Math.round((5 + rng.next() * 20) * 100) / 100;
      if (--burst.left === 0) burst = undefined;
    } else {
      const u = rng.next();
      customerId = customer(Math.floor(options.customers * u * u));
      amount = Math.min(999.99, Math.max(0.5, Math.round(Math.exp(Math.log(35) + 0.9 * rng.normal()) * 100) / 100));
      if (rng.chance(options.fraudShare / 2)) amount = Math.round((1000.01 + rng.next() * 4000) * 100) / 100;
      else if (rng.chance(options.fraudShare / 2)) burst = { customerId, left: rng.int(5, 7) };
    }
    const items: string[] = [];
    for (let n = rng.int(1, 3); n > 0; n--) items.push(`sku-${rng.int(1, 5000)}`);
    return JSON.stringify({ orderId: `live-${options.seed}-${count}`, customerId, amount, timestamp: now, items });
  };
}
