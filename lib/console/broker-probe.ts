import { connect } from 'node:net';

/** How often the brokers are looked for, and how long one look may take. */
export const PROBE_INTERVAL_MS = 2_000;
const CONNECT_TIMEOUT_MS = 3_000;

/** Whether the brokers can be reached, and since when that has been so. */
export interface BrokerReachability {
  /** The bootstrap servers, as configured. */
  readonly servers: string;
  /** null before the first look. */
  readonly reachable: boolean | null;
  /** When `reachable` last changed (ms since the epoch), null before the first look. */
  readonly since: number | null;
  /** Why the last look failed (the last server's error), null when it did not. */
  readonly error: string | null;
}

/**
 * Looks every {@link PROBE_INTERVAL_MS} whether a TCP connection to one of the bootstrap servers opens.
 * The job's own state does not say it: kafkajs retries a lost broker for a long while and the run stays
 * "running" meanwhile, so the console asks the network itself. A connection that opens is closed at
 * once, nothing is sent (TLS and SASL listeners answer the same).
 */
export class BrokerProbe {
  private state: BrokerReachability;
  private timer: NodeJS.Timeout | undefined;
  private looking = false;

  constructor(servers: string, private readonly clock: () => number = Date.now) {
    this.state = { servers, reachable: null, since: null, error: null };
  }

  get reachability(): BrokerReachability {
    return this.state;
  }

  start(): void {
    void this.look();
    this.timer = setInterval(() => void this.look(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    // A look that hangs (a host that drops packets) must not pile up behind it.
    if (this.looking) return;
    this.looking = true;
    try {
      let error: string | null = 'no bootstrap servers';
      for (const server of this.state.servers.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        error = await tryConnect(server);
        if (error === null) break;
      }
      const reachable = error === null;
      const since = reachable === this.state.reachable ? this.state.since : this.clock();
      this.state = { servers: this.state.servers, reachable, since, error };
    } finally {
      this.looking = false;
    }
  }
}

/** null when a connection to `host:port` opens, else why not. */
function tryConnect(server: string): Promise<string | null> {
  const cut = server.lastIndexOf(':');
  const host = server.slice(0, cut);
  const port = Number(server.slice(cut + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (error: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => done(`${server}: no answer in ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(`${server}: ${err.code ?? err.message}`));
  });
}
