import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from 'winston';

export interface KafkaConnection {
  readonly bootstrapServers: string;
  readonly clientId: string;
  /** TLS, and the files of its CA, client certificate and key (empty: none). */
  readonly ssl?: boolean;
  readonly sslCaFile?: string;
  readonly sslCertFile?: string;
  readonly sslKeyFile?: string;
  /** Check that the broker's certificate names the host (the chain is checked either way). */
  readonly sslVerifyHostname?: boolean;
  readonly saslMechanism?: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly saslUsername?: string;
  readonly saslPassword?: string;
  /** A file holding the password, as a mounted secret; its final newline is not part of it. */
  readonly saslPasswordFile?: string;
}

const LEVELS: Record<number, string> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };

/**
 * kafkajs lines logged as errors and warnings that tell of nothing wrong, kept at debug: a transaction's
 * request refused while the broker finishes the last commit's markers (CONCURRENT_TRANSACTIONS, retried
 * at once; several a second exactly once), and the warning that a transactional producer's bounded
 * retries "may invalidate EoS" (a transaction that fails is aborted: nothing of it is published).
 */
const ROUTINE = /another concurrent operation on the same transaction|Limiting retries for the idempotent producer/;

/** A kafkajs client whose own log lines go through our logger, tagged as such; all at debug when `quiet`. */
export function kafkaClient(connection: KafkaConnection, logger: Logger, options: { readonly quiet?: boolean } = {}): Kafka {
  const ssl = tlsOptions(connection);
  const sasl = saslOptions(connection);
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.bootstrapServers.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
    // kafkajs is chatty at info (every group join); keep its warnings and errors.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const routine = ROUTINE.test(`${message} ${String((rest as { error?: unknown }).error ?? '')}`);
        logger.log(routine || options.quiet === true ? 'debug' : (LEVELS[level] ?? 'info'), `kafkajs: ${message}`, { component: 'kafkajs', ...rest });
      },
    retry: { initialRetryTime: 300, retries: 8 },
  });
}

function tlsOptions(c: KafkaConnection): ConnectionOptions | undefined {
  if (c.ssl !== true) return undefined;
  const file = (path: string | undefined): Buffer | undefined => (path ? readFileSync(path) : undefined);
  const ca = file(c.sslCaFile);
  const cert = file(c.sslCertFile);
  const key = file(c.sslKeyFile);
  return {
    ...(ca ? { ca: [ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    // The chain is always checked (rejectUnauthorized stays on); only the host name check can be turned off.
    ...(c.sslVerifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

function saslOptions(c: KafkaConnection): SASLOptions | undefined {
  const mechanism = c.saslMechanism ?? 'none';
  if (mechanism === 'none') return undefined;
  const username = c.saslUsername ?? '';
  const password = c.saslPasswordFile ? readFileSync(c.saslPasswordFile, 'utf8').replace(/\r?\n$/, '') : (c.saslPassword ?? '');
  return { mechanism, username, password };
}
