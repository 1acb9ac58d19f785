import { expect } from 'chai';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { analyticsPipeline, type PipelineOutput } from '../../lib/analytics/pipeline.js';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import type { SourceEvent } from '../../lib/model/source.js';
import { newTestScheduler } from '../helpers/marbles.js';
import { orderLine } from '../helpers/orders.js';

const HOUR = 3_600_000;
const rec = (partition: number, offset: number, fields: Parameters<typeof orderLine>[0]): SourceEvent => ({
  kind: 'record',
  partition,
  offset,
  value: orderLine(fields),
});
/** Outputs as short tags: `hourly_sales@0:2` (window start hour: count), `late@p1:7`, `high@o9`. */
const tag = (o: PipelineOutput): string => {
  if (o.kind === 'dead-letter') return `${o.reason}@p${o.source.partition}:${o.source.offset}`;
  const m = o.message;
  if (m.type === 'hourly_sales') return `sales@${Date.parse(`${m.window_start}Z`) / HOUR}:${m.order_count}`;
  if (m.type === 'customer_stats') return `cust@${m.customer_id}:${m.orders}`;
  return `${m.rule}@${m.order_id}`;
};

describe('analyticsPipeline', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('follows the steps of semantics §2 for one record: dead letter or high alert first, then what its watermark fires', async () => {
    const events: SourceEvent[] = [
      rec(0, 1, { orderId: 'a', amount: 2000, timestamp: 10 }),
      { kind: 'record', partition: 0, offset: 2, value: 'nope' },
      rec(0, 3, { orderId: 'b', timestamp: HOUR + 5_001 }),
      rec(0, 4, { orderId: 'c', amount: 5000, timestamp: 20 }),
    ];
    const out = await lastValueFrom(from(events).pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS), map(tag), toArray()));
    expect(out).to.deep.equal(['high_amount@a', 'not_json@p0:2', 'sales@0:1', 'cust@c1:1', 'high_amount@c', 'late@p0:4', 'sales@1:1', 'cust@c1:1']);
  });

  it('waits for the slowest partition the source announced, so disorder across partitions loses nothing', async () => {
    // p1 runs an hour behind p0; its records are still on time because the watermark is the minimum.
    const events: SourceEvent[] = [
      { kind: 'partition-status', partition: 0, idle: false },
      { kind: 'partition-status', partition: 1, idle: false },
      rec(0, 1, { orderId: 'p0-a', timestamp: HOUR + 100_000 }),
      rec(1, 1, { orderId: 'p1-a', timestamp: 100 }),
      rec(0, 2, { orderId: 'p0-b', timestamp: 2 * HOUR + 100_000 }),
      rec(1, 2, { orderId: 'p1-b', timestamp: 200 }),
    ];
    const out = await lastValueFrom(from(events).pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS), map(tag), toArray()));
    expect(out.filter((t) => t.startsWith('sales'))).to.deep.equal(['sales@0:2', 'sales@1:1', 'sales@2:1']);
    expect(out.some((t) => t.startsWith('late'))).to.equal(false);
  });

  it('does not stall on a silent partition: it goes idle, windows fire, and its late wake-up becomes dead letters', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const settings = { ...DEFAULT_ANALYTICS_SETTINGS, idleTimeoutMs: 10 };
      const source = cold<SourceEvent>('-a-b----------------c---d-|', {
        a: rec(1, 1, { orderId: 'p1-a', timestamp: 100 }),
        b: rec(0, 1, { orderId: 'p0-a', timestamp: 50 }),
        // p1 is silent from frame 1; at frame 11 it is idle, but p0 holds too; p0 idles at 13.
        c: rec(0, 2, { orderId: 'p0-b', timestamp: 2 * HOUR }),
        d: rec(1, 2, { orderId: 'p1-b', timestamp: 200 }),
      });
      // At c, p1 is idle, so p0 alone moves the watermark past hour 0: it fires at once. d wakes p1 with
      // a record of hour 0: late, a dead letter; the watermark does not go back.
      expectObservable(source.pipe(analyticsPipeline(settings, { scheduler }), map(tag))).toBe('--------------------(xy)d-(zw|)', {
        x: 'sales@0:2',
        y: 'cust@c1:2',
        d: 'late@p1:2',
        z: 'sales@2:1',
        w: 'cust@c1:1',
      });
    });
  });
  it('with the future guard off (the default), one order from the year 9999 makes every later order late, as the contract says', async () => {
    const events: SourceEvent[] = [
      rec(0, 1, { orderId: 'a', timestamp: 10 }),
      rec(0, 2, { orderId: 'y9999', customerId: 'z', timestamp: Date.UTC(9999, 0, 1) }),
      rec(0, 3, { orderId: 'b', timestamp: 20 }),
    ];
    const out = await lastValueFrom(from(events).pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS), map(tag), toArray()));
    expect(out).to.deep.equal(['sales@0:1', 'cust@c1:1', 'late@p0:3', `sales@${Date.UTC(9999, 0, 1) / HOUR}:1`, 'cust@z:1']);
  });

  it('with the future guard on, that order becomes a too_far_ahead dead letter (still alerting if above the threshold) and moves nothing', async () => {
    const settings = { ...DEFAULT_ANALYTICS_SETTINGS, maxFutureSkewMs: 24 * HOUR };
    const events: SourceEvent[] = [
      rec(0, 1, { orderId: 'a', timestamp: 10 }),
      rec(0, 2, { orderId: 'y9999', customerId: 'z', amount: 5000, timestamp: Date.UTC(9999, 0, 1) }),
      rec(0, 3, { orderId: 'b', timestamp: 20 }),
    ];
    const outputs = await lastValueFrom(from(events).pipe(analyticsPipeline(settings), toArray()));
    expect(outputs.map(tag)).to.deep.equal(['high_amount@y9999', 'too_far_ahead@p0:2', 'sales@0:2', 'cust@c1:2']);
    const refused = outputs.find((o) => o.kind === 'dead-letter');
    expect(refused?.kind === 'dead-letter' && refused.detail).to.equal(
      'timestamp 253370764800000 (9999-01-01T00:00:00) is more than 86400000 ms ahead of the watermark of partition 0, -4991 (1969-12-31T23:59:55)',
    );
  });
});
