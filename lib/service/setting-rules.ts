import { accessSync, constants, statSync } from 'node:fs';
/**
 * Rules that tie settings together, checked once every setting involved has passed its own check. Each
 * names the settings that break it, so that the error line can say where each one came from.
 */
export interface CrossRule {
  readonly paths: readonly string[];
  /** The paths among `paths` whose values break the rule; empty when it holds. */
  readonly offenders: (value: (path: string) => unknown) => readonly string[];
  readonly expected: string;
}

const TOPICS = ['kafka.inputTopic', 'kafka.outputTopic', 'kafka.deadLetterTopic'];

const FILES = ['kafka.sslCaFile', 'kafka.sslCertFile', 'kafka.sslKeyFile', 'kafka.saslPasswordFile'];

const readable = (file: string): boolean => {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

export const CROSS_RULES: readonly CrossRule[] = [
  {
    paths: FILES,
    offenders: (value) => FILES.filter((path) => value(path) !== '' && !readable(value(path) as string)),
    expected: 'a file that can be read (or empty)',
  },
  {
    // A certificate or CA given without TLS would be ignored: a plaintext connection the user did not mean.
    paths: ['kafka.ssl', 'kafka.sslCaFile', 'kafka.sslCertFile', 'kafka.sslKeyFile'],
    offenders: (value) => (value('kafka.ssl') === true ? [] : ['kafka.sslCaFile', 'kafka.sslCertFile', 'kafka.sslKeyFile'].filter((path) => value(path) !== '')),
    expected: 'kafka.ssl=true for TLS files to be used',
  },
  {
    paths: ['kafka.sslCertFile', 'kafka.sslKeyFile'],
    offenders: (value) => (value('kafka.sslCertFile') === '' === (value('kafka.sslKeyFile') === '') ? [] : ['kafka.sslCertFile', 'kafka.sslKeyFile']),
    expected: 'a client certificate and its key together, or neither',
  },
  {
    paths: ['kafka.saslPassword', 'kafka.saslPasswordFile'],
    offenders: (value) => (value('kafka.saslPassword') !== '' && value('kafka.saslPasswordFile') !== '' ? ['kafka.saslPassword', 'kafka.saslPasswordFile'] : []),
    expected: 'the SASL password or a file holding it, not both',
  },
  {
    paths: ['kafka.saslMechanism', 'kafka.saslUsername', 'kafka.saslPassword', 'kafka.saslPasswordFile'],
    offenders: (value) => {
      if (value('kafka.saslMechanism') === 'none') return [];
      const missing = value('kafka.saslUsername') === '' ? ['kafka.saslUsername'] : [];
      return value('kafka.saslPassword') === '' && value('kafka.saslPasswordFile') === '' ? [...missing, 'kafka.saslPassword'] : missing;
    },
    expected: 'a SASL user name and a password (or password file) with a SASL mechanism',
  },
  {
    // Results written to the input topic would be read back as orders (and dead letters, again and again);
    // Kafka refuses to create a topic whose name differs from another's only by '.' against '_'.
    paths: TOPICS,
    offenders: (value) => {
      const key = (path: string): string => (value(path) as string).replace(/\./g, '_');
      return TOPICS.filter((path) => TOPICS.some((other) => other !== path && key(other) === key(path)));
    },
    expected: "the input, output and dead-letter topics to be three different topics (Kafka takes '.' and '_' in topic names as the same)",
  },
];
