import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often an idle stream gets a comment line, so that proxies and browsers keep it open. */
export const HEARTBEAT_MS = 15_000;
/**
 * Bytes a client may have waiting unsent before it is dropped: a reader that stopped reading must not
 * make the service hold its events. EventSource reconnects by itself and gets a fresh snapshot.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** One server-sent event: its name and a JSON payload. */
export interface ServerEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * The clients of /events and what they are sent. A new client gets `snapshot()`'s events at once, then
 * every event broadcast; a client that goes away (or falls too far behind) is forgotten at once.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly snapshot: () => readonly ServerEvent[]) {
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes a GET /events: answers with an open event stream. */
  connect(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // nginx and the like would otherwise hold the events back in their buffers.
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    const forget = (): void => {
      this.clients.delete(res);
    };
    req.on('close', forget);
    res.on('close', forget);
    res.on('error', forget);
    // A browser retries a lost stream after this long (its default is about 3 s).
    let text = 'retry: 2000\n\n';
    for (const e of this.snapshot()) text += format(e);
    this.write(res, text);
  }

  broadcast(event: ServerEvent): void {
    if (this.clients.size > 0) this.writeAll(format(event));
  }

  /** Ends every stream and the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(text: string): void {
    for (const res of this.clients) this.write(res, text);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }
}

/** An event as the stream carries it: JSON has no raw newline, so one data line holds it. */
const format = (e: ServerEvent): string => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
