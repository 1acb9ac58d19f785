import { accessSync, constants, statSync } from 'node:fs';
import { kafkaAdmin } from '../io/kafka/kafka-admin.js';
import { kafkaClient } from '../io/kafka/kafka-client.js';
import { refusePlaintextMismatch } from '../io/kafka/plaintext-probe.js';
import { kafkaSink } from '../io/kafka/kafka-sink.js';
import type { RecordSink } from '../io/ports.js';
import type { Config } from '../service/config.js';
import { createLogger } from '../service/logger.js';
import { UsageError } from './args.js';

/** A command's file argument: readable, or one clear line. Returns its size. */
export function checkReadable(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UsageError(`${file}: not a file`);
    accessSync(file, constants.R_OK);
    return stat.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function kafkaConfigured(config: Config, command: string): void {
  if (config.kafka.bootstrapServers.trim() === '') {
    throw new UsageError(`${command}: needs Kafka (set KAFKA_BOOTSTRAP_SERVERS or --bootstrap-servers host:port)`);
  }
}

/** A sink to the input topic for `produce` and `generate`, creating the topic if it is missing; logs on stderr. */
export async function inputTopicSink(config: Config, command: string): Promise<RecordSink> {
  kafkaConfigured(config, command);
  await refusePlaintextMismatch(config.kafka.bootstrapServers, config.kafka.ssl);
  const kafka = kafkaClient(config.kafka, createLogger(config.log.level, process.stderr));
  const admin = await kafkaAdmin(kafka);
  try {
    await admin.ensureTopic(config.kafka.inputTopic, config.kafka.inputPartitions);
  } finally {
    await admin.close();
  }
  return kafkaSink(kafka);
}
