/**
 * A one-line progress bar on a terminal: how much of the file is read, and how fast. Redrawn at most ten
 * times a second, so it costs nothing against the replay itself.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly totalBytes: number,
  ) {}

  update(bytesRead: number): void {
    const now = performance.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const fraction = this.totalBytes > 0 ? Math.min(1, bytesRead / this.totalBytes) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const mbPerSecond = bytesRead / 1e6 / Math.max(1e-3, (now - this.started) / 1000);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    this.stream.write(`\r[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${(bytesRead / 1e6).toFixed(1)}/${(this.totalBytes / 1e6).toFixed(1)} MB  ${mbPerSecond.toFixed(1)} MB/s`);
  }

  /** Clears the line, so that the summary starts clean. */
  done(): void {
    this.stream.write('\r\x1b[K');
  }
}
