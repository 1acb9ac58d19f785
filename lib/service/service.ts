import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import { kafkaAdmin } from '../io/kafka/kafka-admin.js';
import { kafkaClient } from '../io/kafka/kafka-client.js';
import { kafkaSink } from '../io/kafka/kafka-sink.js';
import { isFatalConnectionFailure } from '../io/kafka/kafka-failures.js';
import { refusePlaintextMismatch } from '../io/kafka/plaintext-probe.js';
import { kafkaSource } from '../io/kafka/kafka-source.js';
import type { RecordSink, RecordSource } from '../io/ports.js';
import type { Config } from './config.js';
import { StreamJob, type StreamJobOptions } from './stream-job.js';

/** How the service reaches its broker: our ports, so that the lifecycle can be tested on its own. */
export interface BrokerConnector {
  /** Creates the input, output and dead-letter topics where missing. */
  ensureTopics(): Promise<void>;
  source(): RecordSource;
  sink(): Promise<RecordSink>;
}

/** Dead letters keep their value whole: their topic takes messages larger than a default topic does. */
const DEAD_LETTER_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function kafkaConnector(config: Config, logger: Logger): BrokerConnector {
  const k = config.kafka;
  const kafka = kafkaClient(k, logger);
  return {
    async ensureTopics() {
      await refusePlaintextMismatch(k.bootstrapServers, k.ssl);
      const admin = await kafkaAdmin(kafka);
      try {
        const topics: Array<[string, Record<string, string>]> = [
          [k.inputTopic, {}],
          [k.outputTopic, {}],
          [k.deadLetterTopic, { 'max.message.bytes': String(DEAD_LETTER_MAX_MESSAGE_BYTES) }],
        ];
        for (const [topic, configs] of topics) {
          if (await admin.ensureTopic(topic, k.inputPartitions, configs)) logger.info('created topic', { topic, partitions: k.inputPartitions });
        }
      } finally {
        await admin.close();
      }
    },
    source: () => kafkaSource(kafka, { topic: k.inputTopic, groupId: k.groupId }),
    sink: () => kafkaSink(kafka),
  };
}

export interface ServiceHooks {
  /** Told when a run starts (true) or ends (false), for readiness. */
  readonly onRunning?: (running: boolean) => void;
  readonly onRestart?: (attempt: number, error: Error) => void;
  readonly observer?: StreamJobOptions['observer'];
  readonly onBatch?: StreamJobOptions['onBatch'];
  readonly onBatchHandled?: StreamJobOptions['onBatchHandled'];
  readonly onOutput?: StreamJobOptions['onOutput'];
  readonly onAssigned?: StreamJobOptions['onAssigned'];
}

/**
 * The Kafka service: makes sure the topics exist, then runs the job until `signal` aborts it. A failed run
 * is torn down and started again after `restartDelayMs`, at most `restartAttempts` times (Flink's
 * fixed-delay restart strategy); then the error is thrown for the process to exit non-zero.
 */
export async function runService(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
  hooks: ServiceHooks = {},
  connector: BrokerConnector = kafkaConnector(config, logger),
): Promise<void> {
  const { job } = config;
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  // A broker that cannot be reached yet must not keep a stop waiting.
  if ((await Promise.race([connector.ensureTopics(), stopped])) === 'stopped') return;

  for (let failures = 0; ; ) {
    const sink = await Promise.race([connector.sink(), stopped]);
    if (sink === 'stopped') return;
    const run = new StreamJob({
      source: connector.source(),
      sink,
      analytics: config.analytics,
      topics: config.kafka,
      job,
      logger,
      ...(hooks.observer ? { observer: hooks.observer } : {}),
      ...(hooks.onBatch ? { onBatch: hooks.onBatch } : {}),
      ...(hooks.onBatchHandled ? { onBatchHandled: hooks.onBatchHandled } : {}),
      ...(hooks.onOutput ? { onOutput: hooks.onOutput } : {}),
      ...(hooks.onAssigned ? { onAssigned: hooks.onAssigned } : {}),
    });
    try {
      // Joining the group can take a while (a crashed instance's session must time out first): a stop
      // meanwhile ends the run at once, since it has read nothing there would be to commit.
      if ((await Promise.race([run.start(), run.failed, stopped])) === 'stopped') {
        await run.abort();
        logger.info('stopped before consuming');
        return;
      }
      hooks.onRunning?.(true);
      logger.info('consuming', { topic: config.kafka.inputTopic, group: config.kafka.groupId });
      await Promise.race([stopped, run.failed]);
      hooks.onRunning?.(false);
      logger.info('stopping: publishing what is out and committing');
      await run.stop();
      logger.info('stopped');
      return;
    } catch (err) {
      hooks.onRunning?.(false);
      const error = err instanceof Error ? err : new Error(String(err));
      await run.abort();
      if (signal.aborted) return;
      if ((error as { rebalanced?: boolean }).rebalanced === true) {
        logger.info(error.message);
        continue;
      }
      failures += 1;
      // Refused credentials or a certificate that does not verify fail every restart the same way.
      if (failures > job.restartAttempts || isFatalConnectionFailure(error)) throw error;
      logger.error(`pipeline failed; restart ${failures} of ${job.restartAttempts} in ${job.restartDelayMs} ms`, { error: error.message });
      hooks.onRestart?.(failures, error);
      await Promise.race([sleep(job.restartDelayMs), stopped]);
      if (signal.aborted) return;
    }
  }
}
