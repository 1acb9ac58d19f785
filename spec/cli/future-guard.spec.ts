import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { orderLine } from '../helpers/orders.js';

describe('replay with the future guard (--max-future-skew-ms)', function () {
  this.timeout(20_000);

  it('sets an order from the year 9999 aside as too_far_ahead, so that the orders after it stay on time', async () => {
    const dir = tempDir();
    const file = join(dir, 'clock.jsonl');
    const hour = Date.UTC(2024, 5, 1);
    writeFileSync(
      file,
      [
        orderLine({ orderId: 'a', timestamp: hour + 1_000 }),
        orderLine({ orderId: 'broken-clock', timestamp: Date.UTC(9999, 11, 31) }),
        orderLine({ orderId: 'b', timestamp: hour + 2_000 }),
      ].join('\n') + '\n',
    );
    const hourly = (stdout: string) => stdout.split('\n').filter((l) => l.includes('"hourly_sales"'));

    const off = await runCli(['replay', file, '--dead-letters', join(dir, 'off.jsonl'), '--no-progress']);
    expect(off.code, off.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'off.jsonl'), 'utf8')).to.contain('"reason":"late"');
    expect(hourly(off.stdout).map((l) => (JSON.parse(l) as { order_count: number }).order_count)).to.deep.equal([1, 1]);

    const on = await runCli(['replay', file, '--dead-letters', join(dir, 'on.jsonl'), '--no-progress', '--max-future-skew-ms', '86400000']);
    expect(on.code, on.stderr).to.equal(0);
    const letters = readFileSync(join(dir, 'on.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; line: number; detail: string });
    expect(letters.map((d) => [d.reason, d.line])).to.deep.equal([['too_far_ahead', 2]]);
    expect(letters[0]?.detail).to.match(/^timestamp 253402214400000 \(9999-12-31T00:00:00\) is more than 86400000 ms ahead of the watermark of partition 0/);
    expect(hourly(on.stdout).map((l) => JSON.parse(l) as { window_start: string; order_count: number })).to.deep.equal([
      { type: 'hourly_sales', window_start: '2024-06-01T00:00:00', window_end: '2024-06-01T01:00:00', order_count: 2, total_sales: 20, average_order_value: 10 },
    ]);
    expect(on.stderr).to.contain('too_far_ahead 1');
  });
});
