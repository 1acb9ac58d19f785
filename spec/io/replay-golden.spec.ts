import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import { LineWriter } from '../../lib/io/line-writer.js';
import { replay } from '../../lib/io/replay.js';
import { Analytics } from '../../lib/model/analytics.js';
import { REPO, runCli, SAMPLE, tempDir } from '../helpers/cli.js';

const golden = (name: string) => readFileSync(join(REPO, 'spec/golden', name), 'utf8');

describe('replay of the bundled sample (golden)', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });

  it('gives exactly the analytics checked by hand in spec/golden', async () => {
    const out = join(dir, 'analytics.jsonl');
    const dead = join(dir, 'dead.jsonl');
    const summary = await replay({
      file: SAMPLE,
      settings: DEFAULT_ANALYTICS_SETTINGS,
      analytics: LineWriter.toFile(out),
      deadLetters: LineWriter.toFile(dead),
    });
    expect(readFileSync(out, 'utf8')).to.equal(golden('sample-analytics.jsonl'));
    expect(summary).to.deep.include({
      records: 40,
      orders: 29,
      deadLetters: { too_large: 1, not_json: 3, invalid: 7, late: 1, too_far_ahead: 0 },
      outputs: { hourly_sales: 3, customer_stats: 13, fraud_alert: 4 },
    });
  });

  it('writes every kind of dead letter, with its reason, detail, line number and the line as read', () => {
    const lines = gunzipSync(readFileSync(SAMPLE)).toString('latin1').split('\n');
    const letters = readFileSync(join(dir, 'dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const summaryOf = letters.map((d) => JSON.stringify({ reason: d.reason, detail: d.detail, line: d.line }));
    expect(summaryOf.join('\n') + '\n').to.equal(golden('sample-dead-letters.jsonl'));
    expect(new Set(letters.map((d) => d.reason))).to.deep.equal(new Set(['not_json', 'invalid', 'too_large', 'late']));
    for (const d of letters) {
      const original = Buffer.from((lines[d.line - 1] as string).replace(/\r$/, ''), 'latin1');
      const kept = d.raw_base64 !== undefined ? Buffer.from(d.raw_base64, 'base64') : Buffer.from(d.raw, 'utf8');
      expect(kept.equals(original), `raw of line ${d.line}`).to.equal(true);
    }
  });

  it('prints every analytics message in the field order of semantics §5, valid by its codec', () => {
    const order: Record<string, string[]> = {
      hourly_sales: ['type', 'window_start', 'window_end', 'order_count', 'total_sales', 'average_order_value'],
      customer_stats: ['type', 'window_start', 'window_end', 'customer_id', 'orders', 'total_spent'],
      high_amount: ['type', 'rule', 'customer_id', 'reason', 'order_id', 'amount', 'timestamp'],
      velocity: ['type', 'rule', 'customer_id', 'reason', 'order_id', 'order_count', 'timestamp'],
    };
    const seen = new Set<string>();
    for (const line of golden('sample-analytics.jsonl').trim().split('\n')) {
      const message = JSON.parse(line);
      expect(Analytics.is(message), line).to.equal(true);
      const kind = message.type === 'fraud_alert' ? message.rule : message.type;
      seen.add(kind);
      expect(Object.keys(message), line).to.deep.equal(order[kind]);
    }
    expect(seen.size).to.equal(4);
  });

  it('is deterministic: two replays through the CLI give byte-identical files', async () => {
    const runs = [];
    for (const n of [1, 2]) {
      const out = join(dir, `run${n}.jsonl`);
      const dead = join(dir, `run${n}.dead.jsonl`);
      const result = await runCli(['replay', SAMPLE, '--out', out, '--dead-letters', dead]);
      expect(result.code, result.stderr).to.equal(0);
      runs.push([readFileSync(out), readFileSync(dead)]);
    }
    const [first, second] = runs as [[Buffer, Buffer], [Buffer, Buffer]];
    expect(first[0].equals(second[0])).to.equal(true);
    expect(first[1].equals(second[1])).to.equal(true);
    expect(first[0].toString()).to.equal(golden('sample-analytics.jsonl'));
  });
});
