import { expect } from 'chai';
import { join } from 'node:path';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { analyticsPipeline } from '../../lib/analytics/pipeline.js';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import type { SourceEvent } from '../../lib/model/source.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { drained, eventually, httpPort, produceTo, readToEnd, ServiceProcess, serviceEnv, uniqueNames, type TopicMessage } from '../helpers/kafka.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';
import type { StatusReport } from '../../lib/service/status.js';

/**
 * Event time across instances, where it decides results: a recording with stragglers up to two hours
 * behind (some late, some not, depending on where every partition's watermark stands when each is taken),
 * keyed by orderId so that every order crosses the internal topic, all of it on the broker before the
 * group starts (so no partition is caught up before its sentinel). What 3 instances publish, one of them
 * killed mid-stream and one added, must be what one instance's pipeline gives for the same partitions.
 */

const PARTITIONS = 6;

/** What one instance gives for these partitions: the pipeline over them, every partition busy until its end. */
function oneInstance(input: readonly TopicMessage[]): { analytics: Set<string>; deadLetters: Set<string> } {
  const byPartition = Array.from({ length: PARTITIONS }, (_, p) => input.filter((m) => m.partition === p).sort((a, b) => a.offset - b.offset));
  const events: SourceEvent[] = byPartition.map((_, partition) => ({ kind: 'partition-status', partition, idle: false }));
  // The partitions' records in any interleaving: the partition group takes them in event-time order of their heads.
  for (let i = 0; byPartition.some((records) => i < records.length); i++) {
    for (const records of byPartition) {
      const m = records[i];
      if (m !== undefined) events.push({ kind: 'record', partition: m.partition, offset: m.offset, value: m.value?.toString('utf8') ?? '' });
    }
  }
  for (let partition = 0; partition < PARTITIONS; partition++) events.push({ kind: 'partition-status', partition, idle: true });
  const analytics = new Set<string>();
  const deadLetters = new Set<string>();
  const feed = new Subject<SourceEvent>();
  const subscription = feed.pipe(analyticsPipeline(DEFAULT_ANALYTICS_SETTINGS, { scheduler: new VirtualTimeScheduler() })).subscribe((o) => {
    if (o.kind === 'analytics') analytics.add(analyticsJson(o.message));
    else deadLetters.add(`${o.reason}|${typeof o.raw === 'string' ? o.raw : Buffer.from(o.raw ?? new Uint8Array()).toString('utf8')}`);
  });
  for (const e of events) feed.next(e);
  subscription.unsubscribe();
  return { analytics: new Set([...analytics].filter((a) => !isSentinelResult(a))), deadLetters };
}

describe('several instances, event time deciding the results', function () {
  this.timeout(300_000);

  it('stragglers keyed by orderId, 3 instances, one killed with SIGKILL mid-stream, one added: exactly the late orders and results of one instance', async () => {
    const names = uniqueNames('scale-time');
    const dir = tempDir();
    // A small bound on held orders: reading pauses and resumes often while instances come and go.
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), JOB_COMMIT_INTERVAL_MS: '200', JOB_MAX_HELD_ORDERS: '300' });
    const file = join(dir, 'orders.jsonl');
    writeRecording(file, 30_000, 41, { stragglerEvery: 37 });
    const produced = await runCli(['produce', file, '--key', 'orderId'], env);
    expect(produced.code, produced.stderr).to.equal(0);
    await produceTo(names.inputTopic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: sentinel(partition) })));
    const expected = oneInstance(await readToEnd(names.inputTopic));
    expect(expected.deadLetters.size, 'the recording makes late orders').to.be.greaterThan(20);

    const seen: string[] = [];
    const instances: Array<{ name: string; process: ServiceProcess; port: number }> = [];
    const start = async (name: string) => {
      const process = new ServiceProcess(env);
      const instance = { name, process, port: await httpPort(process) };
      instances.push(instance);
      seen.push(`${name} started`);
      return instance;
    };
    try {
      await Promise.all(['i1', 'i2', 'i3'].map(start));
      // Killed once its tasks have read something, and before the group is through.
      const victim = instances[1]!;
      const read = await eventually(async () => {
        const status = (await (await fetch(`http://127.0.0.1:${victim.port}/status`)).json()) as StatusReport;
        const offsets = status.tasks.filter((t) => t.kind === 'source').map((t) => t.offset);
        expect(offsets.some((o) => o > 0), 'i2 has read').to.equal(true);
        return offsets;
      }, 60_000);
      victim.process.kill('SIGKILL');
      await victim.process.exited;
      instances.splice(1, 1);
      seen.push(`i2 killed with SIGKILL after reading ${read.join('/')}`);
      await start('i4');
      await drained(instances.map((i) => i.port), names.inputTopic, names.groupId, 180_000);
      seen.push('all done');

      const analytics = new Set((await readToEnd(names.outputTopic)).map((m) => m.value?.toString() ?? '').filter((v) => !isSentinelResult(v)));
      const deadLetters = new Set((await readToEnd(names.deadLetterTopic)).map((m) => `${m.headers.reason}|${m.value?.toString() ?? ''}`));
      const diff = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => !b.has(x));
      const report = [
        `steps: ${seen.join(', ')}`,
        `results missing ${diff(expected.analytics, analytics).length}: ${diff(expected.analytics, analytics).slice(0, 3).join(' ')}`,
        `results extra ${diff(analytics, expected.analytics).length}: ${diff(analytics, expected.analytics).slice(0, 3).join(' ')}`,
        `dead letters missing ${diff(expected.deadLetters, deadLetters).length}: ${diff(expected.deadLetters, deadLetters).slice(0, 3).join(' ')}`,
        `dead letters extra ${diff(deadLetters, expected.deadLetters).length}: ${diff(deadLetters, expected.deadLetters).slice(0, 3).join(' ')}`,
      ].join('\n');
      expect(
        { resultsMissing: diff(expected.analytics, analytics).length, resultsExtra: diff(analytics, expected.analytics).length, deadMissing: diff(expected.deadLetters, deadLetters).length, deadExtra: diff(deadLetters, expected.deadLetters).length },
        report,
      ).to.deep.equal({ resultsMissing: 0, resultsExtra: 0, deadMissing: 0, deadExtra: 0 });
    } finally {
      for (const i of instances) i.process.kill('SIGKILL');
      await Promise.all(instances.map((i) => i.process.exited));
    }
  });
});
