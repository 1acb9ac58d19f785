import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import { kafkaAdmin } from '../io/kafka/kafka-admin.js';
import { kafkaClient } from '../io/kafka/kafka-client.js';
import { kafkaSink } from '../io/kafka/kafka-sink.js';
import { kafkaTransactionalSink } from '../io/kafka/transactional-sink.js';
import { isFatalConnectionFailure } from '../io/kafka/kafka-failures.js';
import { refusePlaintextMismatch } from '../io/kafka/plaintext-probe.js';
import { kafkaGroupConsumer } from '../io/kafka/group-consumer.js';
import type { GroupConsumer, RecordSink, TransactionalSinks } from '../io/ports.js';
import { customerMetadataBound, KAFKA_DEFAULT_METADATA_MAX_BYTES } from '../runtime/task-metadata.js';
import { INTERNAL_TOPIC_CONFIGS, internalTopicReports, internalTopics, type InternalTopicReport } from '../runtime/internal-topics.js';
import { StreamRuntime, type StreamRuntimeOptions } from '../runtime/stream-runtime.js';
import type { Config } from './config.js';

/** How the service reaches its broker: our ports, so that the lifecycle can be tested on its own. */
export interface BrokerConnector {
  /** Creates the input, output, dead-letter and internal topics where missing; tells how many partitions the input has. */
  ensureTopics(): Promise<{ readonly inputPartitions: number }>;
  consumer(): GroupConsumer;
  sink(): Promise<RecordSink>;
  /** Each task's transactional sink, for exactly-once. */
  transactions(): TransactionalSinks;
}

/** The input topic's partitions do not match the internal topic made for them. */
export class TopologyMismatchError extends Error {
  override readonly name = 'TopologyMismatchError';
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
        // The internal topics follow the input as it is, not as the setting says it would be made.
        const inputPartitions = (await admin.endOffsets(k.inputTopic)).size;
        for (const { topic, partitions } of internalTopicReports(k.groupId, inputPartitions)) {
          if (await admin.ensureTopic(topic, partitions, INTERNAL_TOPIC_CONFIGS)) logger.info('created internal topic', { topic, partitions });
          const actual = (await admin.endOffsets(topic)).size;
          if (actual !== partitions) {
            throw new TopologyMismatchError(`internal topic ${topic} has ${actual} partitions, but the topology needs ${partitions} (input topic ${k.inputTopic} has ${inputPartitions}); delete it or use another group id`);
          }
        }
        const bound = customerMetadataBound(inputPartitions);
        if (bound > KAFKA_DEFAULT_METADATA_MAX_BYTES) {
          logger.warn(
            `with ${inputPartitions} input partitions a customer task's commit metadata can reach ${bound} bytes, more than the brokers' default offset.metadata.max.bytes (${KAFKA_DEFAULT_METADATA_MAX_BYTES}): set it to at least ${bound} on the brokers, or commits may be refused`,
          );
        }
        return { inputPartitions };
      } finally {
        await admin.close();
      }
    },
    consumer: () => {
      const internal = internalTopics(k.groupId);
      return kafkaGroupConsumer(kafka, { topics: [k.inputTopic, internal.ordersByCustomer, internal.hourlyPartials], groupId: k.groupId });
    },
    sink: () => kafkaSink(kafka),
    // A task's transactional id is its group and partition: its next owner, whoever it is, fences it.
    transactions: () => (task) => kafkaTransactionalSink(kafka, { transactionalId: `${k.groupId}-${task.topic}-${task.partition}`, groupId: k.groupId }),
  };
}

export interface ServiceHooks {
  /** Told when a run starts (true) or ends (false), for readiness. */
  readonly onRunning?: (running: boolean) => void;
  readonly onRestart?: (attempt: number, error: Error) => void;
  readonly observer?: StreamRuntimeOptions['observer'];
  readonly onBatch?: StreamRuntimeOptions['onBatch'];
  readonly onBatchHandled?: StreamRuntimeOptions['onBatchHandled'];
  readonly onOutput?: StreamRuntimeOptions['onOutput'];
  readonly onAssigned?: StreamRuntimeOptions['onAssigned'];
  readonly onTasks?: StreamRuntimeOptions['onTasks'];
  /** Told the internal topics once they are sure to exist. */
  readonly onInternalTopics?: (topics: readonly InternalTopicReport[]) => void;
  readonly onTransaction?: StreamRuntimeOptions['onTransaction'];
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
  const ready = await Promise.race([connector.ensureTopics(), stopped]);
  if (ready === 'stopped') return;
  hooks.onInternalTopics?.(internalTopicReports(config.kafka.groupId, ready.inputPartitions));

  for (let failures = 0; ; ) {
    const sink = await Promise.race([connector.sink(), stopped]);
    if (sink === 'stopped') return;
    const run = new StreamRuntime({
      consumer: connector.consumer(),
      sink,
      analytics: config.analytics,
      topics: config.kafka,
      internal: internalTopics(config.kafka.groupId),
      inputPartitions: ready.inputPartitions,
      job,
      logger,
      ...(hooks.observer ? { observer: hooks.observer } : {}),
      ...(hooks.onBatch ? { onBatch: hooks.onBatch } : {}),
      ...(hooks.onBatchHandled ? { onBatchHandled: hooks.onBatchHandled } : {}),
      ...(hooks.onOutput ? { onOutput: hooks.onOutput } : {}),
      ...(hooks.onAssigned ? { onAssigned: hooks.onAssigned } : {}),
      ...(hooks.onTasks ? { onTasks: hooks.onTasks } : {}),
      ...(job.processingGuarantee === 'exactly-once' ? { transactions: connector.transactions() } : {}),
      ...(hooks.onTransaction ? { onTransaction: hooks.onTransaction } : {}),
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
      failures += 1;
      // Refused credentials or a certificate that does not verify fail every restart the same way.
      if (failures > job.restartAttempts || isFatalConnectionFailure(error) || error instanceof TopologyMismatchError) throw error;
      logger.error(`pipeline failed; restart ${failures} of ${job.restartAttempts} in ${job.restartDelayMs} ms`, { error: error.message });
      hooks.onRestart?.(failures, error);
      await Promise.race([sleep(job.restartDelayMs), stopped]);
      if (signal.aborted) return;
    }
  }
}
