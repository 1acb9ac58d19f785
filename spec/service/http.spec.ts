import { expect } from 'chai';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { analyticsOutput } from '../../lib/model/analytics.js';
import { deadLetter } from '../../lib/model/dead-letter.js';
import { serviceRoutes } from '../../lib/service/endpoints.js';
import { startHttpServer, type HttpServer } from '../../lib/service/http-server.js';
import { JobMonitor } from '../../lib/service/monitor.js';
import type { StatusReport } from '../../lib/service/status.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { eventually, httpPort, ServiceProcess, serviceEnv, uniqueNames } from '../helpers/kafka.js';
import { writeRecording } from '../helpers/recording.js';

/** Samples of one metric in Prometheus text format, as `{labels}` → value (`''` for none). */
function samples(metricsText: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metricsText.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

const sum = (values: Map<string, number>): number => [...values.values()].reduce((a, b) => a + b, 0);

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const status = async (port: number): Promise<StatusReport> => JSON.parse((await get(port, '/status')).body) as StatusReport;

describe('the HTTP endpoints', () => {
  describe('in process, driven through the service hooks', () => {
    let monitor: JobMonitor;
    let server: HttpServer;

    beforeEach(async () => {
      monitor = new JobMonitor();
      server = await startHttpServer(0, '127.0.0.1', serviceRoutes(monitor));
    });
    afterEach(() => server.close());

    it('/healthz answers 200 in every state; /readyz 200 only while running', async () => {
      const { hooks } = monitor;
      const seen: Array<[string, number, number]> = [];
      const look = async () => seen.push([monitor.status.state, (await get(server.port, '/healthz')).status, (await get(server.port, '/readyz')).status]);
      await look();
      hooks.onRunning?.(true);
      await look();
      hooks.onRunning?.(false);
      hooks.onRestart?.(1, new Error('boom'));
      await look();
      hooks.onRunning?.(true);
      await look();
      monitor.status.onStopping();
      hooks.onRunning?.(false);
      await look();
      expect(seen).to.deep.equal([
        ['starting', 200, 503],
        ['running', 200, 200],
        ['restarting', 200, 503],
        ['running', 200, 200],
        ['stopping', 200, 503],
      ]);
      expect((await get(server.port, '/readyz')).body).to.equal('not ready: stopping\n');
      expect((await status(server.port)).lastError).to.equal('boom');
    });

    it('/metrics: Prometheus text with help texts, counts that move with batches and outputs, and process metrics', async () => {
      const { hooks } = monitor;
      const before = await get(server.port, '/metrics');
      expect(before.status).to.equal(200);
      expect(before.type).to.match(/^text\/plain; version=0\.0\.4/);
      for (const name of ['records_in_total', 'outputs_total', 'fraud_alerts_total', 'dead_letters_total', 'late_records_total', 'watermark_ms', 'watermark_lag_ms', 'consumer_lag', 'open_windows', 'open_panes', 'live_keys', 'restarts_total', 'output_latency_seconds']) {
        expect(before.body).to.match(new RegExp(`^# HELP stream_processor_${name} \\S`, 'm'));
      }
      expect(before.body).to.contain('process_cpu_user_seconds_total');
      expect(before.body).to.contain('nodejs_eventloop_lag_seconds');
      expect(samples(before.body, 'stream_processor_outputs_total').get('{type="hourly_sales"}')).to.equal(0);

      hooks.onAssigned?.([
        { partition: 0, caughtUp: false, offset: 10, highWatermark: 20 },
        { partition: 1, caughtUp: true, offset: 5, highWatermark: 5 },
      ]);
      const batch = { partition: 0, records: [11, 12, 13].map((offset) => ({ kind: 'record' as const, partition: 0, offset, value: '{}' })), caughtUp: false, highWatermark: 20 };
      hooks.onBatch?.(batch);
      // The pipeline's own view of its partitions: p0 has an order of 2024-06-01, p1 it has not met.
      hooks.observer?.onPartitions?.(() => [{ partition: 0, watermark: Date.UTC(2024, 5, 1) - 5_001, idle: false }]);
      hooks.observer?.onWatermark?.(Date.UTC(2024, 5, 1) - 5_001);
      // Two orders of p0 wait for p1's next record.
      hooks.observer?.onHeld?.((partition) => (partition === 0 ? { count: 2, first: { partition: 0, offset: 12 } } : { count: 0, first: undefined }));
      hooks.onOutput?.(
        analyticsOutput({ type: 'fraud_alert', rule: 'high_amount', customer_id: 'c', reason: 'Order amount > $1000', order_id: 'o', amount: 1500, timestamp: 1 }),
      );
      hooks.onOutput?.(deadLetter('late', 'late', { partition: 0, offset: 12 }, '{}'));
      hooks.onOutput?.(deadLetter('not_json', 'nope', { partition: 0, offset: 13 }, 'x'));
      hooks.onBatchHandled?.(batch);
      hooks.observer?.onOpenWindows?.(2, 7);
      hooks.observer?.onLiveKeys?.(4);
      hooks.onRestart?.(1, new Error('boom'));
      // Fired by an idleness timer, between batches: counted, but not timed.
      hooks.onOutput?.(analyticsOutput({ type: 'hourly_sales', window_start: 'a', window_end: 'b', order_count: 1, total_sales: 1, average_order_value: 1 }));

      const after = (await get(server.port, '/metrics')).body;
      expect(Object.fromEntries(samples(after, 'stream_processor_records_in_total'))).to.deep.equal({ '{partition="0"}': 3, '{partition="1"}': 0 });
      expect(Object.fromEntries(samples(after, 'stream_processor_consumer_lag'))).to.deep.equal({ '{partition="0"}': 6, '{partition="1"}': 0 });
      expect(samples(after, 'stream_processor_outputs_total').get('{type="fraud_alert"}')).to.equal(1);
      expect(samples(after, 'stream_processor_outputs_total').get('{type="hourly_sales"}')).to.equal(1);
      expect(samples(after, 'stream_processor_fraud_alerts_total').get('{rule="high_amount"}')).to.equal(1);
      expect(Object.fromEntries(samples(after, 'stream_processor_dead_letters_total'))).to.deep.equal({
        '{reason="too_large"}': 0,
        '{reason="not_json"}': 1,
        '{reason="invalid"}': 0,
        '{reason="late"}': 1,
        '{reason="too_far_ahead"}': 0,
      });
      expect(samples(after, 'stream_processor_late_records_total').get('{partition="0"}')).to.equal(1);
      expect(samples(after, 'stream_processor_watermark_ms').get('')).to.equal(Date.UTC(2024, 5, 1) - 5_001);
      expect(samples(after, 'stream_processor_watermark_lag_ms').get('')).to.be.closeTo(Date.now() - Date.UTC(2024, 5, 1) + 5_001, 60_000);
      expect([samples(after, 'stream_processor_open_windows').get(''), samples(after, 'stream_processor_open_panes').get(''), samples(after, 'stream_processor_live_keys').get('')]).to.deep.equal([2, 7, 4]);
      expect(Object.fromEntries(samples(after, 'stream_processor_held_records'))).to.deep.equal({ '{partition="0"}': 2, '{partition="1"}': 0 });
      expect(samples(after, 'stream_processor_restarts_total').get('')).to.equal(1);
      expect(samples(after, 'stream_processor_output_latency_seconds_count').get('{type="fraud_alert"}')).to.equal(1);
      expect(samples(after, 'stream_processor_output_latency_seconds_count').get('{type="dead_letter"}')).to.equal(2);
      expect(samples(after, 'stream_processor_output_latency_seconds_count').has('{type="hourly_sales"}')).to.equal(false);

      const report = await status(server.port);
      expect(report.partitions).to.deep.equal([
        { partition: 0, offset: 14, lag: 6, watermark: Date.UTC(2024, 5, 1) - 5_001, idle: false, held: 2, paused: false },
        { partition: 1, offset: 5, lag: 0, watermark: null, idle: true, held: 0, paused: false },
      ]);
      expect(report).to.include({ state: 'restarting', ready: false, restarts: 1, watermark: Date.UTC(2024, 5, 1) - 5_001 });
    });

    it('answers HEAD without a body, 404 for unknown paths, 405 for other methods; ignores query strings', async () => {
      const head = await get(server.port, '/healthz', 'HEAD');
      expect([head.status, head.body]).to.deep.equal([200, '']);
      expect((await get(server.port, '/status?pretty=1')).status).to.equal(200);
      for (const path of ['/', '/health', '/metrics/extra', '/favicon.ico']) {
        const res = await get(server.port, path);
        expect(res.status, path).to.equal(404);
      }
      const post = await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST', body: 'x' });
      expect(post.status).to.equal(405);
      expect(post.headers.get('allow')).to.equal('GET, HEAD');
    });

    it('refuses to start on a port in use, so the service can exit with a clear line', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        await startHttpServer(port, '127.0.0.1', serviceRoutes(monitor)).then(
          () => expect.fail('should not bind'),
          (err: NodeJS.ErrnoException) => expect(err.code).to.equal('EADDRINUSE'),
        );
      } finally {
        blocker.close();
      }
    });
  });

  describe('of the running service, on a real broker', function () {
    this.timeout(120_000);

    it('answers /healthz while Kafka cannot be reached yet, and is not ready', async () => {
      // Nothing listens on port 1: the service keeps trying to connect.
      const service = new ServiceProcess({ ...serviceEnv(uniqueNames('http-down')), KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1', HTTP_PORT: '0' });
      try {
        const port = await httpPort(service);
        expect((await get(port, '/healthz')).status).to.equal(200);
        const ready = await get(port, '/readyz');
        expect([ready.status, ready.body]).to.deep.equal([503, 'not ready: starting\n']);
        expect(await status(port)).to.include({ state: 'starting', ready: false, restarts: 0 });
      } finally {
        service.kill('SIGKILL');
        await service.exited;
      }
    });

    it('turns ready, shows its partitions and internal topics, counts the records and results that flow, 404s elsewhere, and closes on SIGTERM', async () => {
      const names = uniqueNames('http');
      const service = new ServiceProcess(serviceEnv(names, { HTTP_PORT: '0' }));
      try {
        const port = await httpPort(service);
        expect((await get(port, '/healthz')).status).to.equal(200);
        await eventually(async () => expect((await get(port, '/readyz')).status).to.equal(200), 60_000);
        const running = await status(port);
        expect(running).to.include({ state: 'running', ready: true, restarts: 0 });
        expect(running.partitions.map((p) => p.partition)).to.deep.equal([0, 1, 2]);
        expect(running.partitions.every((p) => p.offset === 0 && p.lag === 0 && p.idle)).to.equal(true);
        expect(running.internalTopics.map((t) => [t.topic, t.partitions])).to.deep.equal([
          [`${names.groupId}-orders-by-customer-repartition`, 3],
          [`${names.groupId}-hourly-partials-repartition`, 1],
        ]);

        const file = join(tempDir(), 'orders.jsonl');
        // About two hours of event time: the first hour's windows close.
        const lines = writeRecording(file, 4_000);
        const produced = await runCli(['produce', file], serviceEnv(names));
        expect(produced.code, produced.stderr).to.equal(0);

        const metrics = await eventually(async () => {
          const body = (await get(port, '/metrics')).body;
          expect(sum(samples(body, 'stream_processor_records_in_total'))).to.equal(lines.length);
          // Window results come from the customer tasks and the combiner, after the input is read.
          const types = samples(body, 'stream_processor_outputs_total');
          expect([types.get('{type="hourly_sales"}') ?? 0, types.get('{type="customer_stats"}') ?? 0].every((n) => n > 0)).to.equal(true);
          return body;
        }, 60_000);
        const outputs = samples(metrics, 'stream_processor_outputs_total');
        expect(outputs.get('{type="fraud_alert"}')).to.be.greaterThan(0);
        expect(outputs.get('{type="hourly_sales"}')).to.be.greaterThan(0);
        expect(outputs.get('{type="customer_stats"}')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_fraud_alerts_total').get('{rule="high_amount"}')).to.be.greaterThan(0);
        const deadLetters = samples(metrics, 'stream_processor_dead_letters_total');
        expect(deadLetters.get('{reason="not_json"}')).to.equal(lines.filter((l) => l === 'not json at all').length);
        expect(deadLetters.get('{reason="invalid"}')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_watermark_ms').get('')).to.be.greaterThan(Date.UTC(2024, 5, 1));
        expect(samples(metrics, 'stream_processor_watermark_lag_ms').get('')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_open_windows').get('')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_live_keys').get('')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_output_latency_seconds_count').get('{type="fraud_alert"}')).to.be.greaterThan(0);
        expect(samples(metrics, 'stream_processor_restarts_total').get('')).to.equal(0);

        const after = await eventually(async () => {
          const report = await status(port);
          expect(report.partitions.every((p) => p.lag === 0)).to.equal(true);
          return report;
        }, 30_000);
        expect(after.partitions.reduce((n, p) => n + (p.offset ?? 0), 0)).to.equal(lines.length);
        expect(after.partitions.some((p) => p.watermark !== null && p.watermark > Date.UTC(2024, 5, 1))).to.equal(true);
        expect(after.watermark).to.be.a('number');
        expect(samples((await get(port, '/metrics')).body, 'stream_processor_consumer_lag').size).to.equal(3);

        expect((await get(port, '/nope')).status).to.equal(404);

        service.kill('SIGTERM');
        expect(await service.exited, service.logs.join('\n')).to.equal(0);
        await get(port, '/healthz').then(
          () => expect.fail('the HTTP server should be closed'),
          (err: Error & { cause?: { code?: string } }) => expect(err.cause?.code).to.equal('ECONNREFUSED'),
        );
      } finally {
        service.kill('SIGKILL');
      }
    });
  });
});
