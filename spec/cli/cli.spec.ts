import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO, runCli, SAMPLE, tempDir } from '../helpers/cli.js';
import { orderLine } from '../helpers/orders.js';

const golden = readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8');

/** A bad start: exit 2 and exactly one line on stderr. */
function expectUsageError(result: { code: number | null; stderr: string }, mentions: string): void {
  expect(result.code, result.stderr).to.equal(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).to.have.length(1);
  expect(lines[0]).to.contain(mentions);
}

describe('stream-processor CLI', function () {
  this.timeout(20_000);

  it('start: with no Kafka configured, replays the bundled sample to stdout and sums up on stderr', async () => {
    const result = await runCli(['start']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(golden);
    expect(result.stderr).to.match(/records\s+40 \(orders 29, \d+ orders\/s\)/);
    expect(result.stderr).to.contain('dead letters  12 (too_large 1, not_json 3, invalid 7, late 1, too_far_ahead 0)');
    expect(result.stderr).to.contain('outputs       hourly_sales 3, customer_stats 13, fraud_alert 4');
  });

  it('replay: reads plain and gzipped files alike, and takes settings as flags', async () => {
    const dir = tempDir();
    const plain = join(dir, 'orders.jsonl');
    const lines = [
      orderLine({ orderId: 'a', customerId: 'x', amount: 600, timestamp: 1000 }),
      orderLine({ orderId: 'b', customerId: 'x', amount: 700, timestamp: 2000 }),
    ];
    writeFileSync(plain, lines.join('\n'));
    writeFileSync(`${plain}.gz`, gzipSync(lines.join('\n')));
    const a = await runCli(['replay', plain, '--high-amount-threshold', '650', '--window-size-ms', '1000']);
    const b = await runCli(['replay', `${plain}.gz`, '--high-amount-threshold=650', '--window-size-ms=1000']);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    const messages = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(messages.filter((m) => m.type === 'fraud_alert').map((m) => [m.order_id, m.reason])).to.deep.equal([['b', 'Order amount > $650']]);
    expect(messages.filter((m) => m.type === 'hourly_sales').map((m) => m.window_start)).to.deep.equal(['1970-01-01T00:00:01', '1970-01-01T00:00:02']);
  });

  it('replay --help and help describe every flag', async () => {
    const result = await runCli(['replay', '--help']);
    expect(result.code).to.equal(0);
    for (const flag of ['--out', '--dead-letters', '--no-progress']) expect(result.stdout).to.contain(flag);
    const all = await runCli(['help', 'settings']);
    for (const flag of ['--window-size-ms', '--max-out-of-orderness-ms', '--idle-timeout-ms', '--high-amount-threshold', '--velocity-max-orders', '--velocity-window-ms']) {
      expect(all.stdout).to.contain(flag);
    }
  });

  it('stops with exit 2 and one line for a missing file', async () => {
    expectUsageError(await runCli(['replay', 'no/such/file.jsonl']), 'no/such/file.jsonl: cannot read it (ENOENT)');
    expectUsageError(await runCli(['replay']), 'replay: needs a FILE');
  });

  it('stops with exit 2 and one line for an unknown flag or command', async () => {
    expectUsageError(await runCli(['replay', SAMPLE, '--bogus']), '--bogus: unknown flag');
    expectUsageError(await runCli(['frobnicate']), 'frobnicate: unknown command');
  });

  it('stops with exit 2 and one line naming a bad setting, its value and what is expected', async () => {
    expectUsageError(await runCli(['replay', SAMPLE, '--window-size-ms', 'soon']), '--window-size-ms="soon": expected a positive integer of ms');
    expectUsageError(await runCli(['replay', SAMPLE, '--max-out-of-orderness-ms=-1']), '--max-out-of-orderness-ms=-1: expected an integer of ms >= 0');
    expectUsageError(await runCli(['replay', SAMPLE, '--max-out-of-orderness-ms', '-1']), 'must be written --max-out-of-orderness-ms=-1');
    expectUsageError(await runCli(['replay', SAMPLE, '--window-size-ms']), '--window-size-ms: needs a value');
    expectUsageError(await runCli(['replay', SAMPLE], { ANALYTICS_VELOCITY_MAX_ORDERS: '2.5' }), 'ANALYTICS_VELOCITY_MAX_ORDERS="2.5": expected an integer >= 0');
  });

  it('stops with exit 2 when an output cannot be written', async () => {
    expectUsageError(await runCli(['replay', SAMPLE, '--out', '/no/such/dir/out.jsonl']), '/no/such/dir/out.jsonl: cannot write there');
  });

  it('config: prints each effective setting and where it came from', async () => {
    const result = await runCli(['config', '--velocity-max-orders', '7'], { ANALYTICS_IDLE_TIMEOUT_MS: '1000' });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/analytics\.velocityMaxOrders\s+7\s+\(flag --velocity-max-orders\)/);
    expect(result.stdout).to.match(/analytics\.idleTimeoutMs\s+1000\s+\(env ANALYTICS_IDLE_TIMEOUT_MS\)/);
    expect(result.stdout).to.match(/analytics\.windowSizeMs\s+3600000\s+\(config\/default\.json\)/);
  });
});
