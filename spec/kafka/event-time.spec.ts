import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { analyticsPipeline, type PipelineOutput } from '../../lib/analytics/pipeline.js';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import { kafkaAdmin } from '../../lib/io/kafka/kafka-admin.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import type { SourceEvent } from '../../lib/model/source.js';
import type { StatusReport } from '../../lib/service/status.js';
import { runCli, SAMPLE, tempDir } from '../helpers/cli.js';
import { drained, eventually, httpPort, produceTo, readToEnd, readTopic, ServiceProcess, serviceEnv, testKafka, uniqueNames, type TopicMessage } from '../helpers/kafka.js';
import { LocalBroker } from '../helpers/local-broker.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';

type Names = ReturnType<typeof uniqueNames>;

/** A result as compared across runs: the analytics message, or `reason|value` of a dead letter. */
const analyticsOf = (messages: readonly TopicMessage[]) => messages.map((m) => m.value?.toString() ?? '');
const deadLettersOf = (messages: readonly TopicMessage[]) => messages.map((m) => `${m.headers.reason}|${m.value?.toString() ?? ''}`);

/**
 * Runs the service until it has read every record of the input, stops it, and returns what it published
 * and its log; `watch` sees each `/status` report read on the way.
 */
async function runToEnd(names: Names, extra: NodeJS.ProcessEnv = {}, watch: (report: StatusReport) => void = () => undefined): Promise<{ results: string[]; logs: string[] }> {
  const service = new ServiceProcess(serviceEnv(names, extra));
  try {
    const port = await httpPort(service);
    await eventually(async () => {
      const report = JSON.parse(await (await fetch(`http://127.0.0.1:${port}/status`)).text()) as StatusReport;
      watch(report);
      expect(report.partitions.map((p) => [p.partition, p.lag, p.idle])).to.deep.equal([
        [0, 0, true],
        [1, 0, true],
        [2, 0, true],
      ]);
    }, 60_000);
    // The input read to its end is not all: the customer tasks and the combiner must be through too.
    await drained([port], names.inputTopic, names.groupId);
    service.kill('SIGTERM');
    expect(await service.exited, service.logs.join('\n')).to.equal(0);
  } finally {
    service.kill('SIGKILL');
  }
  const results = [...analyticsOf(await readToEnd(names.outputTopic)), ...deadLettersOf(await readToEnd(names.deadLetterTopic))].sort();
  return { results, logs: service.logs };
}

/**
 * What the records of the topic give when each partition is read to its end, whatever order their
 * batches come in: the pipeline in process, fed every partition's records (after the word that it has
 * records to read) and then its word that it is caught up. Windows still open stay open, as on Kafka.
 */
function expectedFrom(input: readonly TopicMessage[]): string[] {
  const outputs: PipelineOutput[] = [];
  const events = new Subject<SourceEvent>();
  const subscription = events.pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS)).subscribe((o) => outputs.push(o));
  for (const partition of [0, 1, 2]) events.next({ kind: 'partition-status', partition, idle: false });
  for (const partition of [2, 0, 1]) {
    for (const m of input.filter((x) => x.partition === partition)) events.next({ kind: 'record', partition, offset: m.offset, value: m.value });
    events.next({ kind: 'partition-status', partition, idle: true });
  }
  subscription.unsubscribe();
  return outputs
    .map((o) => (o.kind === 'analytics' ? analyticsJson(o.message) : `${o.reason}|${o.raw === null ? '' : Buffer.from(o.raw).toString()}`))
    .sort();
}

describe('event time on Kafka: results that depend on the records, not on fetch timing', function () {
  this.timeout(300_000);

  it('gives identical results from the same topic over five runs with fresh groups (the sample: disorder, a late record, bad lines)', async () => {
    const names = uniqueNames('again');
    const produced = await runCli(['produce', SAMPLE], serviceEnv(names));
    expect(produced.code, produced.stderr).to.equal(0);
    const expected = expectedFrom(await readToEnd(names.inputTopic));
    expect(expected.filter((r) => r.includes('"hourly_sales"')).length, 'hourly windows closed by the data').to.be.greaterThan(0);
    const runs: string[][] = [];
    for (let run = 0; run < 5; run++) {
      const these = { ...names, groupId: `${names.groupId}-${run}`, outputTopic: `${names.outputTopic}-${run}`, deadLetterTopic: `${names.deadLetterTopic}-${run}` };
      runs.push((await runToEnd(these)).results);
    }
    runs.forEach((results, run) => expect(results, `run ${run + 1}`).to.deep.equal(expected));
  });

  it('pauses reading a partition whose orders wait for a partition far behind it, holds at most about job.maxHeldOrders of them, and gives the same results', async () => {
    const names = uniqueNames('held');
    // Partition 0: 60,000 orders of hours 0 to 5; partition 1: 60,000 of hours 6 to 11; partition 2: none.
    // Every order of partition 1 waits for partition 0 to get past it: unchecked, as many as are read
    // while partition 0 is (tens of thousands); checked, one fetch of it (10,000: a batch as produced).
    const start = Date.UTC(2024, 2, 1);
    const order = (partition: number, i: number): string =>
      JSON.stringify({ orderId: `p${partition}-${i}`, customerId: `c${i % 700}`, amount: 5 + (i % 40), timestamp: start + partition * 6 * 3_600_000 + i * 350, items: [] });
    const admin = await kafkaAdmin(testKafka());
    await admin.ensureTopic(names.inputTopic, 3);
    await admin.close();
    for (let from = 0; from < 60_000; from += 10_000) {
      const orders = Array.from({ length: 10_000 }, (_, i) => from + i);
      await produceTo(names.inputTopic, [0, 1].flatMap((partition) => orders.map((i) => ({ partition, value: order(partition, i) }))));
    }
    const expected = expectedFrom(await readToEnd(names.inputTopic));
    const maxHeld = 500;
    let most = 0;
    let pausedSeen = false;
    // At debug, each pause and resume is logged: what a failure report shows.
    const { results, logs } = await runToEnd(names, { JOB_MAX_HELD_ORDERS: String(maxHeld), LOG_LEVEL: 'debug' }, (status) => {
      const p1 = status.partitions.find((p) => p.partition === 1);
      most = Math.max(most, p1?.held ?? 0);
      pausedSeen ||= p1?.paused === true;
    });
    // The bound is crossed by what was read before the pause took: one fetch of the partition.
    const report = `most orders of partition 1 held, as /status showed them: ${most}\n${logs.filter((l) => /reading (paused|resumed)|assigned/.test(l)).join('\n')}`;
    expect({ pausedSeen, overTwoFetches: most > 20_000 }, report).to.deep.equal({ pausedSeen: true, overTwoFetches: false });
    expect(results).to.deep.equal(expected);
  });

  it('makes no record late that was in order within its partition, when a recording is published slowly into a running service', async () => {
    const names = uniqueNames('slow');
    const dir = tempDir();
    const file = join(dir, 'orders.jsonl');
    const lines = writeRecording(file, 3_000, 17);
    writeFileSync(file, [...lines, sentinel(0), sentinel(1), sentinel(2)].join('\n') + '\n');
    const out = join(dir, 'expected.jsonl');
    const replayed = await runCli(['replay', file, '--out', out]);
    expect(replayed.code, replayed.stderr).to.equal(0);
    const expected = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '' && !isSentinelResult(l)).sort();

    const service = new ServiceProcess(serviceEnv(names));
    try {
      await service.waitForLog(/"consuming"/);
      // Many small batches, one partition at a time: each would move event time past the others' records
      // if the service took a partition with nothing fetched yet for one with nothing to read.
      const produced = await runCli(['produce', file, '--rate', '1500'], serviceEnv(names));
      expect(produced.code, produced.stderr).to.equal(0);
      const analytics = await readTopic(names.outputTopic, (m) => analyticsOf(m).filter((v) => !isSentinelResult(v)).length >= expected.length, 90_000);
      const dlq = await readToEnd(names.deadLetterTopic);
      expect(dlq.filter((m) => m.headers.reason === 'late').map((m) => m.value?.toString()), 'late dead letters').to.deep.equal([]);
      expect(analyticsOf(analytics).filter((v) => !isSentinelResult(v)).sort()).to.deep.equal(expected);
    } finally {
      service.kill('SIGTERM');
      await service.exited;
    }
  });

  it('changes no result when its broker is stopped for 20 s mid-stream and started again', async () => {
    const broker = new LocalBroker(Number(process.env.TEST_KAFKA_RESTART_PORT ?? 19192));
    broker.start();
    try {
      const names = uniqueNames('restart');
      const dir = tempDir();
      const file = join(dir, 'orders.jsonl');
      const lines = writeRecording(file, 40_000, 23);
      writeFileSync(join(dir, 'all.jsonl'), [...lines, sentinel(0), sentinel(1), sentinel(2)].join('\n') + '\n');
      const out = join(dir, 'expected.jsonl');
      const dead = join(dir, 'expected-dead.jsonl');
      const replayed = await runCli(['replay', join(dir, 'all.jsonl'), '--out', out, '--dead-letters', dead]);
      expect(replayed.code, replayed.stderr).to.equal(0);
      const expected = new Set(readFileSync(out, 'utf8').split('\n').filter((l) => l !== '' && !isSentinelResult(l)));
      const expectedDead = new Set(readFileSync(dead, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { reason: string }).reason));

      // A small bound on unacknowledged output keeps the service mid-stream when the broker goes; an idle
      // timeout well inside the outage shows that partitions still to be read are not taken for idle.
      const env = serviceEnv(names, {
        KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
        JOB_MAX_PENDING_OUTPUTS: '5',
        JOB_COMMIT_INTERVAL_MS: '200',
        ANALYTICS_IDLE_TIMEOUT_MS: '3000',
      });
      const produced = await runCli(['produce', file], env);
      expect(produced.code, produced.stderr).to.equal(0);
      await produceTo(names.inputTopic, [0, 1, 2].map((partition) => ({ partition, value: sentinel(partition) })), broker.bootstrap);

      const service = new ServiceProcess(env);
      try {
        await service.waitForLog(/"consuming"/);
        const early = await readTopic(names.outputTopic, (m) => m.length >= 1_000, 60_000, broker.bootstrap);
        expect(early.length, 'results before the broker stops').to.be.lessThan(expected.size);
        broker.stop();
        // The scenario itself, not a wait for something: the broker is away for 20 s.
        await sleep(20_000);
        broker.start();
        const distinct = (m: readonly TopicMessage[]) => new Set(analyticsOf(m).filter((v) => !isSentinelResult(v)));
        const after = await readTopic(names.outputTopic, (m) => distinct(m).size >= expected.size, 180_000, broker.bootstrap);
        const missing = [...expected].filter((e) => !distinct(after).has(e));
        const extra = [...distinct(after)].filter((e) => !expected.has(e));
        const dlq = await readToEnd(names.deadLetterTopic, 30_000, broker.bootstrap);
        const lateCount = dlq.filter((m) => m.headers.reason === 'late').length;
        const report = `missing ${missing.length} (e.g. ${missing.slice(0, 2).join(' ')}), extra ${extra.length} (e.g. ${extra.slice(0, 2).join(' ')}), late ${lateCount}\n${service.logs.slice(-30).join('\n')}`;
        expect({ missing: missing.length, extra: extra.length, late: lateCount }, report).to.deep.equal({ missing: 0, extra: 0, late: 0 });
        expect(new Set(dlq.map((m) => m.headers.reason))).to.deep.equal(expectedDead);
      } finally {
        service.kill('SIGTERM');
        await service.exited;
      }
    } finally {
      broker.clean();
    }
  });
});
