import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusReport } from '../../lib/service/status.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { drained, eventually, httpPort, produceTo, readTopic, ServiceProcess, serviceEnv, uniqueNames } from '../helpers/kafka.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';

/**
 * Exactly-once on the real broker: killed with SIGKILL again and again while it works, the service still
 * publishes every result exactly once, as `read_committed` readers see its output topics.
 */

const PARTITIONS = 3;
const END = 'end-of-test';

/** Everything a read_committed reader sees of a topic, up to the end markers written after the service stopped. */
async function committedOf(topic: string): Promise<string[]> {
  await produceTo(topic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: END })));
  const messages = await readTopic(topic, (m) => m.filter((x) => x.value?.toString() === END).length >= PARTITIONS, 60_000);
  return messages.map((m) => (m.headers.reason ? `${m.headers.reason}|` : '') + (m.value?.toString() ?? '')).filter((v) => v !== END);
}

describe('exactly-once on Kafka', function () {
  this.timeout(300_000);

  it('killed with SIGKILL three times while it works, publishes every result and dead letter exactly once (read_committed)', async () => {
    const names = uniqueNames('eos');
    const dir = tempDir();
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), PROCESSING_GUARANTEE: 'exactly-once' });
    const lines = writeRecording(join(dir, 'raw.jsonl'), 20_000, 5);
    const file = join(dir, 'orders.jsonl');
    writeFileSync(file, [...lines, ...Array.from({ length: PARTITIONS }, (_, p) => sentinel(p))].join('\n') + '\n');
    // What one replay of the same orders gives; the order on the topic does not matter to a multiset.
    const out = join(dir, 'expected.jsonl');
    const dead = join(dir, 'expected-dead.jsonl');
    const replay = await runCli(['replay', join(dir, 'raw.jsonl'), '--out', out, '--dead-letters', dead]);
    expect(replay.code, replay.stderr).to.equal(0);
    const expectedDead = readFileSync(dead, 'utf8').split('\n').filter((l) => l !== '').map((l) => {
      const d = JSON.parse(l) as { reason: string; raw: string };
      return `${d.reason}|${d.raw}`;
    });
    const produced = await runCli(['produce', join(dir, 'raw.jsonl'), '--key', 'orderId'], env);
    expect(produced.code, produced.stderr).to.equal(0);

    const seen: string[] = [];
    let service = new ServiceProcess(env);
    try {
      let port = await httpPort(service);
      for (let kill = 1; kill <= 3; kill++) {
        const progress = await eventually(async () => {
          const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as StatusReport;
          const read = status.tasks.filter((t) => t.kind === 'source').reduce((n, t) => n + t.offset, 0);
          expect(read, 'input read').to.be.at.least((kill * lines.length) / 5);
          return read;
        }, 120_000);
        service.kill('SIGKILL');
        await service.exited;
        seen.push(`killed at ${progress} input records read`);
        service = new ServiceProcess(env);
        port = await httpPort(service);
      }
      await produceTo(names.inputTopic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: sentinel(partition) })));
      await drained([port], names.inputTopic, names.groupId, 180_000);
      service.kill('SIGTERM');
      expect(await service.exited, service.logs.slice(-20).join('\n')).to.equal(0);
      seen.push('stopped');

      const expected = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').sort();
      const analytics = (await committedOf(names.outputTopic)).filter((v) => !isSentinelResult(v)).sort();
      const deadLetters = (await committedOf(names.deadLetterTopic)).sort();
      const repeats = analytics.filter((v, i) => i > 0 && analytics[i - 1] === v);
      const report = `steps: ${seen.join(', ')}; ${analytics.length} results for ${expected.length} expected; repeats ${repeats.length}: ${repeats.slice(0, 3).join(' ')}\nlast log lines:\n${service.logs.slice(-12).join('\n')}`;
      expect(analytics, report).to.deep.equal(expected);
      expect(deadLetters, 'dead letters').to.deep.equal(expectedDead.sort());
    } finally {
      service.kill('SIGKILL');
      await service.exited;
    }
  });

  it('fences a zombie: an instance paused past its session timeout publishes nothing more once the group has moved on', async () => {
    const names = uniqueNames('eos-zombie');
    const dir = tempDir();
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), PROCESSING_GUARANTEE: 'exactly-once', JOB_RESTART_DELAY_MS: '500', LOG_LEVEL: 'debug' });
    const raw = join(dir, 'raw.jsonl');
    const lines = writeRecording(raw, 20_000, 9);
    const out = join(dir, 'expected.jsonl');
    const replay = await runCli(['replay', raw, '--out', out, '--dead-letters', join(dir, 'dead.jsonl')]);
    expect(replay.code, replay.stderr).to.equal(0);
    const produced = await runCli(['produce', raw, '--key', 'orderId'], env);
    expect(produced.code, produced.stderr).to.equal(0);

    const seen: string[] = [];
    const zombie = new ServiceProcess(env);
    const other = new ServiceProcess(env);
    try {
      const [zombiePort, otherPort] = await Promise.all([httpPort(zombie), httpPort(other)]);
      const statusOf = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as StatusReport;
      // Paused while it has tasks and is working on them.
      await eventually(async () => {
        const status = await statusOf(zombiePort);
        expect(status.tasks.some((t) => t.kind === 'source' && t.offset > 0), 'the zombie-to-be has read').to.equal(true);
        expect(status.tasks.reduce((n, t) => n + (t.kind === 'source' ? t.offset : 0), 0)).to.be.below(lines.length);
      }, 60_000);
      zombie.kill('SIGSTOP');
      seen.push('paused');
      // Its session times out; the other instance takes every task (and fences it).
      await eventually(async () => {
        const status = await statusOf(otherPort);
        expect(status.tasks.length, 'tasks at the other instance').to.equal(2 * PARTITIONS + 1);
      }, 120_000);
      seen.push('the other took over');
      zombie.kill('SIGCONT');
      seen.push('resumed');
      await produceTo(names.inputTopic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: sentinel(partition) })));
      await drained([zombiePort, otherPort], names.inputTopic, names.groupId, 180_000);
      for (const s of [zombie, other]) s.kill('SIGTERM');
      await Promise.all([zombie.exited, other.exited]);
      seen.push('stopped');

      const expected = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').sort();
      const analytics = (await committedOf(names.outputTopic)).filter((v) => !isSentinelResult(v)).sort();
      const repeats = analytics.filter((v, i) => i > 0 && analytics[i - 1] === v);
      writeFileSync('/tmp/eos-zombie.log', zombie.logs.join('\n'));
      writeFileSync('/tmp/eos-other.log', other.logs.join('\n'));
      writeFileSync('/tmp/eos-repeats.txt', repeats.join('\n'));
      const fenced = zombie.logs.filter((l) => /epoch|fenced/i.test(l)).length;
      const report = `steps: ${seen.join(', ')}; ${analytics.length} results for ${expected.length}; repeats ${repeats.length}: ${repeats.slice(0, 2).join(' ')}; zombie's fenced lines: ${fenced}`;
      expect(analytics, report).to.deep.equal(expected);
      // It did try, and was refused: what it had in flight was fenced, not published.
      expect(fenced, `the zombie was fenced\n${zombie.logs.slice(-15).join('\n')}`).to.be.greaterThan(0);
    } finally {
      for (const s of [zombie, other]) {
        s.kill('SIGCONT');
        s.kill('SIGKILL');
      }
      await Promise.all([zombie.exited, other.exited]);
    }
  });
});
