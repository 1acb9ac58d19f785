import type { Writable } from 'node:stream';
import { FileError } from './file-error.js';
import { openOutputFile, type OutputFile } from './output-file.js';

/**
 * Writes lines to a stream in batches (one write per ~64 KiB rather than per line) and says when the
 * stream wants the writer to wait, so that a slow consumer slows the replay instead of filling memory.
 * A writer to a file it opened puts the file in place only when closed (see output-file.ts).
 */
export class LineWriter {
  // Lines not yet handed to the stream.
  private pending: string[] = [];
  private pendingChars = 0;
  // Set while the stream's buffer is over its mark.
  private drained: Promise<void> | undefined;
  private releaseDrained: (() => void) | undefined;
  // The file's first write error: every later write or close fails with it.
  private failure: FileError | undefined;

  /** `file`: the output file the writer owns (commits on close), if `stream` is one. */
  constructor(
    private readonly stream: Writable,
    private readonly file?: { readonly name: string; readonly output: OutputFile },
    private readonly batchChars = 64 * 1024,
  ) {
    if (file !== undefined) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        this.failure ??= new FileError(`${file.name}: cannot write it (${err.code ?? err.message})`);
        // A failed stream never drains: let a waiting reader go on, to meet the failure at its next write.
        this.releaseDrained?.();
      });
    }
  }

  static toFile(path: string): LineWriter {
    const output = openOutputFile(path);
    return new LineWriter(output.stream, { name: path, output });
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
    if (this.failure !== undefined) throw this.failure;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingChars = 0;
    if (!this.stream.write(text) && this.drained === undefined) {
      this.drained = new Promise((resolve) => {
        this.releaseDrained = () => {
          this.drained = undefined;
          this.releaseDrained = undefined;
          resolve();
        };
        this.stream.once('drain', this.releaseDrained);
      });
    }
  }

  /** Flushes and, for a file it opened, puts the file in place; resolves once everything is written. */
  async close(): Promise<void> {
    this.flush();
    if (this.file !== undefined) {
      try {
        await this.file.output.commit();
      } catch (err) {
        throw this.failure ?? new FileError(`${this.file.name}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    } else {
      // Waits until the stream has handed everything on: a reader that has gone (EPIPE) is then known
      // before the caller goes on to report success.
      await new Promise<void>((resolve, reject) => this.stream.write('', (err) => (err ? reject(err) : resolve())));
    }
  }

  /** Gives up: a file it opened is dropped and its target left as it was. Nothing for a stream it was lent. */
  abandon(): void {
    this.pending = [];
    this.pendingChars = 0;
    this.file?.output.abandon();
  }
}
