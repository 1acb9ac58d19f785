/**
 * Splits a byte stream into lines at `\n`, dropping one `\r` before it, without decoding: each line is
 * handed over as bytes with its number (from 1), so that invalid UTF-8 and sizes are judged per record.
 * A line that lies within one chunk is a view of it, not a copy.
 */
export class LineSplitter {
  // Pieces of a line that began in an earlier chunk.
  private partial: Buffer[] = [];
  // Number of the next line.
  private lineNumber = 1;

  constructor(private readonly onLine: (line: Buffer, lineNumber: number) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, end);
      if (this.partial.length > 0) {
        this.partial.push(line);
        line = Buffer.concat(this.partial);
        this.partial = [];
      }
      this.emit(line);
      start = end + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  /** Hands over a last line that has no `\n` after it. */
  end(): void {
    if (this.partial.length === 0) return;
    const line = Buffer.concat(this.partial);
    this.partial = [];
    this.emit(line);
  }

  private emit(line: Buffer): void {
    const length = line.length;
    this.onLine(length > 0 && line[length - 1] === 13 ? line.subarray(0, length - 1) : line, this.lineNumber++);
  }
}

/** True for a line the input rules skip (semantics §1): empty, or only spaces and tabs. */
export function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const byte = line[i];
    if (byte !== 32 && byte !== 9) return false;
  }
  return true;
}
