import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import { kafkaAdmin } from '../io/kafka/kafka-admin.js';
import { kafkaClient } from '../io/kafka/kafka-client.js';
import { kafkaSink } from '../io/kafka/kafka-sink.js';
import { kafkaSource } from '../io/kafka/kafka-source.js';
import type { Config } from './config.js';
import { StreamJob, type StreamJobOptions } from './stream-job.js';

export interface ServiceHooks {
  /** Told when a run starts (true) or ends (false), for readiness. */
  readonly onRunning?: (running: boolean) => void;
  readonly onRestart?: (attempt: number, error: Error) => void;
  readonly observer?: StreamJobOptions['observer'];
  readonly onBatch?: StreamJobOptions['onBatch'];
}

/**
 * The Kafka service: makes sure the topics exist, then runs the job until `signal` aborts it. A failed run
 * is torn down and started again after `restartDelayMs`, at most `restartAttempts` times (Flink's
 * fixed-delay restart strategy); then the error is thrown for the process to exit non-zero.
 */
export async function runService(config: Config, logger: Logger, signal: AbortSignal, hooks: ServiceHooks = {}): Promise<void> {
  const { kafka: k, job } = config;
  const kafka = kafkaClient(k, logger);
  const admin = await kafkaAdmin(kafka);
  try {
    for (const [topic, partitions] of [
      [k.inputTopic, k.inputPartitions],
      [k.outputTopic, k.inputPartitions],
      [k.deadLetterTopic, k.inputPartitions],
    ] as const) {
      if (await admin.ensureTopic(topic, partitions)) logger.info('created topic', { topic, partitions });
    }
  } finally {
    await admin.close();
  }

  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  for (let failures = 0; ; ) {
    const run = new StreamJob({
      source: kafkaSource(kafka, { topic: k.inputTopic, groupId: k.groupId }),
      sink: await kafkaSink(kafka),
      analytics: config.analytics,
      topics: k,
      job,
      logger,
      ...(hooks.observer ? { observer: hooks.observer } : {}),
      ...(hooks.onBatch ? { onBatch: hooks.onBatch } : {}),
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
      logger.info('consuming', { topic: k.inputTopic, group: k.groupId });
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
      if (failures > job.restartAttempts) throw error;
      logger.error(`pipeline failed; restart ${failures} of ${job.restartAttempts} in ${job.restartDelayMs} ms`, { error: error.message });
      hooks.onRestart?.(failures, error);
      await Promise.race([sleep(job.restartDelayMs), stopped]);
      if (signal.aborted) return;
    }
  }
}
