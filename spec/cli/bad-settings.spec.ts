import { expect } from 'chai';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { runCli, SAMPLE, type CliResult } from '../helpers/cli.js';

/**
 * A bad setting or flag stops every command at start, before anything connects: exit code 2, one line on
 * stderr naming each bad value, nothing on stdout. A listening socket stands in for the broker and
 * counts who calls.
 */

/** A TCP listener that counts the connections it accepts. */
class Listener {
  private readonly server: Server;
  private accepted = 0;
  private waiting: Array<() => void> = [];

  private constructor() {
    this.server = createServer((socket) => {
      this.accepted += 1;
      socket.destroy();
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  static async open(): Promise<Listener> {
    const listener = new Listener();
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    return listener;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Connections accepted from others, once every connection made so far has been accepted: the listener
   * accepts in arrival order, so when its own probe comes through, anything before it has too.
   */
  async othersSoFar(): Promise<number> {
    const before = this.accepted;
    const probe = createConnection({ host: '127.0.0.1', port: (this.server.address() as AddressInfo).port });
    probe.on('error', () => undefined);
    const target = before + 1;
    while (this.accepted < target) await new Promise<void>((resolve) => this.waiting.push(resolve));
    probe.destroy();
    return this.accepted - 1;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function expectOneLine(result: CliResult, ...mentions: string[]): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stdout, 'nothing started').to.equal('');
  expect(result.stderr).to.match(/^stream-processor: bad setting: [^\n]+\n$/);
  for (const mention of mentions) expect(result.stderr).to.contain(mention);
}

describe('bad settings stop every command before anything connects', function () {
  this.timeout(20_000);
  let broker: Listener;

  beforeEach(async () => {
    broker = await Listener.open();
  });

  afterEach(async () => {
    await broker.close();
  });

  it('run --bootstrap-servers foo: exit 2 at once, naming it (not a NaN port 68 s later)', async () => {
    expectOneLine(await runCli(['run', '--bootstrap-servers', 'foo', '--http-port', '0']), '--bootstrap-servers="foo": expected host:port');
  });

  it("run --input-topic 'bad topic!': exit 2, naming it, and the broker never hears from it", async () => {
    const result = await runCli(['run', '--bootstrap-servers', broker.address, '--input-topic', 'bad topic!', '--http-port', '0']);
    expectOneLine(result, '--input-topic="bad topic!": expected a Kafka topic name');
    expect(await broker.othersSoFar()).to.equal(0);
  });

  it('run: every bad value, from flags and the environment, in the one line', async () => {
    const result = await runCli(['run', '--window-size-ms', '0x10', '--output-topic=orders', '--http-port', '0'], {
      KAFKA_BOOTSTRAP_SERVERS: broker.address,
      ANALYTICS_MAX_OUT_OF_ORDERNESS_MS: ' 60000',
    });
    expectOneLine(result, '--window-size-ms="0x10"', 'ANALYTICS_MAX_OUT_OF_ORDERNESS_MS=" 60000"', 'kafka.inputTopic="orders" in config/default.json, --output-topic="orders"');
    expect(result.stderr.split('; ')).to.have.length(3);
    expect(await broker.othersSoFar()).to.equal(0);
  });

  it('start with a bad KAFKA_BOOTSTRAP_SERVERS neither replays nor connects', async () => {
    expectOneLine(await runCli(['start'], { KAFKA_BOOTSTRAP_SERVERS: `${broker.address},` }), `KAFKA_BOOTSTRAP_SERVERS="${broker.address},"`);
    expect(await broker.othersSoFar()).to.equal(0);
  });

  it('generate: its own flags read as strictly, reported with the settings', async () => {
    const result = await runCli(['generate', '--bootstrap-servers', broker.address, '--rate', '0x10', '--count=1e3', '--seed=-1', '--fraud-share', '1.5', '--customers', '10 ', '--window-size-ms', '420000']);
    expectOneLine(
      result,
      '--rate="0x10": expected a number > 0 of orders per second',
      '--count="1e3": expected a positive integer',
      '--customers="10 ": expected a positive integer',
      '--seed="-1": expected an integer from 0 to 4294967295',
      '--fraud-share="1.5": expected a decimal number from 0 to 1',
      '--window-size-ms=420000: expected a positive integer of ms that divides a day',
    );
    expect(await broker.othersSoFar()).to.equal(0);
  });

  it('produce: a bad --rate or --key, a missing file and a bad setting, in one line', async () => {
    const result = await runCli(['produce', 'no/such/file.jsonl', '--key', 'sku', '--rate', '1e3', '--restart-attempts=-1'], {
      KAFKA_BOOTSTRAP_SERVERS: broker.address,
    });
    expectOneLine(
      result,
      '--key="sku": expected one of customerId, orderId',
      '--rate="1e3": expected a number > 0 of messages per second',
      'no/such/file.jsonl: cannot read it (ENOENT)',
      '--restart-attempts=-1: expected an integer >= 0',
    );
    expect(await broker.othersSoFar()).to.equal(0);
  });

  it('replay takes plain decimals and refuses the rest', async () => {
    expectOneLine(await runCli(['replay', SAMPLE, '--high-amount-threshold', '1e3']), '--high-amount-threshold="1e3": expected a decimal number >= 0');
    const ok = await runCli(['replay', SAMPLE, '--high-amount-threshold', '1000.50', '--window-size-ms', '86400000', '--no-progress']);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('"reason":"Order amount > $1000.5"');
  });
});
