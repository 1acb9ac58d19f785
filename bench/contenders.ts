import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DEFAULT_ANALYTICS_SETTINGS } from '../lib/analytics/settings.js';
import { LineSplitter } from '../lib/io/line-splitter.js';
import { LineWriter } from '../lib/io/line-writer.js';
import { replay, type ReplaySummary } from '../lib/io/replay.js';

/**
 * What is measured: our replay, and two bare baselines that only read the lines and JSON.parse them,
 * the least any replay of a JSON Lines file must do. Their ratio is the cost of everything else.
 */
export interface ContenderResult {
  /** Orders (lines) handled. */
  readonly orders: number;
  /** Our replay's counts, to check that the recording exercises every rule. */
  readonly summary?: ReplaySummary;
}

export type Contender = (file: string, onProgress?: (bytesRead: number) => void) => Promise<ContenderResult>;

// All three read 1 MiB chunks, as readRecording does, so that only the per-line work differs.
const CHUNK_BYTES = 1 << 20;

/** Ours: the real replay with the default settings, every output to /dev/null. */
const ours: Contender = async (file, onProgress) => {
  const summary = await replay({
    file,
    settings: DEFAULT_ANALYTICS_SETTINGS,
    analytics: LineWriter.toFile('/dev/null'),
    deadLetters: LineWriter.toFile('/dev/null'),
    ...(onProgress ? { onProgress } : {}),
  });
  return { orders: summary.orders, summary };
};

/** Baseline (a): the textbook way, node:readline over a file stream. The 'line' event, not `for await`, which is slower. */
const readline: Contender = async (file) => {
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: CHUNK_BYTES }), crlfDelay: Infinity });
  let orders = 0;
  lines.on('line', (line) => {
    // Counting non-null results keeps the parse from being optimised away.
    if (JSON.parse(line) !== null) orders += 1;
  });
  await once(lines, 'close');
  return { orders };
};

/** Baseline (b): our own byte splitter, then decode and parse: the floor under our replay's reading. */
const splitter: Contender = async (file) => {
  let orders = 0;
  const lines = new LineSplitter((line) => {
    if (JSON.parse(line.toString()) !== null) orders += 1;
  });
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) lines.push(chunk as Buffer);
  lines.end();
  return { orders };
};

export const CONTENDERS = { readline, ours, splitter } as const;
export type ContenderName = keyof typeof CONTENDERS;
