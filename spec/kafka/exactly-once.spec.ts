import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Prng } from '../../lib/io/prng.js';
import type { StatusReport } from '../../lib/service/status.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { drained, eventually, httpPort, produceTo, readTopic, ServiceProcess, serviceEnv, uniqueNames } from '../helpers/kafka.js';
import { LocalBroker } from '../helpers/local-broker.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';

/**
 * Exactly once on the real broker: whatever happens to the instances (SIGKILL at random moments, one
 * killed and one added to a group of three, a zombie paused past its session timeout) or to the broker
 * (stopped mid-stream and started again), a read_committed reader of the output topics sees every result
 * and dead letter of the recording once: compared as multisets with a replay of the same orders.
 */

const PARTITIONS = 3;
const END = 'end-of-test';

type Names = ReturnType<typeof uniqueNames>;

/** Everything a read_committed reader sees of a topic, up to end markers written after the service stopped. */
async function committedOf(topic: string, servers?: string): Promise<string[]> {
  await produceTo(topic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: END })), servers);
  const messages = await readTopic(topic, (m) => m.filter((x) => x.value?.toString() === END).length >= PARTITIONS, 60_000, servers);
  return messages.map((m) => (m.headers.reason ? `${m.headers.reason}|` : '') + (m.value?.toString() ?? '')).filter((v) => v !== END);
}

/** A recording on the input topic (keyed by orderId: every order crosses the internal topic), and what a replay of it gives. */
async function recorded(names: Names, env: NodeJS.ProcessEnv, orders: number, seed: number): Promise<{ orders: number; analytics: string[]; deadLetters: string[] }> {
  const dir = tempDir();
  const raw = join(dir, 'raw.jsonl');
  writeRecording(raw, orders, seed);
  const out = join(dir, 'expected.jsonl');
  const dead = join(dir, 'expected-dead.jsonl');
  const replay = await runCli(['replay', raw, '--out', out, '--dead-letters', dead]);
  expect(replay.code, replay.stderr).to.equal(0);
  const produced = await runCli(['produce', raw, '--key', 'orderId'], env);
  expect(produced.code, produced.stderr).to.equal(0);
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  return {
    orders,
    analytics: lines(out).sort(),
    deadLetters: lines(dead)
      .map((l) => {
        const d = JSON.parse(l) as { reason: string; raw: string };
        return `${d.reason}|${d.raw}`;
      })
      .sort(),
  };
}

/** What read_committed readers see, against what they must: one line for each way it differs. */
async function compare(names: Names, expected: Awaited<ReturnType<typeof recorded>>, seen: readonly string[], servers?: string): Promise<void> {
  const analytics = (await committedOf(names.outputTopic, servers)).filter((v) => !isSentinelResult(v)).sort();
  const deadLetters = (await committedOf(names.deadLetterTopic, servers)).sort();
  const counts = (values: readonly string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
  const difference = (a: readonly string[], b: readonly string[]) => {
    const left = counts(b);
    return a.filter((v) => {
      const n = left.get(v) ?? 0;
      left.set(v, n - 1);
      return n <= 0;
    });
  };
  const missing = difference(expected.analytics, analytics);
  const repeated = difference(analytics, expected.analytics);
  const deadMissing = difference(expected.deadLetters, deadLetters);
  const deadRepeated = difference(deadLetters, expected.deadLetters);
  const report = [
    `steps: ${seen.join(', ')}`,
    `${analytics.length} results for ${expected.analytics.length} expected; ${deadLetters.length} dead letters for ${expected.deadLetters.length}`,
    `missing ${missing.length}: ${missing.slice(0, 3).join(' ')}`,
    `extra or repeated ${repeated.length}: ${repeated.slice(0, 3).join(' ')}`,
    `dead letters missing ${deadMissing.length}, extra or repeated ${deadRepeated.length}: ${[...deadMissing, ...deadRepeated].slice(0, 3).join(' ')}`,
  ].join('\n');
  expect({ missing: missing.length, repeated: repeated.length, deadMissing: deadMissing.length, deadRepeated: deadRepeated.length }, report).to.deep.equal({
    missing: 0,
    repeated: 0,
    deadMissing: 0,
    deadRepeated: 0,
  });
}

const statusOf = async (port: number): Promise<StatusReport> => (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as StatusReport;
const inputRead = (status: StatusReport): number => status.tasks.filter((t) => t.kind === 'source').reduce((n, t) => n + t.offset, 0);
const sentinels = (names: Names, servers?: string) => produceTo(names.inputTopic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: sentinel(partition) })), servers);

describe('exactly-once on Kafka', function () {
  this.timeout(300_000);

  it('killed with SIGKILL five times at random moments while it works, publishes every result and dead letter exactly once (read_committed)', async () => {
    const names = uniqueNames('eos-kill');
    // At debug, each transaction a task commits is logged: what a failure report points to.
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), PROCESSING_GUARANTEE: 'exactly-once', LOG_LEVEL: 'debug' });
    const expected = await recorded(names, env, 100_000, 5);
    const logs: string[] = [];
    const seed = Number(process.env.EOS_KILL_SEED ?? Date.now() % 1_000_000);
    const rng = new Prng(seed);
    const seen: string[] = [`kill moments from seed ${seed} (EOS_KILL_SEED)`];
    let service = new ServiceProcess(env);
    try {
      let port = await httpPort(service);
      for (let kill = 1; kill <= 5; kill++) {
        // Each kill a random while (up to 2 s; the input takes some 6) after the instance has its tasks: while it restores,
        // reads, publishes or commits.
        await eventually(async () => expect((await statusOf(port)).tasks.length, 'tasks').to.equal(2 * PARTITIONS + 1), 120_000);
        const delay = Math.floor(rng.next() * 2_000);
        await sleep(delay);
        const status = await statusOf(port);
        service.kill('SIGKILL');
        await service.exited;
        logs.push(...service.logs.map((line) => `run ${kill} ${line}`));
        const internalRead = status.tasks.filter((t) => t.kind !== 'source').reduce((n, t) => n + t.offset, 0);
        seen.push(`killed ${delay} ms after its tasks came, input read ${inputRead(status)}, internal ${internalRead}`);
        service = new ServiceProcess(env);
        port = await httpPort(service);
      }
      await sentinels(names);
      await drained([port], names.inputTopic, names.groupId, 180_000);
      service.kill('SIGTERM');
      expect(await service.exited, service.logs.slice(-20).join('\n')).to.equal(0);
      logs.push(...service.logs.map((line) => `run 6 ${line}`));
      const logFile = join(tempDir(), 'service-runs.log');
      writeFileSync(logFile, logs.join('\n') + '\n');
      seen.push(`stopped; the six runs' logs: ${logFile}`);
      await compare(names, expected, seen);
    } finally {
      service.kill('SIGKILL');
      await service.exited;
    }
  });

  it('three instances, one killed with SIGKILL mid-stream and one added: every result exactly once (read_committed)', async () => {
    const names = uniqueNames('eos-three');
    // A small bound on held orders: reading pauses and resumes often while instances come and go.
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), PROCESSING_GUARANTEE: 'exactly-once', JOB_MAX_PENDING_OUTPUTS: '20', JOB_MAX_HELD_ORDERS: '300' });
    const expected = await recorded(names, env, 20_000, 11);
    const seen: string[] = [];
    const instances: Array<{ name: string; process: ServiceProcess; port: number }> = [];
    const start = async (name: string) => {
      const process = new ServiceProcess(env);
      instances.push({ name, process, port: await httpPort(process) });
      seen.push(`${name} started`);
    };
    try {
      await Promise.all(['i1', 'i2', 'i3'].map(start));
      const victim = instances[1]!;
      const read = await eventually(async () => {
        const status = await statusOf(victim.port);
        expect(status.tasks.length, 'i2 has tasks').to.be.greaterThan(0);
        expect(inputRead(status) + status.tasks.filter((t) => t.kind !== 'source').reduce((n, t) => n + t.offset, 0), 'i2 has read').to.be.greaterThan(0);
        return status.tasks.map((t) => `${t.kind}:${t.partition}@${t.offset}`).join(' ');
      }, 60_000);
      victim.process.kill('SIGKILL');
      await victim.process.exited;
      instances.splice(1, 1);
      seen.push(`i2 killed with SIGKILL at ${read}`);
      await start('i4');
      // The sentinels go in only once i4 owns its share: sent sooner, i1 and i3 could finish everything
      // before i4 is assigned anything, and i4 would have no transaction to show.
      const owned = await eventually(async () => {
        const reports = await Promise.all(instances.map(async (i) => ({ name: i.name, tasks: (await statusOf(i.port)).tasks })));
        expect(reports.find((r) => r.name === 'i4')?.tasks.length, 'i4 has tasks').to.be.greaterThan(0);
        expect(reports.reduce((n, r) => n + r.tasks.length, 0), 'every task owned').to.equal(2 * PARTITIONS + 1);
        return reports.map((r) => `${r.name}: ${r.tasks.map((t) => `${t.kind}:${t.partition}`).join(' ')}`).join('; ');
      }, 120_000);
      seen.push(`assigned: ${owned}`);
      await sentinels(names);
      await drained(
        instances.map((i) => i.port),
        names.inputTopic,
        names.groupId,
        180_000,
      );
      // What an operator sees: the guarantee in force, and transactions counted.
      for (const i of instances) {
        expect((await statusOf(i.port)).processingGuarantee, `${i.name} /status`).to.equal('exactly-once');
        const metrics = await (await fetch(`http://127.0.0.1:${i.port}/metrics`)).text();
        const committed = Number(/^stream_processor_transactions_total\{outcome="committed"\} (\d+)$/m.exec(metrics)?.[1] ?? NaN);
        expect(committed, `${i.name} transactions committed; steps: ${seen.join(', ')}`).to.be.greaterThan(0);
        expect(metrics, `${i.name} /metrics`).to.match(/^stream_processor_transactions_total\{outcome="aborted"\} \d+$/m);
      }
      for (const i of instances) i.process.kill('SIGTERM');
      await Promise.all(instances.map((i) => i.process.exited));
      seen.push('stopped');
      await compare(names, expected, seen);
    } finally {
      for (const i of instances) i.process.kill('SIGKILL');
      await Promise.all(instances.map((i) => i.process.exited));
    }
  });

  it('fences a zombie: an instance paused past its session timeout publishes nothing more once the group has moved on', async () => {
    const names = uniqueNames('eos-zombie');
    // 100,000 orders in transactions of at most 200 messages: the instances take seconds over their
    // partitions, so the zombie-to-be is seen at work, and paused so.
    const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), PROCESSING_GUARANTEE: 'exactly-once', JOB_RESTART_DELAY_MS: '500', JOB_MAX_PENDING_OUTPUTS: '200' });
    const expected = await recorded(names, env, 100_000, 9);
    const seen: string[] = [];
    const zombie = new ServiceProcess(env);
    const other = new ServiceProcess(env);
    try {
      const [zombiePort, otherPort] = await Promise.all([httpPort(zombie), httpPort(other)]);
      // Paused while it is working: one of its input partitions has more to read, and it has output in an
      // open transaction (which it tries to commit when it resumes, and is refused).
      await eventually(async () => {
        const status = await statusOf(zombiePort);
        expect(status.tasks.some((t) => t.kind === 'source' && t.offset > 0 && !t.caughtUp), 'the zombie-to-be has read, and has more to').to.equal(true);
        expect(status.pendingOutputs, 'output in its open transaction').to.be.greaterThan(0);
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
      await sentinels(names);
      await drained([zombiePort, otherPort], names.inputTopic, names.groupId, 180_000);
      for (const s of [zombie, other]) s.kill('SIGTERM');
      await Promise.all([zombie.exited, other.exited]);
      const fenced = zombie.logs.filter((l) => /epoch|fenced/i.test(l)).length;
      seen.push(`stopped; the zombie's log has ${fenced} lines of being fenced`);
      await compare(names, expected, seen);
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

  it('its broker stopped mid-stream and started again: every result exactly once (read_committed)', async () => {
    const broker = new LocalBroker(Number(process.env.TEST_KAFKA_EOS_RESTART_PORT ?? 19172));
    broker.start();
    try {
      const names = uniqueNames('eos-restart');
      const env = serviceEnv(names, {
        KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap,
        KAFKA_INPUT_PARTITIONS: String(PARTITIONS),
        PROCESSING_GUARANTEE: 'exactly-once',
        JOB_MAX_PENDING_OUTPUTS: '20',
      });
      const expected = await recorded(names, env, 20_000, 13);
      const seen: string[] = [];
      const service = new ServiceProcess(env);
      try {
        const port = await httpPort(service);
        const at = await eventually(async () => {
          const read = inputRead(await statusOf(port));
          expect(read, 'input read').to.be.greaterThan(expected.orders / 10);
          return read;
        }, 120_000);
        broker.stop();
        seen.push(`broker stopped at ${at} of ${expected.orders} read`);
        // The scenario itself, not a wait for something: the broker is away for 10 s.
        await sleep(10_000);
        broker.start();
        seen.push('broker started');
        await sentinels(names, broker.bootstrap);
        await drained([port], names.inputTopic, names.groupId, 180_000, broker.bootstrap);
        const { restarts } = await statusOf(port);
        service.kill('SIGTERM');
        expect(await service.exited, service.logs.slice(-20).join('\n')).to.equal(0);
        seen.push(`stopped after ${restarts} restarts`);
        await compare(names, expected, seen, broker.bootstrap);
      } finally {
        service.kill('SIGKILL');
        await service.exited;
      }
    } finally {
      broker.clean();
    }
  });
});
