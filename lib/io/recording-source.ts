import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Observable } from 'rxjs';
import type { SourceRecord } from '../model/source.js';
import { FileError } from './file-error.js';
import { isBlank, LineSplitter } from './line-splitter.js';

/** The path that stands for standard input, as in most command-line tools. */
export const STDIN_PATH = '-';

export interface RecordingOptions {
  /** Awaited between chunks when it returns a promise: how a slow sink holds the reading back. */
  readonly whenReady?: () => Promise<void> | undefined;
  /** Told the bytes read from the file so far (compressed bytes for gzip), for a progress bar. */
  readonly onProgress?: (bytesRead: number) => void;
  readonly chunkBytes?: number;
}

/** How a recording is named in messages: its path, or "standard input". */
export const recordingName = (path: string): string => (path === STDIN_PATH ? 'standard input' : path);

/**
 * A recorded file (JSON Lines; `-` reads standard input) as the records of one partition, numbered by
 * line from 1. It is gunzipped when it starts with gzip's magic bytes or its name ends in `.gz`. Blank
 * lines (empty, or spaces and tabs only) are skipped but still counted. A file that cannot be read to
 * the end (a cut-short or damaged `.gz`) fails with a FileError naming it and the line where it stopped.
 */
export function readRecording(path: string, options: RecordingOptions = {}): Observable<SourceRecord> {
  return new Observable<SourceRecord>((subscriber) => {
    const raw = path === STDIN_PATH ? process.stdin : createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
    let bytesRead = 0;
    // The last line handed over, blank or not: the data stopped in the one after it.
    let lastLine = 0;
    const splitter = new LineSplitter((line, lineNumber) => {
      lastLine = lineNumber;
      if (!isBlank(line)) subscriber.next({ kind: 'record', partition: 0, offset: lineNumber, value: line });
    });
    const counted = (async function* () {
      for await (const chunk of raw) {
        bytesRead += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    })();
    const content = contentOf(counted, path.endsWith('.gz'));
    let stopped = false;
    (async () => {
      for await (const chunk of content) {
        if (stopped) return;
        splitter.push(chunk);
        options.onProgress?.(bytesRead);
        const wait = options.whenReady?.();
        if (wait !== undefined) await wait;
      }
      if (stopped) return;
      splitter.end();
      subscriber.complete();
    })().catch((err: unknown) => {
      if (!stopped) subscriber.error(new FileError(`${recordingName(path)}: ${whatWentWrong(err)}; stopped at line ${lastLine + 1}`));
    });
    return () => {
      stopped = true;
      raw.destroy();
      void content.return(undefined);
    };
  });
}

/** The bytes of the recording: gunzipped if they start with gzip's magic bytes or the name says so. */
async function* contentOf(raw: AsyncGenerator<Buffer>, gzipByName: boolean): AsyncGenerator<Buffer> {
  // Enough of the start to see the magic bytes (a pipe may hand over a single byte first).
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await raw.next();
    if (next.done === true) break;
    head.push(next.value);
    headBytes += next.value.length;
  }
  if (headBytes === 0) return;
  const whole = async function* (): AsyncGenerator<Buffer> {
    yield* head;
    yield* raw;
  };
  const start = Buffer.concat(head);
  if (!(gzipByName || (start[0] === 0x1f && start[1] === 0x8b))) {
    yield* whole();
    return;
  }
  yield* gunzipped(whole());
}

// Compressed bytes handed to the gunzip at a time: bounds what one write can unpack at once.
const GZIP_SLICE_BYTES = 64 * 1024;

/**
 * Gunzips chunk by chunk, keeping the gunzip stream flowing into a queue of our own, so that every byte
 * it unpacked before an error (a cut-short file fails only at its end) reaches the reader before the
 * error does. (Iterating the stream itself drops unread output when an error destroys it.) The reader's
 * pace still holds the unpacking back: the next slice goes in only once the last one's output is taken.
 */
async function* gunzipped(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  let unpacked: Buffer[] = [];
  gunzip.on('data', (chunk: Buffer) => unpacked.push(chunk));
  const failed = new Promise<never>((_, reject) => gunzip.once('error', reject));
  failed.catch(() => undefined);
  let failure: unknown;
  // Waits for a step of the gunzip, or its failure; hands over what it unpacked meanwhile.
  const settle = async (step: Promise<unknown>): Promise<Buffer[]> => {
    try {
      await Promise.race([step, failed]);
    } catch {
      failure = await failed.catch((err: unknown) => err);
    }
    const ready = unpacked;
    unpacked = [];
    return ready;
  };
  try {
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.length; at += GZIP_SLICE_BYTES) {
        const slice = chunk.subarray(at, at + GZIP_SLICE_BYTES);
        yield* await settle(new Promise<void>((resolve, reject) => gunzip.write(slice, (err) => (err ? reject(err) : resolve()))));
        if (failure !== undefined) throw failure;
      }
    }
    yield* await settle(
      new Promise<void>((resolve) => {
        gunzip.once('end', resolve);
        gunzip.end();
      }),
    );
    if (failure !== undefined) throw failure;
  } finally {
    gunzip.destroy();
  }
}

function whatWentWrong(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  if (code === 'Z_BUF_ERROR') return `gzip data cut short (${message})`;
  if (typeof code === 'string' && code.startsWith('Z_')) return `gzip data damaged (${message})`;
  if (typeof code === 'string') return `cannot read it (${code})`;
  return message;
}
