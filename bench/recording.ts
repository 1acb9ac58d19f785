import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Prng } from '../lib/io/prng.js';

/**
 * The bench recording: a reproducible JSON Lines file of orders shaped like real traffic, so that the
 * replay is measured on realistic work (windows with many customers, some disorder, some late records,
 * ~1% fraud) rather than on a toy. The same parameters give the same bytes, so figures from different
 * days and machines compare; the file is cached in bench-data/ under a name made of its parameters.
 */
export interface RecordingParams {
  readonly orders: number;
  readonly customers: number;
  readonly seed: number;
}

/** What the generator did, kept next to the file so a reused file still tells how it was made. */
export interface RecordingMeta extends RecordingParams {
  readonly version: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly generatedMs: number;
  readonly spanHours: number;
  readonly jittered: number;
  readonly stragglers: number;
  readonly highAmounts: number;
  readonly burstOrders: number;
}

export interface Recording {
  readonly path: string;
  readonly meta: RecordingMeta;
  /** False when an earlier run's file was used. */
  readonly generated: boolean;
}

// Bump when the generator changes, so that an old file of the same parameters is not reused.
const VERSION = 1;
// Monday 2024-06-03T00:00:00Z: windows then line up with whole UTC hours.
const START = Date.UTC(2024, 5, 3);
// One order every 216 ms on average: 1M orders span 60 hours, ~16,700 orders in each hourly window,
// whatever --orders says (a smaller run is a shorter period, not a sparser one).
const MEAN_GAP_MS = 216;
// Arrival disorder. Within the default 5 s bound: on time, only reordered. Stragglers come 5 s to 30 min
// behind; the ones whose hour has already fired by then are late (dead letters).
const JITTER_SHARE = 0.05;
const STRAGGLER_SHARE = 0.001;
// Fraud, ~1% of orders: half are amounts above the 1000 threshold, half are velocity bursts of 6-9
// orders of one customer 2-9 s apart (6 of them always fall within one minute: > 5 orders, an alert).
const HIGH_AMOUNT_SHARE = 0.005;
const BURST_ORDER_SHARE = 0.005;
const BURST_START_SHARE = BURST_ORDER_SHARE / 7.5;
const SKUS = 5000;

export const DATA_DIR = fileURLToPath(new URL('../../bench-data/', import.meta.url));

export function recordingPath(p: RecordingParams): string {
  return `${DATA_DIR}orders-${p.orders}-c${p.customers}-seed${p.seed}-v${VERSION}.jsonl`;
}

/** The recording for these parameters: the cached file if a complete one exists, else a new one. */
export function ensureRecording(params: RecordingParams): Recording {
  const path = recordingPath(params);
  const metaPath = path.replace(/\.jsonl$/, '.meta.json');
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as RecordingMeta;
    if (statSync(path).size === meta.bytes) return { path, meta, generated: false };
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const meta = generate(params, path);
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { path, meta, generated: true };
}

/** A burst in progress: its next order's time and how many are left. */
interface Burst {
  readonly customerId: string;
  next: number;
  left: number;
}

function generate(params: RecordingParams, path: string): RecordingMeta {
  const started = performance.now();
  const rng = new Prng(params.seed);
  const hash = createHash('sha256');
  // Written under a temporary name and renamed at the end, so that an interrupted run is never reused.
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let batch: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    const text = batch.join('');
    batch = [];
    hash.update(text);
    bytes += writeSync(fd, text);
  };

  const counts = { jittered: 0, stragglers: 0, highAmounts: 0, burstOrders: 0 };
  let written = 0;
  const emit = (customerId: string, amount: number, timestamp: number): void => {
    written += 1;
    const items: string[] = [];
    for (let n = rng.int(0, 4); n > 0; n--) items.push(`sku-${rng.int(1, SKUS)}`);
    const orderId = `ord-${String(written).padStart(8, '0')}`;
    batch.push(JSON.stringify({ orderId, customerId, amount, timestamp, items }) + '\n');
    if (batch.length >= 10_000) flush();
  };
  const customer = (index: number): string => `cust-${String(index).padStart(6, '0')}`;
  // Cents, as a JSON number with at most two decimals (the money code's exact fast path).
  const cents = (dollars: number): number => Math.round(dollars * 100) / 100;

  const bursts: Burst[] = [];
  let clock = START;
  while (written < params.orders) {
    clock += rng.exponential(MEAN_GAP_MS);
    const now = Math.floor(clock);
    // Burst orders due by now go first, earliest first, so that the file stays in arrival order.
    for (let due = earliestDue(bursts, now); due !== undefined && written < params.orders; due = earliestDue(bursts, now)) {
      emit(due.customerId, cents(1 + rng.next() * 19), due.next);
      counts.burstOrders += 1;
      due.next += rng.int(2_000, 9_000);
      if (--due.left === 0) bursts.splice(bursts.indexOf(due), 1);
    }
    if (written >= params.orders) break;
    if (rng.chance(BURST_START_SHARE)) {
      // Fraud hits any account, not just the popular ones.
      bursts.push({ customerId: customer(rng.int(0, params.customers - 1)), next: now + rng.int(0, 1_000), left: rng.int(6, 9) });
    }
    // Skewed popularity: index = customers * u^2, so the top 1% of customers place ~10% of the orders.
    const u = rng.next();
    const customerId = customer(Math.floor(params.customers * u * u));
    let amount: number;
    if (rng.chance(HIGH_AMOUNT_SHARE)) {
      amount = cents(1000.01 + rng.next() * 9000);
      counts.highAmounts += 1;
    } else {
      // Log-normal around $35, like a shop's basket sizes.
      amount = Math.min(999.99, Math.max(0.5, cents(Math.exp(Math.log(35) + 0.9 * rng.normal()))));
    }
    let timestamp = now;
    const r = rng.next();
    if (r < STRAGGLER_SHARE) {
      timestamp -= rng.int(5_001, 1_800_000);
      counts.stragglers += 1;
    } else if (r < STRAGGLER_SHARE + JITTER_SHARE) {
      timestamp -= rng.int(1, 4_999);
      counts.jittered += 1;
    }
    emit(customerId, amount, timestamp);
  }
  flush();
  closeSync(fd);
  renameSync(tmp, path);
  return {
    ...params,
    version: VERSION,
    bytes,
    sha256: hash.digest('hex'),
    generatedMs: Math.round(performance.now() - started),
    spanHours: Math.round(((clock - START) / 3_600_000) * 10) / 10,
    ...counts,
  };
}

function earliestDue(bursts: readonly Burst[], now: number): Burst | undefined {
  let best: Burst | undefined;
  for (const b of bursts) if (b.next <= now && (best === undefined || b.next < best.next)) best = b;
  return best;
}
