import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Writes lines to a stream in batches (one write per ~64 KiB rather than per line) and says when the
 * stream wants the writer to wait, so that a slow consumer slows the replay instead of filling memory.
 */
export class LineWriter {
  // Lines not yet handed to the stream.
  private pending: string[] = [];
  private pendingChars = 0;
  // Set while the stream's buffer is over its mark.
  private drained: Promise<void> | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
    private readonly batchChars = 64 * 1024,
  ) {}

  static toFile(path: string): LineWriter {
    return new LineWriter(createWriteStream(path), true);
  }

  write(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= this.batchChars) this.flush();
  }

  /** A promise while the stream asks to wait, else undefined. */
  whenReady(): Promise<void> | undefined {
    return this.drained;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingChars = 0;
    if (!this.stream.write(text) && this.drained === undefined) {
      this.drained = new Promise((resolve) =>
        this.stream.once('drain', () => {
          this.drained = undefined;
          resolve();
        }),
      );
    }
  }

  /** Flushes and, for a file it opened, closes it; resolves once everything is written. */
  async close(): Promise<void> {
    this.flush();
    if (this.ownsStream) {
      await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } else if (this.stream.writableNeedDrain) {
      await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
    }
  }
}
