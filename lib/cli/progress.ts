/**
 * A one-line progress bar on a terminal: how much of the file is read, and how fast (just the bytes and
 * the speed when the size is unknown, as on standard input). Redrawn at most ten times a second, so it
 * costs nothing against the replay itself. Each drawing clears the rest of the line, so a shorter text
 * never leaves the tail of a longer one behind.
 */
export class ProgressBar {
  // The first update draws at once.
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly started = performance.now();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly totalBytes: number | undefined,
  ) {}

  update(bytesRead: number): void {
    const now = performance.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r${progressLine(bytesRead, this.totalBytes, now - this.started)}\x1b[K`);
  }

  /** Clears the line, so that what comes next (the summary, an error) starts clean. */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** The bar's text, e.g. `[###.....]  10%  3.5/35.0 MB  12.0 MB/s`. */
export function progressLine(bytesRead: number, totalBytes: number | undefined, elapsedMs: number): string {
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  const speed = `${mb(bytesRead / Math.max(1e-3, elapsedMs / 1000))} MB/s`;
  if (totalBytes === undefined) return `${mb(bytesRead)} MB  ${speed}`;
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  const width = 30;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${mb(bytesRead)}/${mb(totalBytes)} MB  ${speed}`;
}
