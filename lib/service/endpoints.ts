import { consoleRoutes } from '../console/console-routes.js';
import type { ConsoleState } from '../console/console-state.js';
import { json, text, type AnswerRoute, type Routes, type StreamRoute } from './http-server.js';
import type { JobMonitor } from './monitor.js';

/**
 * The service's operational endpoints:
 * - /healthz: 200 while the process runs (liveness: restart it only when this fails);
 * - /readyz: 200 while consuming (the consumer has joined its group, the producer is connected), else 503;
 * - /metrics: Prometheus text format;
 * - /status: the job's state and its partitions, as JSON;
 * - with a console: the page at /, and /events (server-sent events), see lib/console/.
 */
export function serviceRoutes(monitor: JobMonitor, console?: ConsoleState): Routes {
  const { status, metrics } = monitor;
  return new Map<string, AnswerRoute | StreamRoute>([
    ['/healthz', () => text(200, 'ok\n')],
    ['/readyz', () => (status.ready ? text(200, 'ready\n') : text(503, `not ready: ${status.state}\n`))],
    [
      '/metrics',
      async () => ({ status: 200, contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    ],
    ['/status', () => json(200, status.report())],
    ...(console !== undefined ? consoleRoutes(console) : []),
  ]);
}
