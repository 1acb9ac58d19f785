import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an endpoint answers. */
export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** An endpoint that answers once: asked afresh on every request. */
export type AnswerRoute = () => HttpAnswer | Promise<HttpAnswer>;

/**
 * An endpoint that keeps its response open and writes to it as it likes (server-sent events): it gets
 * the request and the response, and must end the response itself. GET only (a HEAD gets 405: there is
 * no length to announce for a stream that never ends).
 */
export interface StreamRoute {
  readonly stream: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Endpoints by path. */
export type Routes = ReadonlyMap<string, AnswerRoute | StreamRoute>;

export interface HttpServer {
  /** The port bound: the configured one, or the one the system chose for 0. */
  readonly port: number;
  /** Stops listening and drops open connections (a scraper's keep-alive must not hold up shutdown). */
  close(): Promise<void>;
}

/**
 * A minimal read-only HTTP server over node:http: GET and HEAD on the given paths (query strings
 * ignored), 404 elsewhere, 405 for other methods. Resolves once listening; rejects if it cannot bind.
 */
export async function startHttpServer(port: number, host: string, routes: Routes): Promise<HttpServer> {
  const server = createServer((req, res) => void answer(req, res, routes));
  // Keep-alive connections of a scraper would otherwise keep the event loop, and a stop, waiting.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    // Only a failure to bind (port in use, unknown host) is fatal; once listening, the listener goes.
    server.once('error', reject);
    server.listen(port, host === '' ? undefined : host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = routes.get(path);
  let reply: HttpAnswer;
  if (route !== undefined && typeof route !== 'function' && req.method === 'GET') {
    route.stream(req, res);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply = text(405, 'method not allowed: only GET and HEAD\n');
    res.setHeader('Allow', 'GET, HEAD');
  } else if (route !== undefined && typeof route !== 'function') {
    reply = text(405, 'method not allowed: only GET (a stream of events)\n');
    res.setHeader('Allow', 'GET');
  } else {
    try {
      reply = route === undefined ? text(404, `not found: ${path} (try ${[...routes.keys()].filter((p) => !p.includes('.')).join(', ')})\n`) : await route();
    } catch (err) {
      reply = text(500, `error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export const text = (status: number, body: string): HttpAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });

export const json = (status: number, value: unknown): HttpAnswer => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: `${JSON.stringify(value, null, 2)}\n`,
});
