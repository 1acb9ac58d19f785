import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium, WatchedPage } from '../helpers/browser.js';
import { runCli, SAMPLE, tempDir, REPO } from '../helpers/cli.js';
import { httpPort, produceTo, readTopic, ServiceProcess, serviceEnv, uniqueNames } from '../helpers/kafka.js';
import { LocalBroker } from '../helpers/local-broker.js';
import { isSentinelResult, sentinel } from '../helpers/recording.js';

interface HourRow {
  readonly window: string;
  readonly orders: number;
  readonly total: number;
}

const golden = readFileSync(`${REPO}spec/golden/sample-analytics.jsonl`, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as { type: string; window_start?: string; order_id?: string });

/**
 * The console as an operator sees it: real Chromium (playwright-core) on the page of the real service,
 * on a broker of this spec's own (TEST_KAFKA_CONSOLE_PORT, 19152), which it stops at the end to see the
 * page say so. Screenshots go to a temp dir, named in the output.
 */
describe('the console page, in Chromium, over the service on a real broker', function () {
  this.timeout(180_000);
  const broker = new LocalBroker(Number(process.env.TEST_KAFKA_CONSOLE_PORT ?? 19152));
  const out = tempDir();
  const names = uniqueNames('console');
  // Made in `before`: serviceEnv reads the suite's broker, which the mocha fixture names only once files are loaded.
  let env: NodeJS.ProcessEnv;
  let browser: Browser | undefined;
  let service: ServiceProcess | undefined;
  let watched: WatchedPage;

  before(async () => {
    env = serviceEnv(names, { KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap });
    process.stdout.write(`      screenshots: ${out}\n`);
    // The browser starts while the broker does: both take seconds.
    const launching = launchChromium();
    broker.start();
    browser = await launching;
    const produced = await runCli(['produce', SAMPLE], env);
    expect(produced.code, produced.stderr).to.equal(0);
    // One far-future order a partition closes every hour of the sample (see isSentinelResult).
    await produceTo(names.inputTopic, [0, 1, 2].map((partition) => ({ partition, value: sentinel(partition) })), broker.bootstrap);
    service = new ServiceProcess(env);
    const port = await httpPort(service);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    watched = new WatchedPage(page, out);
    await page.goto(`http://127.0.0.1:${port}/`);
  });

  after(async () => {
    service?.kill('SIGKILL');
    await browser?.close();
    broker.clean();
  });

  it("shows the partitions, a chart of the sample's hourly windows, its top customers and its fraud alerts", async () => {
    const { page } = watched;
    await watched.until('three partitions, read to the end', async () => {
      const rows = await page.$$eval('#partitions tbody tr[data-partition]', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => r[0])).to.deep.equal(['0', '1', '2']);
      for (const r of rows) expect(r[2], `lag of partition ${r[0]}`).to.equal('0');
    });
    // What the service published is what the page must show (on Kafka the replay's one late order is on time).
    const published = (await readTopic(names.outputTopic, (m) => m.filter((x) => x.value?.toString().includes('"hourly_sales"')).length >= 3, 60_000, broker.bootstrap))
      .map((m) => m.value?.toString() ?? '')
      .filter((v) => !isSentinelResult(v))
      .map((v) => JSON.parse(v) as { type: string; window_start: string; order_count: number; total_sales: number });
    const hours = published.filter((m) => m.type === 'hourly_sales').sort((a, b) => (a.window_start < b.window_start ? -1 : 1));
    expect(hours.map((h) => h.window_start), 'the sample\'s hourly windows').to.deep.equal(golden.filter((g) => g.type === 'hourly_sales').map((g) => g.window_start));

    const shown = await watched.until('the hourly windows in the table and the chart', async () => {
      const rows = await page.$$eval('#hourly tbody tr[data-window]', (trs) =>
        trs.map((tr) => ({ window: tr.getAttribute('data-window') ?? '', orders: Number(tr.getAttribute('data-orders')), total: Number(tr.getAttribute('data-total')) })),
      );
      const series = await page.evaluate(() => (globalThis as unknown as { streamConsole: { charts: { hourly: { data: number[][] } } } }).streamConsole.charts.hourly.data);
      expect(rows.length).to.equal(hours.length);
      return { rows, series };
    });
    expect([...shown.rows].reverse()).to.deep.equal(hours.map((h): HourRow => ({ window: h.window_start, orders: h.order_count, total: h.total_sales })));
    expect(shown.series).to.deep.equal([hours.map((h) => Date.parse(`${h.window_start}Z`) / 1_000), hours.map((h) => h.total_sales), hours.map((h) => h.order_count)]);

    const alerts = await watched.until("the sample's four fraud alerts", async () => {
      const ids = await page.$$eval('#alerts li[data-order-id]', (lis) => lis.map((li) => li.getAttribute('data-order-id')));
      expect([...ids].sort()).to.deep.equal(golden.filter((g) => g.type === 'fraud_alert').map((g) => g.order_id).sort());
      return ids;
    });
    expect(alerts).to.have.length(4);
    await watched.until('the top customers of the last closed hour', async () => {
      expect(await page.innerText('#top')).to.contain('hank');
    });
    process.stdout.write(`      screenshot: ${await watched.screenshot('console-running')}\n`);
    expect(watched.exceptions, watched.logged.join('\n')).to.deep.equal([]);
  });

  it('lists every instance of the group, this one marked: a second joins, then leaves with SIGTERM', async () => {
    const { page } = watched;
    const members = () =>
      page.$$eval('#members tbody tr[data-member]', (trs) => trs.map((tr) => ({ cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''), mine: tr.classList.contains('this-instance') })));
    await watched.until('one instance in the group, this one, with every input partition', async () => {
      const rows = await members();
      expect(rows).to.have.length(1);
      expect(rows[0]!.mine).to.equal(true);
      expect(rows[0]!.cells[2]).to.equal('0, 1, 2');
    });
    const second = new ServiceProcess(env);
    try {
      await httpPort(second);
      await watched.until('two instances sharing the input partitions, this one marked', async () => {
        const rows = await members();
        expect(rows).to.have.length(2);
        expect(rows.filter((r) => r.mine), 'rows marked as this instance').to.have.length(1);
        const inputs = rows.flatMap((r) => (r.cells[2] === '—' ? [] : r.cells[2]!.split(', '))).sort();
        expect(inputs).to.deep.equal(['0', '1', '2']);
        expect(rows.every((r) => r.cells[2] !== '—'), 'each owns an input partition').to.equal(true);
      }, 60_000);
      process.stdout.write(`      screenshot: ${await watched.screenshot('console-two-instances')}\n`);
    } finally {
      second.kill('SIGTERM');
      expect(await second.exited, second.logs.slice(-10).join('\n')).to.equal(0);
    }
    await watched.until('back to one instance with every input partition', async () => {
      const rows = await members();
      expect(rows).to.have.length(1);
      expect(rows[0]!.cells[2]).to.equal('0, 1, 2');
      expect(await page.$$eval('#partitions tbody tr[data-partition]', (trs) => trs.length)).to.equal(3);
    }, 60_000);
  });

  it('shows a new fraud alert at the top, without a reload', async () => {
    const { page } = watched;
    const orderId = `live-${Date.now()}`;
    // Never reloaded: a marker set on the window now would be gone after a reload.
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const order = { orderId, customerId: 'zoe', amount: 4321.5, timestamp: Date.UTC(2024, 5, 1, 5), items: ['sku'] };
    await produceTo(names.inputTopic, [{ partition: 1, value: JSON.stringify(order) }], broker.bootstrap);
    await watched.until(`the alert for ${orderId} first in the list`, async () => {
      expect(await page.getAttribute('#alerts li:first-child', 'data-order-id')).to.equal(orderId);
    });
    expect(await page.innerText('#alerts li:first-child')).to.contain('$4,321.50');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).to.equal(true);
    process.stdout.write(`      screenshot: ${await watched.screenshot('console-live-alert')}\n`);
  });

  it('says plainly when the broker is down, then when the service itself is gone, keeping the last data', async () => {
    const { page } = watched;
    broker.stop();
    await watched.until('Kafka unreachable', async () => {
      expect(await page.innerText('#banners')).to.match(/Kafka unreachable since \d\d:\d\d:\d\d/);
    });
    process.stdout.write(`      screenshot: ${await watched.screenshot('console-broker-down')}\n`);
    service?.kill('SIGKILL');
    await service?.exited;
    await watched.until('the service disconnected', async () => {
      expect(await page.innerText('#banners')).to.match(/Disconnected from the service since \d\d:\d\d:\d\d, retrying/);
    });
    // The last data stays on the screen.
    expect(await page.$$eval('#alerts li[data-order-id]', (lis) => lis.length)).to.equal(5);
    expect(await page.$$eval('#hourly tbody tr[data-window]', (trs) => trs.length)).to.equal(3);
    process.stdout.write(`      screenshot: ${await watched.screenshot('console-disconnected')}\n`);
  });
});
