import { statSync } from 'node:fs';
import type { ReplaySummary } from '../lib/io/replay.js';
import { CONTENDERS, type ContenderName } from './contenders.js';

/**
 * Child entry: runs ONE contender over the file and prints one JSON line of figures on stdout. Each
 * run gets its own process so that its peak RSS is its own, not the high-water mark of whatever ran
 * before it in the same process.
 *
 *   node [--expose-gc] dist/bench/run-contender.js <readline|ours|splitter> FILE [--sample-memory]
 *
 * --sample-memory (with --expose-gc) also records the heap after a full GC at every tenth of the file
 * and after the end: flat figures mean memory follows the open windows, growing ones mean history is kept.
 * The GCs cost time, so the parent runs it apart from the timed runs.
 */
export interface MemorySample {
  /** How far into the file, in percent of its bytes; 'end' once the replay has finished. */
  readonly at: number | 'end';
  readonly heapUsedMB: number;
  readonly rssMB: number;
}

export interface RunResult {
  readonly contender: ContenderName;
  readonly orders: number;
  readonly elapsedMs: number;
  /** process.resourceUsage().maxRSS, in kilobytes: the peak over the whole process. */
  readonly maxRssKB: number;
  readonly summary?: ReplaySummary;
  readonly memory?: MemorySample[];
}

const [name, file, ...flags] = process.argv.slice(2);
if (name === undefined || !(name in CONTENDERS) || file === undefined) {
  process.stderr.write(`usage: run-contender.js <${Object.keys(CONTENDERS).join('|')}> FILE [--sample-memory]\n`);
  process.exit(2);
}
const contender = name as ContenderName;

const memory: MemorySample[] = [];
const sample = (at: MemorySample['at']): void => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  memory.push({ at, heapUsedMB: usage.heapUsed / 1e6, rssMB: usage.rss / 1e6 });
};
let onProgress: ((bytesRead: number) => void) | undefined;
if (flags.includes('--sample-memory')) {
  const size = statSync(file).size;
  let nextTenth = 1;
  // Called after each chunk has gone through the pipeline (the pipeline is synchronous per chunk).
  onProgress = (bytesRead) => {
    while (nextTenth <= 10 && bytesRead >= (size * nextTenth) / 10) sample(10 * nextTenth++);
  };
}

const started = performance.now();
const result = await CONTENDERS[contender](file, onProgress);
const elapsedMs = performance.now() - started;
if (onProgress) sample('end');

const out: RunResult = {
  contender,
  orders: result.orders,
  elapsedMs,
  maxRssKB: process.resourceUsage().maxRSS,
  ...(result.summary ? { summary: result.summary } : {}),
  ...(onProgress ? { memory } : {}),
};
process.stdout.write(JSON.stringify(out) + '\n');
