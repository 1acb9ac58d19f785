import * as t from 'io-ts';
import { brokerList, decimalAtLeast, integer, listenHost, MAX_TIMER_MS, plainName, topicName, windowSize } from './setting-codecs.js';

/**
 * Every setting once: where it lives in config/*.json, its environment variable, its flag, what it must be
 * and what it means. Flags, environment, validation, `--help` and `config` all read this one table.
 */

const LogLevel = t.keyof({ error: null, warn: null, info: null, debug: null });

/** A timer's delay: Node fires a longer one after 1 ms. */
const TIMER = `at most ${MAX_TIMER_MS} (Node's longest timer)`;
const TOPIC = "a Kafka topic name: 1-249 of a-z A-Z 0-9 . _ -, not '.' or '..'";
const NAME = 'a non-empty name without control characters or spaces at either end';

export interface SettingDef {
  /** Dotted path in the config files. */
  readonly path: string;
  readonly codec: t.Mixed;
  /** What a valid value is, for error lines. */
  readonly expected: string;
  readonly help: string;
  /** The flag's name where the last part of the path alone would not say enough (`--port` of what?). */
  readonly flag?: string;
  /** A secret: `config` shows it masked, and it is never logged. */
  readonly secret?: true;
  /** The environment variable where the path's own name would not be the one users know. */
  readonly env?: string;
}

export const SETTINGS: readonly SettingDef[] = [
  {
    path: 'analytics.windowSizeMs',
    codec: windowSize,
    expected: 'a positive integer of ms that divides a day (86400000) evenly, or a whole number of days up to 366 (so windows stay aligned to UTC hours and days)',
    help: 'size of the tumbling windows',
  },
  {
    path: 'analytics.maxOutOfOrdernessMs',
    codec: integer(0),
    expected: 'an integer of ms >= 0',
    help: 'how far behind the newest record of its partition a record may be and still count',
  },
  {
    path: 'analytics.idleTimeoutMs',
    codec: integer(1, MAX_TIMER_MS),
    expected: `a positive integer of ms, ${TIMER}`,
    help: 'processing time without records after which a partition no longer holds the watermark',
  },
  {
    path: 'analytics.highAmountThreshold',
    codec: decimalAtLeast(0),
    expected: 'a decimal number >= 0',
    help: 'an order with an amount strictly above this raises a high_amount alert',
  },
  {
    path: 'analytics.velocityMaxOrders',
    codec: integer(0),
    expected: 'an integer >= 0',
    help: 'more orders of one customer than this within the velocity window raise a velocity alert',
  },
  { path: 'analytics.velocityWindowMs', codec: integer(1), expected: 'a positive integer of ms', help: 'span of event time of the velocity rule' },
  {
    path: 'analytics.maxFutureSkewMs',
    codec: integer(0),
    expected: 'an integer of ms >= 0 (0: off)',
    help: 'an order stamped more than this ahead of its partition\'s watermark becomes a too_far_ahead dead letter instead of moving it; 0 turns the guard off',
  },
  {
    path: 'kafka.bootstrapServers',
    codec: brokerList,
    expected: 'host:port[,host:port...] with a host name or IPv4 address and a port 1-65535, or empty',
    help: 'Kafka brokers; empty means no Kafka: `start` then replays the bundled sample',
  },
  { path: 'kafka.clientId', codec: plainName, expected: NAME, help: 'client id the service shows to Kafka' },
  { path: 'kafka.groupId', codec: plainName, expected: NAME, help: 'consumer group' },
  { path: 'kafka.inputTopic', codec: topicName, expected: TOPIC, help: 'topic of order events' },
  {
    path: 'kafka.inputPartitions',
    codec: integer(1, 2_147_483_647),
    expected: 'a positive integer, at most 2147483647',
    help: 'partitions of the input topic when the service creates it',
  },
  { path: 'kafka.outputTopic', codec: topicName, expected: TOPIC, help: 'topic of analytics results' },
  { path: 'kafka.deadLetterTopic', codec: topicName, expected: TOPIC, help: 'topic of dead letters (value untouched, reason in headers)' },
  { path: 'kafka.ssl', codec: t.boolean, expected: 'true or false', help: 'connect to the brokers over TLS' },
  { path: 'kafka.sslCaFile', codec: t.string, expected: 'a readable PEM file, or empty', help: 'CA certificates that signed the brokers\' (empty: the system\'s trusted CAs)' },
  { path: 'kafka.sslCertFile', codec: t.string, expected: 'a readable PEM file, or empty', help: 'client certificate for mutual TLS (with kafka.sslKeyFile)' },
  { path: 'kafka.sslKeyFile', codec: t.string, expected: 'a readable PEM file, or empty', help: 'private key of the client certificate' },
  {
    path: 'kafka.sslVerifyHostname',
    codec: t.boolean,
    expected: 'true or false',
    help: 'check that a broker\'s certificate names the host connected to (the certificate chain is always checked)',
  },
  {
    path: 'kafka.saslMechanism',
    codec: t.keyof({ none: null, plain: null, 'scram-sha-256': null, 'scram-sha-512': null }),
    expected: 'one of none, plain, scram-sha-256, scram-sha-512',
    help: 'SASL authentication (use it with kafka.ssl=true: PLAIN sends the password as it is)',
  },
  { path: 'kafka.saslUsername', codec: t.string, expected: 'a user name, or empty', help: 'SASL user' },
  { path: 'kafka.saslPassword', codec: t.string, expected: 'a password, or empty', help: 'SASL password (or kafka.saslPasswordFile)', secret: true },
  {
    path: 'kafka.saslPasswordFile',
    codec: t.string,
    expected: 'a readable file, or empty',
    help: 'file holding the SASL password, as a mounted Kubernetes or Docker secret (a final newline is ignored)',
  },
  {
    path: 'job.processingGuarantee',
    codec: t.keyof({ 'at-least-once': null, 'exactly-once': null }),
    expected: 'at-least-once or exactly-once',
    help: 'at-least-once: results as soon as they are made, repeats after a failure; exactly-once: each task\'s results and offsets in one Kafka transaction, visible to read_committed readers at each commit',
    env: 'PROCESSING_GUARANTEE',
  },
  {
    path: 'job.commitIntervalMs',
    codec: integer(0, MAX_TIMER_MS),
    expected: `an integer of ms >= 0, ${TIMER}`,
    help: 'how often offsets are committed (at least once: after the output before them is acknowledged; exactly once: with it, in one transaction); 0: by the guarantee, 1000 at least once, 100 exactly once',
  },
  {
    path: 'job.maxPendingOutputs',
    codec: integer(1),
    expected: 'a positive integer',
    help: 'consumption pauses while more results than this wait for the broker\'s acknowledgement',
  },
  {
    path: 'job.maxHeldOrders',
    codec: integer(1),
    expected: 'a positive integer',
    help: 'an input partition\'s reading pauses while this many of its orders wait for the other partitions (taken in event-time order across them), and resumes at half',
  },
  { path: 'job.restartAttempts', codec: integer(0), expected: 'an integer >= 0', help: 'restarts of a failed pipeline before the process exits non-zero' },
  { path: 'job.restartDelayMs', codec: integer(0, MAX_TIMER_MS), expected: `an integer of ms >= 0, ${TIMER}`, help: 'wait before each restart' },
  {
    path: 'job.shutdownTimeoutMs',
    codec: integer(1, MAX_TIMER_MS),
    expected: `a positive integer of ms, ${TIMER}`,
    help: 'longest a graceful stop may take',
  },
  {
    path: 'replay.sample',
    codec: plainName,
    expected: 'a non-empty file path without control characters or spaces at either end',
    help: 'the recording that `start` replays when no Kafka is configured',
  },
  { path: 'log.level', flag: 'log-level', codec: LogLevel, expected: 'one of error, warn, info, debug', help: 'least severe log level written' },
  {
    path: 'http.port',
    flag: 'http-port',
    codec: integer(0, 65_535),
    expected: 'a port number 0-65535',
    help: 'port of /healthz, /readyz, /metrics and /status while the service runs; 0 takes any free port (the log names it)',
  },
  {
    path: 'http.host',
    flag: 'http-host',
    codec: listenHost,
    expected: 'a host name, an IPv4 or IPv6 address (no brackets), or empty',
    help: 'address the HTTP server listens on; empty means every interface',
  },
];

/** `analytics.windowSizeMs` → `--window-size-ms`: the last part of the path, in kebab case, unless the table names it. */
export const flagOf = (def: SettingDef): string => def.flag ?? kebab(def.path.split('.').pop() as string);

/** `analytics.windowSizeMs` → `ANALYTICS_WINDOW_SIZE_MS`. */
export const envOf = (def: SettingDef): string => def.env ?? def.path.split('.').map(kebab).join('_').replace(/-/g, '_').toUpperCase();

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
