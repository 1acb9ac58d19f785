import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runCli, tempDir } from '../helpers/cli.js';
import { ServiceProcess, uniqueNames } from '../helpers/kafka.js';
import { LocalBroker } from '../helpers/local-broker.js';
import { writeRecording } from '../helpers/recording.js';

const PORT = Number(process.env.TEST_KAFKA_SECURED_PORT ?? 19292);

/**
 * A broker of the test's own with a SASL_SSL listener beside the plaintext one (scripts/kafka/kafka.sh
 * with KAFKA_SASL_SSL_PORT): a CA and a broker certificate made at start, SCRAM and PLAIN users.
 */
describe('a secured cluster: TLS and SASL on a real broker', function () {
  this.timeout(240_000);
  const broker = new LocalBroker(PORT, { saslSslPort: PORT + 2 });
  let secure: ReturnType<LocalBroker['secured']>;

  before(() => {
    broker.start();
    secure = broker.secured();
  });
  after(() => broker.clean());

  /** Settings of a client of the SASL_SSL listener, as environment variables. */
  const securedEnv = (names: ReturnType<typeof uniqueNames>, mechanism: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    HTTP_PORT: '0',
    KAFKA_BOOTSTRAP_SERVERS: secure.KAFKA_SASL_SSL_BOOTSTRAP,
    KAFKA_INPUT_TOPIC: names.inputTopic,
    KAFKA_OUTPUT_TOPIC: names.outputTopic,
    KAFKA_DEAD_LETTER_TOPIC: names.deadLetterTopic,
    KAFKA_GROUP_ID: names.groupId,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: secure.KAFKA_SSL_CA_FILE,
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: secure.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: secure.KAFKA_SASL_PASSWORD,
    ...extra,
  });

  it('produce (PLAIN) and run (SCRAM-SHA-512, password from a file, mutual TLS) consume and publish over SASL_SSL', async () => {
    const names = uniqueNames('secured');
    const dir = tempDir();
    const file = join(dir, 'orders.jsonl');
    const lines = writeRecording(file, 1_000, 31);
    const highAmounts = lines.filter((l) => l.includes('"amount":1500.25')).length;
    expect(highAmounts).to.be.greaterThan(5);

    const produced = await runCli(['produce', file], securedEnv(names, 'plain'));
    expect(produced.code, produced.stderr).to.equal(0);

    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${secure.KAFKA_SASL_PASSWORD}\n`);
    const service = new ServiceProcess(
      securedEnv(names, 'scram-sha-512', {
        KAFKA_SASL_PASSWORD: '',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
        KAFKA_SSL_CERT_FILE: secure.KAFKA_SSL_CERT_FILE,
        KAFKA_SSL_KEY_FILE: secure.KAFKA_SSL_KEY_FILE,
      }),
    );
    try {
      await service.waitForLog(/"consuming"/, 60_000);
      // Read back over SASL_SSL too, as SCRAM-SHA-256.
      const reader = new Kafka({
        clientId: 'spec',
        brokers: [secure.KAFKA_SASL_SSL_BOOTSTRAP],
        ssl: { ca: [readFileSync(secure.KAFKA_SSL_CA_FILE)] },
        sasl: { mechanism: 'scram-sha-256', username: secure.KAFKA_SASL_USERNAME, password: secure.KAFKA_SASL_PASSWORD },
        logLevel: logLevel.NOTHING,
      }).consumer({ groupId: `reader-${names.groupId}` });
      const alerts: string[] = [];
      await reader.connect();
      await reader.subscribe({ topics: [names.outputTopic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${alerts.length} of ${highAmounts} high_amount alerts in 90 s:\n${service.logs.slice(-20).join('\n')}`)), 90_000);
        void reader.run({
          eachMessage: async ({ message }) => {
            const value = message.value?.toString() ?? '';
            if (value.includes('"rule":"high_amount"')) alerts.push(value);
            if (alerts.length >= highAmounts) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await reader.disconnect();
      expect(alerts).to.have.length(highAmounts);
      expect(service.logs.join('\n')).not.to.contain(secure.KAFKA_SASL_PASSWORD);
    } finally {
      service.kill('SIGTERM');
      expect(await service.exited, service.logs.join('\n')).to.equal(0);
    }
  });

  it('a wrong password stops run, produce and generate with one clear line and exit 1, without retrying', async () => {
    const names = uniqueNames('wrong');
    const env = securedEnv(names, 'scram-sha-512', { KAFKA_SASL_PASSWORD: 'not-the-password' });
    const service = new ServiceProcess(env);
    expect(await service.exited).to.equal(1);
    const lines = service.logs.filter((l) => l.startsWith('stream-processor: '));
    expect(lines, service.logs.join('\n')).to.have.length(1);
    expect(lines[0]).to.match(/^stream-processor: kafka: Kafka refused the credentials: .*SCRAM.* \(check kafka\.saslUsername, the password and kafka\.saslMechanism\)$/);
    expect(service.logs.join('\n')).not.to.match(/restart 1 of/);
    for (const command of [['produce', writeOne()], ['generate', '--count', '1']]) {
      const result = await runCli(command, env);
      expect(result.code, result.stderr).to.equal(1);
      // kafkajs's own log lines (JSON) may come first; ours is one line, the last.
      const ours = result.stderr.trim().split('\n').filter((l) => l.startsWith('stream-processor: '));
      expect(ours, result.stderr).to.have.length(1);
      expect(ours[0]).to.match(/^stream-processor: kafka: Kafka refused the credentials: .*SCRAM/);
    }
  });

  it('plaintext against the TLS port is a clear error too, and exits 1 at once, for run as for produce', async () => {
    const names = uniqueNames('plain-to-tls');
    const env = { HTTP_PORT: '0', KAFKA_BOOTSTRAP_SERVERS: secure.KAFKA_SASL_SSL_BOOTSTRAP, KAFKA_INPUT_TOPIC: names.inputTopic };
    const produced = await runCli(['produce', writeOne()], env);
    expect(produced.code, produced.stderr).to.equal(1);
    expect(produced.stderr).to.match(/^stream-processor: kafka: the broker closed every connection at once: it may expect TLS \(set kafka\.ssl=true\)[^\n]*\n$/);
    const service = new ServiceProcess(env);
    expect(await service.exited, service.logs.join('\n')).to.equal(1);
    expect(service.logs.filter((l) => l.startsWith('stream-processor: '))).to.deep.equal([produced.stderr.trim()]);
  });

  it('config masks the password; an unreadable CA file or a mechanism without a user stops at start with exit 2', async () => {
    const names = uniqueNames('config');
    const shown = await runCli(['config'], securedEnv(names, 'scram-sha-512'));
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/^kafka\.saslPassword\s+"\*\*\*"\s+\(env KAFKA_SASL_PASSWORD\)$/m);
    expect(shown.stdout).not.to.contain(secure.KAFKA_SASL_PASSWORD);
    const missing = await runCli(['run'], securedEnv(names, 'plain', { KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }));
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^stream-processor: bad setting: KAFKA_SSL_CA_FILE="\/nonexistent\/ca.pem": expected a file that can be read \(or empty\)\n$/);
    const noUser = await runCli(['run'], securedEnv(names, 'plain', { KAFKA_SASL_USERNAME: '' }));
    expect(noUser.code).to.equal(2);
    expect(noUser.stderr).to.contain('expected a SASL user name and a password (or password file) with a SASL mechanism');
  });
});

function writeOne(): string {
  const file = join(tempDir(), 'one.jsonl');
  writeFileSync(file, '{"orderId":"a","customerId":"c","amount":1,"timestamp":1,"items":[]}\n');
  return file;
}
