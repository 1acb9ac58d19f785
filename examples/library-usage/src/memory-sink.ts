import type { OutgoingMessage, RecordSink } from 'stream-processor';

/**
 * A sink of our own: keeps what the job publishes in memory (a stand-in for a database or an HTTP API).
 * Every message is acknowledged at once, so nothing is ever pending.
 */
export class MemorySink implements RecordSink {
  readonly messages: OutgoingMessage[] = [];
  private closed = false;

  send(message: OutgoingMessage): void {
    if (this.closed) throw new Error('the sink is closed');
    this.messages.push(message);
  }

  pending(): number {
    return 0;
  }

  async flush(): Promise<void> {}

  async belowBound(): Promise<void> {}

  onFailure(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The analytics published, as parsed JSON, by type (dead letters, which carry their reason in headers, left out). */
  analytics(type: string): Array<Record<string, unknown>> {
    return this.messages
      .filter((m) => m.headers === undefined && typeof m.value === 'string')
      .map((m) => JSON.parse(m.value as string) as Record<string, unknown>)
      .filter((m) => m.type === type);
  }
}
