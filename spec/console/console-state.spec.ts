import { expect } from 'chai';
import { AnalyticsHistory, ALERTS_KEPT, HOURLY_WINDOWS_KEPT, TOP_CUSTOMERS } from '../../lib/console/analytics-history.js';
import { consoleRoutes } from '../../lib/console/console-routes.js';
import { ConsoleState } from '../../lib/console/console-state.js';
import { ReplayStatus } from '../../lib/console/console-status.js';
import { RingBuffer } from '../../lib/console/ring-buffer.js';
import { THROUGHPUT_SECONDS, ThroughputHistory } from '../../lib/console/throughput-history.js';
import { analyticsOutput, type FraudAlert, type HourlySales } from '../../lib/model/analytics.js';
import { startHttpServer } from '../../lib/service/http-server.js';
import { waitFor } from '../helpers/cli-process.js';

const hour = (i: number): HourlySales => {
  const start = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString().slice(0, 19);
  return { type: 'hourly_sales', window_start: start, window_end: start, order_count: i, total_sales: i, average_order_value: 1 };
};
const alert = (i: number): FraudAlert => ({ type: 'fraud_alert', rule: 'high_amount', customer_id: `c${i}`, reason: 'r', order_id: `o${i}`, amount: 2_000, timestamp: i });

describe("the console's state: bounded histories and its event stream", () => {
  it('a ring buffer keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.toArray()).to.deep.equal([5, 6, 7]);
    expect(() => new RingBuffer(0)).to.throw(RangeError);
  });

  it(`keeps ${THROUGHPUT_SECONDS} seconds of throughput, each second its own`, () => {
    let now = 0;
    const history = new ThroughputHistory(() => now);
    for (let s = 0; s < THROUGHPUT_SECONDS + 50; s++) {
      history.onRecords(2);
      history.onResult('fraud_alert', 'velocity');
      history.onDeadLetter('late');
      history.seal();
      now += 1_000;
    }
    const samples = history.samples();
    expect(samples).to.have.length(THROUGHPUT_SECONDS);
    expect(samples[0]).to.deep.include({ at: 50_000, recordsIn: 2 });
    expect(samples[0]?.alerts.velocity).to.equal(1);
    // Sealed twice within one second (a replay that ended), the samples still have seconds of their own.
    history.seal();
    history.seal();
    const ats = history.samples().map((s) => s.at);
    expect(new Set(ats).size).to.equal(ats.length);
  });

  it(`keeps the newest ${HOURLY_WINDOWS_KEPT} hourly windows by event time, the newest ${ALERTS_KEPT} alerts once each, and the top ${TOP_CUSTOMERS} customers of the newest window`, () => {
    const history = new AnalyticsHistory();
    for (let i = 100; i > 0; i--) history.onHourlySales(hour(i));
    history.onHourlySales({ ...hour(100), order_count: 7 });
    expect(history.hourlySales().map((h) => h.order_count)).to.deep.equal([...Array.from({ length: 47 }, (_, k) => 53 + k), 7]);
    for (let i = 0; i < 250; i++) history.onAlert(alert(i));
    expect(history.onAlert(alert(249)), 'a repeat').to.equal(false);
    expect(history.alerts()).to.have.length(ALERTS_KEPT);
    expect(history.alerts()[0]?.order_id).to.equal('o249');
    const stats = (window: string, customer: string, spent: number) =>
      ({ type: 'customer_stats', window_start: window, window_end: window, customer_id: customer, orders: 1, total_spent: spent }) as const;
    for (let i = 0; i < 30; i++) history.onCustomerStats(stats('2024-01-01T01:00:00', `k${i}`, i));
    expect(history.onCustomerStats(stats('2024-01-01T00:00:00', 'old', 1_000)), 'an older window').to.equal(false);
    const top = history.topCustomers();
    expect(top?.customers.map((c) => c.customer_id)).to.deep.equal(['k29', 'k28', 'k27', 'k26', 'k25', 'k24', 'k23', 'k22', 'k21', 'k20']);
    history.onCustomerStats(stats('2024-01-01T02:00:00', 'new', 1));
    expect(history.topCustomers()?.customers.map((c) => c.customer_id)).to.deep.equal(['new']);
  });

  it('/events: a snapshot first, then events as they come; a client that goes away is forgotten', async () => {
    const status = new ReplayStatus('file.jsonl');
    const state = new ConsoleState(status.report);
    const server = await startHttpServer(0, '127.0.0.1', new Map(consoleRoutes(state)));
    try {
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${server.port}/events`, { signal: controller.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const read = async (until: RegExp): Promise<void> => {
        while (!until.test(text)) text += Buffer.from((await reader.read()).value ?? []).toString();
      };
      await read(/event: snapshot\n/);
      expect(state.hub.size).to.equal(1);
      state.onOutput(analyticsOutput(alert(1)));
      await read(/event: fraud_alert\ndata: \{"type":"fraud_alert","rule":"high_amount","customer_id":"c1"/);
      state.tick();
      await read(/event: status\ndata: \{"source":"replay"/);
      expect(text).to.match(/^retry: 2000\n\nevent: snapshot\ndata: \{.*\}\n\n/);
      controller.abort();
      await waitFor('the hub to forget the client', () => state.hub.size === 0, 5_000);
      // HEAD has no length to give for a stream.
      expect((await fetch(`http://127.0.0.1:${server.port}/events`, { method: 'HEAD' })).status).to.equal(405);
    } finally {
      state.close();
      await server.close();
    }
  });
});
