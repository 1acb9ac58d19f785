import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { produceTo, readTopic, ServiceProcess, serviceEnv, testKafka, uniqueNames, type TopicMessage } from '../helpers/kafka.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';

interface Expected {
  readonly analytics: string[];
  /** Dead letters as `reason|raw line`. */
  readonly deadLetters: string[];
}

/** What a replay of the recording (plus the sentinels) gives: the reference for the service. */
async function replayed(dir: string, lines: readonly string[]): Promise<Expected> {
  const file = join(dir, 'with-sentinels.jsonl');
  writeFileSync(file, [...lines, sentinel(0), sentinel(1), sentinel(2)].join('\n') + '\n');
  const out = join(dir, 'expected.jsonl');
  const dead = join(dir, 'expected-dead.jsonl');
  const result = await runCli(['replay', file, '--out', out, '--dead-letters', dead]);
  expect(result.code, result.stderr).to.equal(0);
  const read = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');
  return {
    analytics: read(out).filter((l) => !isSentinelResult(l)).sort(),
    deadLetters: read(dead)
      .map((l) => JSON.parse(l) as { reason: string; raw: string })
      .map((d) => `${d.reason}|${d.raw}`)
      .sort(),
  };
}

async function produceRecording(file: string, names: ReturnType<typeof uniqueNames>): Promise<void> {
  const produced = await runCli(['produce', file], serviceEnv(names));
  expect(produced.code, produced.stderr).to.equal(0);
  await produceTo(names.inputTopic, [0, 1, 2].map((partition) => ({ partition, value: sentinel(partition) })));
}

const values = (messages: readonly TopicMessage[]) => messages.map((m) => m.value?.toString() ?? '').filter((v) => !isSentinelResult(v));

describe('the Kafka service, on a real broker', function () {
  this.timeout(180_000);

  it('publishes exactly what a replay of the same file gives, sends every bad record to the DLQ with headers, and creates missing topics', async () => {
    const names = uniqueNames('same');
    const dir = tempDir();
    const file = join(dir, 'orders.jsonl');
    const lines = writeRecording(file, 4_000);
    const expected = await replayed(dir, lines);
    expect(expected.analytics.length).to.be.greaterThan(300);
    expect(expected.analytics.some((l) => l.includes('"rule":"velocity"'))).to.equal(true);
    expect(expected.analytics.some((l) => l.includes('"rule":"high_amount"'))).to.equal(true);
    await produceRecording(file, names);

    const service = new ServiceProcess(serviceEnv(names));
    await service.waitForLog(/"consuming"/);
    const analytics = await readTopic(names.outputTopic, (m) => values(m).length >= expected.analytics.length, 90_000);
    const dlq = await readTopic(names.deadLetterTopic, (m) => m.length >= expected.deadLetters.length, 30_000);
    service.kill('SIGTERM');
    expect(await service.exited, service.logs.join('\n')).to.equal(0);

    expect(values(analytics).sort()).to.deep.equal(expected.analytics);
    for (const m of analytics) {
      const message = JSON.parse(m.value?.toString() ?? '{}') as Record<string, string>;
      expect(m.key).to.equal(message.type === 'hourly_sales' ? message.window_start : message.customer_id);
    }
    expect(dlq.map((m) => `${m.headers.reason}|${m.value?.toString()}`).sort()).to.deep.equal(expected.deadLetters);
    for (const m of dlq) {
      expect(m.headers['source.topic']).to.equal(names.inputTopic);
      expect(Number(m.headers['source.partition'])).to.be.within(0, 2);
      expect(Number(m.headers['source.offset'])).to.be.at.least(0);
      expect(m.headers.detail).to.be.a('string').and.not.equal('');
    }
    const admin = testKafka().admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [names.outputTopic, names.deadLetterTopic] });
    await admin.disconnect();
    expect(topics.map((t) => t.partitions.length)).to.deep.equal([3, 3]);
  });

  it('takes a recording published while it is already consuming without making records late', async () => {
    const names = uniqueNames('live');
    const dir = tempDir();
    const file = join(dir, 'orders.jsonl');
    const lines = writeRecording(file, 4_000, 5);
    const expected = await replayed(dir, lines);
    // The service starts first, on empty topics: every partition is caught up, hence idle.
    const service = new ServiceProcess(serviceEnv(names));
    await service.waitForLog(/"partitions assigned"/);
    await produceRecording(file, names);
    const analytics = await readTopic(names.outputTopic, (m) => values(m).length >= expected.analytics.length, 90_000);
    const dlq = await readTopic(names.deadLetterTopic, (m) => m.length >= expected.deadLetters.length, 30_000);
    service.kill('SIGTERM');
    expect(await service.exited, service.logs.join('\n')).to.equal(0);
    expect(dlq.filter((m) => m.headers.reason === 'late').length, 'late dead letters').to.equal(0);
    expect(values(analytics).sort()).to.deep.equal(expected.analytics);
  });

  it('loses nothing when killed with SIGKILL mid-stream and restarted: every result, each repeat identical', async () => {
    const names = uniqueNames('kill');
    const dir = tempDir();
    const file = join(dir, 'orders.jsonl');
    const lines = writeRecording(file, 20_000, 11);
    const expected = await replayed(dir, lines);
    await produceRecording(file, names);
    // A small bound on unacknowledged output slows the first run enough to kill it half way.
    const env = serviceEnv(names, { JOB_COMMIT_INTERVAL_MS: '50', JOB_MAX_PENDING_OUTPUTS: '5' });

    const first = new ServiceProcess(env);
    await first.waitForLog(/"consuming"/);
    const before = await readTopic(names.outputTopic, (m) => values(m).length >= expected.analytics.length / 4, 60_000);
    first.kill('SIGKILL');
    await first.exited;
    expect(values(before).length, 'killed before the end').to.be.lessThan(expected.analytics.length);

    const second = new ServiceProcess(serviceEnv(names));
    await second.waitForLog(/resuming from the last commit/);
    const distinct = (m: readonly TopicMessage[]) => new Set(values(m));
    const after = await readTopic(names.outputTopic, (m) => expected.analytics.every((e) => distinct(m).has(e)), 120_000);
    const dlq = await readTopic(names.deadLetterTopic, (m) => new Set(m.map((d) => `${d.headers.reason}|${d.value?.toString()}`)).size >= new Set(expected.deadLetters).size, 30_000);
    second.kill('SIGTERM');
    expect(await second.exited, second.logs.join('\n')).to.equal(0);

    // Every expected result is there, and nothing else: a repeat is an identical copy, never a variant.
    const missing = expected.analytics.filter((e) => !distinct(after).has(e));
    expect(missing, `missing ${missing.length}, e.g. ${missing.slice(0, 3).join(' ')}\n${second.logs.slice(-20).join('\n')}`).to.deep.equal([]);
    expect([...distinct(after)].sort()).to.deep.equal([...new Set(expected.analytics)].sort());
    expect([...new Set(dlq.map((d) => `${d.headers.reason}|${d.value?.toString()}`))].sort()).to.deep.equal([...new Set(expected.deadLetters)].sort());
  });

  it('stops cleanly on SIGTERM within the shutdown timeout, exit code 0', async () => {
    const names = uniqueNames('term');
    const service = new ServiceProcess(serviceEnv(names));
    await service.waitForLog(/"consuming"/);
    service.kill('SIGTERM');
    // Exit code 0 is the bound: past job.shutdownTimeoutMs the service exits 1 by itself.
    expect(await service.exited, service.logs.join('\n')).to.equal(0);
    expect(service.logs.some((l) => l.includes('stopped'))).to.equal(true);
  });

  it('generate publishes valid live orders keyed by customer; produce --key orderId keys by order', async () => {
    const names = uniqueNames('gen');
    const generated = await runCli(['generate', '--rate', '1000', '--count', '40', '--seed', '3'], serviceEnv(names));
    expect(generated.code, generated.stderr).to.equal(0);
    const messages = await readTopic(names.inputTopic, (m) => m.length >= 40, 30_000);
    expect(messages).to.have.length(40);
    for (const m of messages) {
      const order = JSON.parse(m.value?.toString() ?? '') as { customerId: string; timestamp: number; amount: number };
      expect(m.key).to.equal(order.customerId);
      expect(Math.abs(Date.now() - order.timestamp)).to.be.lessThan(120_000);
      expect(order.amount).to.be.at.least(0);
    }
    const dir = tempDir();
    const file = join(dir, 'two.jsonl');
    writeFileSync(file, '{"orderId":"a1","customerId":"x","amount":1,"timestamp":5,"items":[]}\nnot json\n');
    const keyed = uniqueNames('key');
    const produced = await runCli(['produce', file, '--key', 'orderId'], serviceEnv(keyed));
    expect(produced.code, produced.stderr).to.equal(0);
    const two = await readTopic(keyed.inputTopic, (m) => m.length >= 2, 30_000);
    const byValue = two.map((m) => [m.key, m.value?.toString()]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(byValue).to.deep.equal([
      ['a1', '{"orderId":"a1","customerId":"x","amount":1,"timestamp":5,"items":[]}'],
      [null, 'not json'],
    ]);
    const bad = await runCli(['produce', file, '--key', 'sku'], serviceEnv(keyed));
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('--key="sku": expected one of customerId, orderId');
  });
});
