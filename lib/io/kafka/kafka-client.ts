import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'winston';

export interface KafkaConnection {
  readonly bootstrapServers: string;
  readonly clientId: string;
}

const LEVELS: Record<number, string> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };

/** A kafkajs client whose own log lines go through our logger, tagged as such. */
export function kafkaClient(connection: KafkaConnection, logger: Logger): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.bootstrapServers.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    // kafkajs is chatty at info (every group join); keep its warnings and errors.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger.log(LEVELS[level] ?? 'info', `kafkajs: ${message}`, { component: 'kafkajs', ...rest });
      },
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
