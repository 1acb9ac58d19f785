import { BrokerProbe } from '../console/broker-probe.js';
import { GroupWatch } from '../console/group-watch.js';
import { kafkaClient } from '../io/kafka/kafka-client.js';
import { kafkaGroupView } from '../io/kafka/group-view.js';
import { ConsoleState } from '../console/console-state.js';
import { serviceStatus } from '../console/console-status.js';
import { connectionFailure } from '../io/kafka/kafka-failures.js';
import { abortFilterIsSound } from '../io/kafka/read-committed.js';
import { ConfigError, loadConfig, type Config } from '../service/config.js';
import { serviceRoutes } from '../service/endpoints.js';
import { startHttpServer, type HttpServer } from '../service/http-server.js';
import { createLogger } from '../service/logger.js';
import { JobMonitor } from '../service/monitor.js';
import { runService } from '../service/service.js';
import { parseCommandArgs, UsageError } from './args.js';
import { kafkaConfigured } from './options.js';

export const RUN_USAGE = `stream-processor run [settings]

The Kafka service: consumes order events from the input topic (group flink-stream-processor, from the
earliest offset when the group has none), publishes analytics and dead letters, commits offsets only
past what is safely published. Needs kafka.bootstrapServers (KAFKA_BOOTSTRAP_SERVERS). Stops cleanly on
SIGTERM or SIGINT: stops consuming, publishes what is out, commits, disconnects.
Serves GET /healthz, /readyz, /metrics (Prometheus) and /status (JSON) on http.port (8082) from the
moment it starts until it stops, and there at / a live console (job, partitions, throughput, hourly
sales, top customers, fraud alerts), fed by /events (server-sent events).`;

/** `run`: the Kafka service; returns the exit code. */
export async function runCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {});
  if (parsed.positionals.length > 0) throw new UsageError(`run: takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  kafkaConfigured(config, 'run');
  return serve(config);
}

/** Exactly once needs kafkajs's read_committed filter mended (see abortFilterIsSound): a bad install stops here. */
function exactlyOnceReady(config: Config): void {
  if (config.job.processingGuarantee !== 'exactly-once' || abortFilterIsSound()) return;
  throw new ConfigError([
    'job.processingGuarantee=exactly-once: the installed kafkajs passes records of aborted transactions to read_committed readers; apply patches/kafkajs+2.2.4.patch (npm ci in a checkout does; where the package is a dependency: npx patch-package --patch-dir node_modules/stream-processor/patches)',
  ]);
}

/** Runs the service until a signal stops it or it fails for good. */
export async function serve(config: Config): Promise<number> {
  exactlyOnceReady(config);
  const logger = createLogger(config.log.level);
  // The console watches the same flow as the metrics: it is told by the monitor.
  let liveConsole: ConsoleState | undefined;
  const monitor = new JobMonitor(Date.now, config.job.processingGuarantee, [
    { onRecords: (count) => liveConsole?.onRecords(count), onOutput: (output) => liveConsole?.onOutput(output) },
  ]);
  const probe = new BrokerProbe(config.kafka.bootstrapServers);
  // The console's view of the whole group (every instance and what it owns), through a client of its own,
  // at debug: while the broker is away the job's own client already says so, once is enough.
  const group = new GroupWatch(kafkaGroupView(kafkaClient(config.kafka, logger.child({ component: 'console-group' }), { quiet: true }), config.kafka.groupId));
  liveConsole = new ConsoleState(serviceStatus(monitor.status, config.job.restartAttempts, probe, () => group.report));
  // Up before Kafka is reached, so that /healthz answers while the service connects and joins its group.
  let http: HttpServer;
  try {
    http = await startHttpServer(config.http.port, config.http.host, serviceRoutes(monitor, liveConsole));
  } catch (err) {
    logger.error(`cannot serve HTTP on port ${config.http.port}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  probe.start();
  group.start();
  liveConsole.start();
  logger.info('http listening', { port: http.port, host: config.http.host || 'all interfaces', paths: ['/', '/events', '/healthz', '/readyz', '/metrics', '/status'] });
  const controller = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    logger.info(`${signal}: shutting down`);
    monitor.status.onStopping();
    controller.abort();
    deadline = setTimeout(() => {
      logger.error(`shutdown took more than ${config.job.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.job.shutdownTimeoutMs);
    deadline.unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runService(config, logger, controller.signal, monitor.hooks);
    return 0;
  } catch (err) {
    monitor.status.onFailed(err instanceof Error ? err : new Error(String(err)));
    const connection = connectionFailure(err);
    if (connection !== undefined) process.stderr.write(`stream-processor: kafka: ${connection}\n`);
    logger.error('the pipeline failed and will not be restarted again', { error: err instanceof Error ? err.stack : String(err) });
    return 1;
  } finally {
    probe.stop();
    await group.stop();
    liveConsole.close();
    await http.close();
    clearTimeout(deadline);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
