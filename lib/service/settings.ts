import * as t from 'io-ts';

/**
 * Every setting once: where it lives in config/*.json, its environment variable, its flag, what it must be
 * and what it means. Flags, environment, validation, `--help` and `config` all read this one table.
 */

interface PositiveIntBrand {
  readonly PositiveInt: unique symbol;
}
const PositiveInt = t.brand(t.number, (n): n is t.Branded<number, PositiveIntBrand> => Number.isSafeInteger(n) && n > 0, 'PositiveInt');

interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol;
}
const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, NonNegativeIntBrand> => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
);

interface NonNegativeNumberBrand {
  readonly NonNegativeNumber: unique symbol;
}
const NonNegativeNumber = t.brand(
  t.number,
  (n): n is t.Branded<number, NonNegativeNumberBrand> => Number.isFinite(n) && n >= 0,
  'NonNegativeNumber',
);

interface NonEmptyTextBrand {
  readonly NonEmptyText: unique symbol;
}
const NonEmptyText = t.brand(t.string, (s): s is t.Branded<string, NonEmptyTextBrand> => s.trim().length > 0, 'NonEmptyText');

interface PortBrand {
  readonly Port: unique symbol;
}
const Port = t.brand(t.number, (n): n is t.Branded<number, PortBrand> => Number.isSafeInteger(n) && n >= 0 && n <= 65_535, 'Port');

/** Empty means "not configured" where a setting allows it. */
const Text = t.string;

const LogLevel = t.keyof({ error: null, warn: null, info: null, debug: null });

export interface SettingDef {
  /** Dotted path in the config files. */
  readonly path: string;
  readonly codec: t.Mixed;
  /** What a valid value is, for error lines. */
  readonly expected: string;
  readonly help: string;
  /** The flag's name where the last part of the path alone would not say enough (`--port` of what?). */
  readonly flag?: string;
}

export const SETTINGS: readonly SettingDef[] = [
  { path: 'analytics.windowSizeMs', codec: PositiveInt, expected: 'a positive integer of ms', help: 'size of the tumbling windows' },
  {
    path: 'analytics.maxOutOfOrdernessMs',
    codec: NonNegativeInt,
    expected: 'an integer of ms >= 0',
    help: 'how far behind the newest record of its partition a record may be and still count',
  },
  {
    path: 'analytics.idleTimeoutMs',
    codec: PositiveInt,
    expected: 'a positive integer of ms',
    help: 'processing time without records after which a partition no longer holds the watermark',
  },
  {
    path: 'analytics.highAmountThreshold',
    codec: NonNegativeNumber,
    expected: 'a number >= 0',
    help: 'an order with an amount strictly above this raises a high_amount alert',
  },
  {
    path: 'analytics.velocityMaxOrders',
    codec: NonNegativeInt,
    expected: 'an integer >= 0',
    help: 'more orders of one customer than this within the velocity window raise a velocity alert',
  },
  { path: 'analytics.velocityWindowMs', codec: PositiveInt, expected: 'a positive integer of ms', help: 'span of event time of the velocity rule' },
  {
    path: 'analytics.maxFutureSkewMs',
    codec: NonNegativeInt,
    expected: 'an integer of ms >= 0 (0: off)',
    help: 'an order stamped more than this ahead of its partition\'s watermark becomes a too_far_ahead dead letter instead of moving it; 0 turns the guard off',
  },
  {
    path: 'kafka.bootstrapServers',
    codec: Text,
    expected: 'host:port[,host:port...] or empty',
    help: 'Kafka brokers; empty means no Kafka: `start` then replays the bundled sample',
  },
  { path: 'kafka.clientId', codec: NonEmptyText, expected: 'a non-empty name', help: 'client id the service shows to Kafka' },
  { path: 'kafka.groupId', codec: NonEmptyText, expected: 'a non-empty name', help: 'consumer group' },
  { path: 'kafka.inputTopic', codec: NonEmptyText, expected: 'a topic name', help: 'topic of order events' },
  { path: 'kafka.inputPartitions', codec: PositiveInt, expected: 'a positive integer', help: 'partitions of the input topic when the service creates it' },
  { path: 'kafka.outputTopic', codec: NonEmptyText, expected: 'a topic name', help: 'topic of analytics results' },
  { path: 'kafka.deadLetterTopic', codec: NonEmptyText, expected: 'a topic name', help: 'topic of dead letters (value untouched, reason in headers)' },
  {
    path: 'job.commitIntervalMs',
    codec: PositiveInt,
    expected: 'a positive integer of ms',
    help: 'how often offsets are committed (after the output before them is acknowledged)',
  },
  {
    path: 'job.maxPendingOutputs',
    codec: PositiveInt,
    expected: 'a positive integer',
    help: 'consumption pauses while more results than this wait for the broker\'s acknowledgement',
  },
  { path: 'job.restartAttempts', codec: NonNegativeInt, expected: 'an integer >= 0', help: 'restarts of a failed pipeline before the process exits non-zero' },
  { path: 'job.restartDelayMs', codec: NonNegativeInt, expected: 'an integer of ms >= 0', help: 'wait before each restart' },
  { path: 'job.shutdownTimeoutMs', codec: PositiveInt, expected: 'a positive integer of ms', help: 'longest a graceful stop may take' },
  { path: 'replay.sample', codec: NonEmptyText, expected: 'a file path', help: 'the recording that `start` replays when no Kafka is configured' },
  { path: 'log.level', flag: 'log-level', codec: LogLevel, expected: 'one of error, warn, info, debug', help: 'least severe log level written' },
  {
    path: 'http.port',
    flag: 'http-port',
    codec: Port,
    expected: 'a port number 0-65535',
    help: 'port of /healthz, /readyz, /metrics and /status while the service runs; 0 takes any free port (the log names it)',
  },
  {
    path: 'http.host',
    flag: 'http-host',
    codec: Text,
    expected: 'an address or host name, or empty',
    help: 'address the HTTP server listens on; empty means every interface',
  },
];

/** `analytics.windowSizeMs` → `--window-size-ms`: the last part of the path, in kebab case, unless the table names it. */
export const flagOf = (def: SettingDef): string => def.flag ?? kebab(def.path.split('.').pop() as string);

/** `analytics.windowSizeMs` → `ANALYTICS_WINDOW_SIZE_MS`. */
export const envOf = (def: SettingDef): string => def.path.split('.').map(kebab).join('_').replace(/-/g, '_').toUpperCase();

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Settings that hold numbers take their flags and environment variables as numbers. */
export const isNumeric = (def: SettingDef): boolean => def.codec instanceof t.RefinementType && def.codec.type === t.number;
