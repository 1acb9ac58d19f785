import { expect } from 'chai';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { ConfigError, PACKAGE_ROOT, resolveSettings, type ConfigSources } from '../../lib/service/config.js';
import { fromText, textSyntax } from '../../lib/service/setting-text.js';
import { envOf, flagOf, SETTINGS } from '../../lib/service/settings.js';
import { tempDir } from '../helpers/cli.js';

/**
 * Every setting against values it must take and values it must refuse, through each layer: flag,
 * environment and config file. A new row in SETTINGS needs its cases here.
 */

interface Cases {
  /** Flag or environment text, and the value it must become. */
  readonly good: ReadonlyArray<readonly [string, unknown]>;
  /** Flag or environment text it must refuse. */
  readonly bad: readonly string[];
  /** Values in a JSON config file. */
  readonly goodJson: readonly unknown[];
  readonly badJson: readonly unknown[];
}

const same = (...texts: string[]): Array<[string, string]> => texts.map((s) => [s, s]);
const numbers = (...texts: string[]): Array<[string, number]> => texts.map((s) => [s, Number(s)]);
/** Text that no number setting takes, whatever its range. */
const NOT_NUMBERS = ['0x10', ' 60000', '60000 ', '1e3', '+5', '007', '0b1', '0o7', 'Infinity', 'NaN', '1_000', '1,000', '', 'soon'];
/** As NOT_NUMBERS, and fractions, for integer settings. */
const NOT_INTEGERS = [...NOT_NUMBERS, '2.5', '5.0', '-0', '9007199254740992', '99999999999999999999'];
const NOT_JSON_INTEGERS = [1.5, '5000', null, true, [5], {}];

const CASES: Record<string, Cases> = {
  'analytics.windowSizeMs': {
    good: numbers('1', '1000', '900000', '3600000', '86400000', '172800000', '604800000', '31622400000'),
    bad: [...NOT_INTEGERS, '0', '-3600000', '7', '420000', '90000000', '31708800000'],
    goodJson: [60_000, 86_400_000],
    badJson: [...NOT_JSON_INTEGERS, 0, 420_000],
  },
  'analytics.maxOutOfOrdernessMs': {
    good: numbers('0', '5000', '9007199254740991'),
    bad: [...NOT_INTEGERS, '-1'],
    goodJson: [0, 5000],
    badJson: [...NOT_JSON_INTEGERS, -1],
  },
  'analytics.idleTimeoutMs': {
    good: numbers('1', '30000', '2147483647'),
    bad: [...NOT_INTEGERS, '0', '2147483648', '30s'],
    goodJson: [1000],
    badJson: [...NOT_JSON_INTEGERS, 0, 2_147_483_648],
  },
  'analytics.highAmountThreshold': {
    good: [...numbers('0', '1000', '0.01', '999.999'), ['1000.50', 1000.5]],
    bad: [...NOT_NUMBERS, '-1', '-0', '-0.0', '.5', '5.', '01.5', `1${'0'.repeat(400)}`],
    goodJson: [0, 999.99, 1e3],
    badJson: ['1000', -0.5, null, false],
  },
  'analytics.velocityMaxOrders': {
    good: numbers('0', '5', '1000000'),
    bad: [...NOT_INTEGERS, '-1', 'five'],
    goodJson: [0, 5],
    badJson: [...NOT_JSON_INTEGERS, -1],
  },
  'analytics.velocityWindowMs': {
    good: numbers('1', '60000', '86400000000'),
    bad: [...NOT_INTEGERS, '0', '-60000', '1m'],
    goodJson: [60_000],
    badJson: [...NOT_JSON_INTEGERS, 0],
  },
  'analytics.maxFutureSkewMs': {
    good: numbers('0', '86400000', '9007199254740991'),
    bad: [...NOT_INTEGERS, '-1', '1d'],
    goodJson: [0, 86_400_000],
    badJson: [...NOT_JSON_INTEGERS, -1],
  },
  'kafka.bootstrapServers': {
    good: same(
      'localhost:9092',
      '127.0.0.1:19092',
      'broker-1.example.com:9092,broker-2.example.com:9093',
      'a:1, b:65535',
      'a:1 ,b:2',
      'kafka_1:9092',
      'KAFKA:9092',
    ),
    bad: [
      'foo',
      'foo:',
      ':9092',
      'foo:0',
      'foo:65536',
      'foo:09092',
      'foo:+1',
      'foo:9092,',
      ',foo:9092',
      'foo:9092,,bar:9092',
      ' foo:9092',
      'foo:9092 ',
      ' ',
      '[::1]:9092',
      '::1:9092',
      '999.1.1.1:9092',
      '1.2.3:9092',
      'http://foo:9092',
      'foo:9092;bar:9092',
      'foo bar:9092',
      '-foo:9092',
      'foo-:9092',
      'a..b:9092',
      `${'a'.repeat(64)}:9092`,
    ],
    goodJson: ['', 'broker:9092'],
    badJson: ['foo', 9092, null, ['a:1']],
  },
  'kafka.clientId': {
    good: same('stream-processor', 'my client 1', 'g.1_x', 'ünïcode'),
    bad: ['', ' c', 'c ', 'a\tb', 'a\nb', 'a\u0000b', 'a\u007fb'],
    goodJson: ['client'],
    badJson: ['', 5, null],
  },
  'kafka.groupId': {
    good: same('flink-stream-processor', 'group one', 'g.1_x'),
    bad: ['', ' g', 'g ', 'a\tb', 'a\r\nb'],
    goodJson: ['group'],
    badJson: ['', ' g', 5],
  },
  'kafka.inputTopic': {
    good: same('orders-2', 'a', 'x'.repeat(249), 'a.b_c-D9', '...'),
    bad: ['bad topic!', '', '.', '..', 'x'.repeat(250), 'ord/ers', 'ördérs', ' orders', 'orders\n'],
    goodJson: ['orders-2'],
    badJson: ['bad topic!', '', 5],
  },
  'kafka.inputPartitions': {
    good: numbers('1', '3', '2147483647'),
    bad: [...NOT_INTEGERS, '0', '-3', '2147483648'],
    goodJson: [1, 12],
    badJson: [...NOT_JSON_INTEGERS, 0],
  },
  'kafka.outputTopic': {
    good: same('analytics-2', 'A', 'x'.repeat(249)),
    bad: ['bad topic!', '', '.', '..', 'x'.repeat(250), 'a:b'],
    goodJson: ['results'],
    badJson: ['a b', null],
  },
  'kafka.deadLetterTopic': {
    good: same('orders-dlq', 'dead_letters', 'x'.repeat(249)),
    bad: ['bad topic!', '', '.', '..', 'x'.repeat(250), 'a*'],
    goodJson: ['dlq'],
    badJson: ['..', true],
  },
  'job.processingGuarantee': {
    good: same('at-least-once', 'exactly-once'),
    bad: ['', 'exactly_once', 'EXACTLY-ONCE', 'at-most-once', 'eos'],
    goodJson: ['exactly-once'],
    badJson: ['exactly_once', 1, null],
  },
  'job.commitIntervalMs': {
    good: numbers('0', '1', '1000', '2147483647'),
    bad: [...NOT_INTEGERS, '-1', '2147483648'],
    goodJson: [0, 500],
    badJson: [...NOT_JSON_INTEGERS, -1],
  },
  'job.maxPendingOutputs': {
    good: numbers('1', '10000'),
    bad: [...NOT_INTEGERS, '0', '-5'],
    goodJson: [1],
    badJson: [...NOT_JSON_INTEGERS, 0],
  },
  'job.maxHeldOrders': {
    good: numbers('1', '20000'),
    bad: [...NOT_INTEGERS, '0', '-5'],
    goodJson: [1],
    badJson: [...NOT_JSON_INTEGERS, 0],
  },
  'job.restartAttempts': {
    good: numbers('0', '3'),
    bad: [...NOT_INTEGERS, '-1', 'three'],
    goodJson: [0],
    badJson: [...NOT_JSON_INTEGERS, -1],
  },
  'job.restartDelayMs': {
    good: numbers('0', '10000', '2147483647'),
    bad: [...NOT_INTEGERS, '-1', '2147483648'],
    goodJson: [0],
    badJson: [...NOT_JSON_INTEGERS, 2_147_483_648],
  },
  'job.shutdownTimeoutMs': {
    good: numbers('1', '10000', '2147483647'),
    bad: [...NOT_INTEGERS, '0', '3000000000'],
    goodJson: [10_000],
    badJson: [...NOT_JSON_INTEGERS, 0],
  },
  'replay.sample': {
    good: same('examples/x.jsonl', '/tmp/a b.jsonl.gz'),
    bad: ['', ' x', 'x ', 'a\u0000b', 'a\nb'],
    goodJson: ['x.jsonl'],
    badJson: ['', 5],
  },
  'kafka.ssl': { good: [['true', true], ['false', false]], bad: ['', 'yes', '1', 'TRUE', ' true'], goodJson: [true, false], badJson: ['true', 1, null] },
  'kafka.sslVerifyHostname': { good: [['true', true], ['false', false]], bad: ['', 'no', '0', 'False'], goodJson: [true, false], badJson: ['false', 0, null] },
  // The TLS files and the password file are checked by the rules that tie them together (a readable file,
  // TLS on, a certificate with its key): see spec/kafka/secured.spec.ts. Alone, each takes empty or text.
  'kafka.sslCaFile': { good: same(''), bad: [], goodJson: [''], badJson: [1, null, ['ca.pem']] },
  'kafka.sslCertFile': { good: same(''), bad: [], goodJson: [''], badJson: [1, null] },
  'kafka.sslKeyFile': { good: same(''), bad: [], goodJson: [''], badJson: [1, null] },
  'kafka.saslMechanism': { good: same('none'), bad: ['', 'PLAIN', 'scram', 'gssapi', 'scram-sha-1'], goodJson: ['none'], badJson: ['SCRAM-SHA-512', 1, null] },
  'kafka.saslUsername': { good: same('', 'alice'), bad: [], goodJson: ['alice'], badJson: [1, null] },
  'kafka.saslPassword': { good: same('', 's3cret'), bad: [], goodJson: ['s3cret'], badJson: [1, null] },
  'kafka.saslPasswordFile': { good: same('', `${PACKAGE_ROOT}package.json`), bad: [], goodJson: [''], badJson: [1, null] },
  'log.level': {
    good: same('error', 'warn', 'info', 'debug'),
    bad: ['', 'DEBUG', 'verbose', ' info'],
    goodJson: ['warn'],
    badJson: ['loud', 1],
  },
  'http.port': {
    good: numbers('0', '8082', '65535'),
    bad: [...NOT_INTEGERS, '-1', '65536', '08082', '0x1f90', 'http'],
    goodJson: [0, 8082],
    badJson: [...NOT_JSON_INTEGERS, '8082', 65_536],
  },
  'http.host': {
    good: same('localhost', '0.0.0.0', '127.0.0.1', '::', '::1', 'fe80::1', 'my-host.example.com'),
    bad: [' ', '[::1]', '256.1.1.1', '1.2.3', 'host name', 'http://x', 'a..b', '-a', 'localhost:8082'],
    goodJson: ['', '::1'],
    badJson: ['[::1]', 8082, null],
  },
};

const defOf = (path: string) => SETTINGS.find((d) => d.path === path) ?? expect.fail(`no setting ${path}`);

/** A config folder with the real default.json and a test.json holding `body`. */
function configDir(body?: unknown): string {
  const dir = tempDir();
  copyFileSync(join(PACKAGE_ROOT, 'config/default.json'), join(dir, 'default.json'));
  if (body !== undefined) writeFileSync(join(dir, 'test.json'), JSON.stringify(body));
  return dir;
}

const DEFAULTS = configDir();

/** The one-line message of the ConfigError these sources throw. */
function errorOf(sources: ConfigSources): string {
  try {
    resolveSettings(sources);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    expect((e as Error).message, 'one line').not.to.contain('\n');
    return (e as Error).message;
  }
  return expect.fail(`expected a ConfigError from ${JSON.stringify(sources, (_, v: unknown) => (v instanceof Map ? [...v] : v))}`);
}

/** `"text"`, or the bare number where the text was one the setting's syntax reads (then out of range). */
const shownForms = (text: string): string[] => [JSON.stringify(text), text];

describe('every setting, good and bad values, through every layer', () => {
  it('has cases for every setting, and nothing else', () => {
    expect(Object.keys(CASES).sort()).to.deep.equal(SETTINGS.map((d) => d.path).sort());
  });

  for (const [path, cases] of Object.entries(CASES)) {
    describe(path, () => {
      const def = defOf(path);
      const flag = `--${flagOf(def)}`;
      const env = envOf(def);

      it(`takes ${cases.good.map(([text]) => JSON.stringify(text)).join(', ')} as a flag and from ${env}`, () => {
        for (const [text, value] of cases.good) {
          expect(resolveSettings({ configDir: DEFAULTS, env: {}, flags: new Map([[path, text]]) }).get(path), `${flag}=${text}`).to.deep.equal({
            value,
            origin: `flag ${flag}`,
          });
          if (text === '') continue; // an empty variable counts as unset
          expect(resolveSettings({ configDir: DEFAULTS, env: { [env]: text } }).get(path), `${env}=${text}`).to.deep.equal({ value, origin: `env ${env}` });
        }
      });

      it('refuses bad flag text in one line naming the flag, its value and what is expected', () => {
        for (const text of cases.bad) {
          const message = errorOf({ configDir: DEFAULTS, env: {}, flags: new Map([[path, text]]) });
          expect(shownForms(text).map((shown) => `bad setting: ${flag}=${shown}: expected ${def.expected}`), `${flag}=${JSON.stringify(text)}`).to.include(message);
        }
      });

      it(`refuses the same text from ${env}`, () => {
        for (const text of cases.bad.filter((s) => s !== '')) {
          const message = errorOf({ configDir: DEFAULTS, env: { [env]: text } });
          expect(shownForms(text).map((shown) => `bad setting: ${env}=${shown}: expected ${def.expected}`), `${env}=${JSON.stringify(text)}`).to.include(message);
        }
      });

      it('takes good JSON values in a config file and refuses bad ones, of the wrong kind too', () => {
        const [section, key] = path.split('.') as [string, string];
        for (const value of cases.goodJson) {
          const resolved = resolveSettings({ configDir: configDir({ [section]: { [key]: value } }), env: { NODE_ENV: 'test' } });
          expect(resolved.get(path)).to.deep.equal({ value, origin: 'config/test.json' });
        }
        for (const value of cases.badJson) {
          const message = errorOf({ configDir: configDir({ [section]: { [key]: value } }), env: { NODE_ENV: 'test' } });
          expect(message, JSON.stringify(value)).to.match(new RegExp(`^bad setting: ${escape(`${path}=${JSON.stringify(value)} in config/test.json: expected ${def.expected}`)}`));
        }
      });
    });
  }

  it('the examples that started this: each stops at start with its own line', () => {
    const flagError = (path: string, text: string): string => errorOf({ configDir: DEFAULTS, env: {}, flags: new Map([[path, text]]) });
    expect(flagError('kafka.bootstrapServers', 'foo')).to.equal(`bad setting: --bootstrap-servers="foo": expected ${defOf('kafka.bootstrapServers').expected}`);
    expect(flagError('kafka.inputTopic', 'bad topic!')).to.equal(`bad setting: --input-topic="bad topic!": expected ${defOf('kafka.inputTopic').expected}`);
    expect(flagError('analytics.windowSizeMs', '0x10')).to.equal(`bad setting: --window-size-ms="0x10": expected ${defOf('analytics.windowSizeMs').expected}`);
    expect(flagError('analytics.windowSizeMs', ' 60000')).to.equal(`bad setting: --window-size-ms=" 60000": expected ${defOf('analytics.windowSizeMs').expected}`);
  });

  it('says how JSON writes a number when a config file holds it as a string', () => {
    expect(errorOf({ configDir: configDir({ analytics: { windowSizeMs: '60000' } }), env: { NODE_ENV: 'test' } })).to.equal(
      `bad setting: analytics.windowSizeMs="60000" in config/test.json: expected ${defOf('analytics.windowSizeMs').expected} (a JSON number, not a string)`,
    );
  });
});

describe('settings that must agree with each other', () => {
  const topicError = (flags: Record<string, string>, env: NodeJS.ProcessEnv = {}): string =>
    errorOf({ configDir: DEFAULTS, env, flags: new Map(Object.entries(flags)) });
  const RULE = "expected the input, output and dead-letter topics to be three different topics (Kafka takes '.' and '_' in topic names as the same)";

  it('refuses an output topic that is the input topic, naming both and where each came from', () => {
    expect(topicError({ 'kafka.outputTopic': 'orders' })).to.equal(`bad setting: kafka.inputTopic="orders" in config/default.json, --output-topic="orders": ${RULE}`);
  });

  it('refuses topics that differ only by . against _, which Kafka would not create side by side', () => {
    expect(topicError({ 'kafka.outputTopic': 'orders_dlq' })).to.equal(
      `bad setting: --output-topic="orders_dlq", kafka.deadLetterTopic="orders.dlq" in config/default.json: ${RULE}`,
    );
  });

  it('names all three when all three are one, from whichever layers they came', () => {
    expect(topicError({ 'kafka.deadLetterTopic': 'x' }, { KAFKA_INPUT_TOPIC: 'x', KAFKA_OUTPUT_TOPIC: 'x' })).to.equal(
      `bad setting: KAFKA_INPUT_TOPIC="x", KAFKA_OUTPUT_TOPIC="x", --dead-letter-topic="x": ${RULE}`,
    );
  });

  it('takes three different topics', () => {
    const resolved = resolveSettings({ configDir: DEFAULTS, env: {}, flags: new Map([['kafka.inputTopic', 'in'], ['kafka.outputTopic', 'out'], ['kafka.deadLetterTopic', 'in.dlq']]) });
    expect(['kafka.inputTopic', 'kafka.outputTopic', 'kafka.deadLetterTopic'].map((p) => resolved.get(p)?.value)).to.deep.equal(['in', 'out', 'in.dlq']);
  });

  it('reports a bad topic once, as itself, not again as a clash; and the clash after every per-setting error', () => {
    expect(topicError({ 'kafka.inputTopic': 'bad topic!', 'kafka.outputTopic': 'bad topic!' }).split('; ')).to.deep.equal([
      `bad setting: --input-topic="bad topic!": expected ${defOf('kafka.inputTopic').expected}`,
      `--output-topic="bad topic!": expected ${defOf('kafka.outputTopic').expected}`,
    ]);
    expect(topicError({ 'kafka.outputTopic': 'orders', 'http.port': '08082' }).split('; ')).to.deep.equal([
      `bad setting: --http-port="08082": expected ${defOf('http.port').expected}`,
      `kafka.inputTopic="orders" in config/default.json, --output-topic="orders": ${RULE}`,
    ]);
  });
});

describe('how flag and environment text becomes a value (fromText)', () => {
  it('reads each setting by its codec: integers, decimals, or the text as it is', () => {
    expect(textSyntax(defOf('analytics.windowSizeMs').codec)).to.equal('integer');
    expect(textSyntax(defOf('http.port').codec)).to.equal('integer');
    expect(textSyntax(defOf('analytics.highAmountThreshold').codec)).to.equal('decimal');
    expect(textSyntax(defOf('log.level').codec)).to.equal('text');
    expect(textSyntax(defOf('kafka.bootstrapServers').codec)).to.equal('text');
  });

  it('takes a boolean codec\'s text as true or false exactly, else leaves the text for the codec to refuse', () => {
    const flagCodec = t.brand(t.boolean, (b): b is t.Branded<boolean, { readonly Flag: unique symbol }> => typeof b === 'boolean', 'Flag');
    for (const codec of [t.boolean, flagCodec]) {
      expect(textSyntax(codec)).to.equal('boolean');
      expect([fromText(codec, 'true'), fromText(codec, 'false')]).to.deep.equal([true, false]);
      for (const text of ['TRUE', 'True', '1', 'yes', ' true', '']) expect(fromText(codec, text), text).to.equal(text);
    }
  });

  it('leaves an enum\'s text as it is, for its codec to check', () => {
    const mechanism = t.keyof({ plain: null, 'scram-sha-256': null });
    expect(textSyntax(mechanism)).to.equal('text');
    expect(fromText(mechanism, 'scram-sha-256')).to.equal('scram-sha-256');
    expect(mechanism.is(fromText(mechanism, 'PLAIN'))).to.equal(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
