import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Observable } from 'rxjs';
import type { SourceRecord } from '../model/source.js';
import { isBlank, LineSplitter } from './line-splitter.js';

export interface RecordingOptions {
  /** Awaited between chunks when it returns a promise: how a slow sink holds the reading back. */
  readonly whenReady?: () => Promise<void> | undefined;
  /** Told the bytes read from the file so far (compressed bytes for `.gz`), for a progress bar. */
  readonly onProgress?: (bytesRead: number) => void;
  readonly chunkBytes?: number;
}

/**
 * A recorded file (JSON Lines, gunzipped when its name ends in `.gz`) as the records of one partition,
 * numbered by line from 1. Blank lines (empty, or spaces and tabs only) are skipped but still counted.
 */
export function readRecording(path: string, options: RecordingOptions = {}): Observable<SourceRecord> {
  return new Observable<SourceRecord>((subscriber) => {
    const file = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
    const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
    if (input !== file) file.on('error', (err) => input.destroy(err));
    const splitter = new LineSplitter((line, lineNumber) => {
      if (!isBlank(line)) subscriber.next({ kind: 'record', partition: 0, offset: lineNumber, value: line });
    });
    let stopped = false;
    (async () => {
      for await (const chunk of input) {
        if (stopped) return;
        splitter.push(chunk as Buffer);
        options.onProgress?.(file.bytesRead);
        const wait = options.whenReady?.();
        if (wait !== undefined) await wait;
      }
      if (stopped) return;
      splitter.end();
      subscriber.complete();
    })().catch((err: unknown) => subscriber.error(err));
    return () => {
      stopped = true;
      file.destroy();
      if (input !== file) input.destroy();
    };
  });
}
