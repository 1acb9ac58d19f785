import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, SAMPLE, tempDir, REPO } from '../helpers/cli.js';
import { exited, spawnCli, waitFor } from '../helpers/cli-process.js';

const goldenLines = readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
const golden = goldenLines.map((l) => JSON.parse(l) as { type: string; window_start?: string; order_id?: string });

/** The first event of a stream of server-sent events, read from `/events`. */
async function firstEvent(url: string): Promise<{ event: string; data: unknown; headers: Headers }> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  try {
    for (;;) {
      const m = /event: (\S+)\ndata: (.*)\n\n/.exec(text);
      if (m !== null) return { event: m[1] as string, data: JSON.parse(m[2] as string), headers: res.headers };
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before an event: ${text}`);
      text += Buffer.from(value).toString();
    }
  } finally {
    controller.abort();
  }
}

describe('replay --serve: the console over a recorded file', function () {
  this.timeout(30_000);

  it('replays as always, serves the page and /events with the file\'s windows and alerts, keeps serving, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const child = spawnCli(['replay', SAMPLE, '--out', out, '--serve', '--port', '0']);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor('the replay to end', () => stderr.includes('replay done'), 15_000);
    const url = /console at (http:\/\/localhost:\d+\/)/.exec(stderr)?.[1];
    expect(url, stderr).to.be.a('string');
    // The replay's outputs and summary, as without --serve.
    expect(readFileSync(out, 'utf8').split('\n').filter((l) => l !== '')).to.deep.equal(goldenLines);
    expect(stderr).to.contain('outputs       hourly_sales 3, customer_stats 13, fraud_alert 4');

    const page = await fetch(url as string);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).to.contain('<script type="module" src="/console.js">');
    expect(html, 'nothing from elsewhere').not.to.match(/(src|href)="(https?:)?\/\//);
    for (const asset of ['/console.js', '/console.css', '/vendor/uPlot.esm.js', '/vendor/uPlot.min.css']) {
      expect((await fetch(new URL(asset, url))).status, asset).to.equal(200);
    }

    const first = await firstEvent(new URL('/events', url).href);
    expect(first.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
    expect(first.headers.get('cache-control')).to.equal('no-store');
    expect(first.headers.get('x-accel-buffering')).to.equal('no');
    expect(first.event).to.equal('snapshot');
    const snapshot = first.data as {
      status: { source: string; state: string; replay: { records: number; done: boolean } };
      hourlySales: unknown[];
      alerts: Array<{ order_id: string }>;
      topCustomers: { window_start: string; customers: Array<{ customer_id: string }> };
      throughput: Array<{ recordsIn: number }>;
    };
    expect(snapshot.status).to.deep.include({ source: 'replay', state: 'replayed', replay: { file: SAMPLE, records: 40, done: true } });
    expect(snapshot.hourlySales).to.deep.equal(golden.filter((g) => g.type === 'hourly_sales'));
    expect(snapshot.alerts.map((a) => a.order_id)).to.deep.equal(golden.filter((g) => g.type === 'fraud_alert').map((g) => g.order_id).reverse());
    expect(snapshot.topCustomers.window_start).to.equal('2024-06-01T03:00:00');
    expect(snapshot.throughput.reduce((n, s) => n + s.recordsIn, 0)).to.equal(40);

    child.kill('SIGTERM');
    expect(await exited(child)).to.deep.equal({ code: 0, signal: null });
  });

  it('refuses --port without --serve, and a port out of range, with one line and exit code 2', async () => {
    const alone = await runCli(['replay', SAMPLE, '--port', '8090']);
    expect(alone.code).to.equal(2);
    expect(alone.stderr).to.equal('stream-processor: bad setting: --port: only with --serve\n');
    const far = await runCli(['replay', SAMPLE, '--serve', '--port', '70000']);
    expect(far.code).to.equal(2);
    expect(far.stderr).to.equal('stream-processor: bad setting: --port="70000": expected a port from 0 to 65535 (0: any free port)\n');
  });
});
