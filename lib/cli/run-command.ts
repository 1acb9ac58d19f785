import { loadConfig, type Config } from '../service/config.js';
import { createLogger } from '../service/logger.js';
import { runService } from '../service/service.js';
import { parseCommandArgs, UsageError } from './args.js';
import { kafkaConfigured } from './options.js';

export const RUN_USAGE = `stream-processor run [settings]

The Kafka service: consumes order events from the input topic (group flink-stream-processor, from the
earliest offset when the group has none), publishes analytics and dead letters, commits offsets only
past what is safely published. Needs kafka.bootstrapServers (KAFKA_BOOTSTRAP_SERVERS). Stops cleanly on
SIGTERM or SIGINT: stops consuming, publishes what is out, commits, disconnects.`;

/** `run`: the Kafka service; returns the exit code. */
export async function runCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {});
  if (parsed.positionals.length > 0) throw new UsageError(`run takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  kafkaConfigured(config, 'run');
  return serve(config);
}

/** Runs the service until a signal stops it or it fails for good. */
export async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.log.level);
  const controller = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    logger.info(`${signal}: shutting down`);
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
    await runService(config, logger, controller.signal);
    return 0;
  } catch (err) {
    logger.error('the pipeline failed and will not be restarted again', { error: err instanceof Error ? err.stack : String(err) });
    return 1;
  } finally {
    clearTimeout(deadline);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
