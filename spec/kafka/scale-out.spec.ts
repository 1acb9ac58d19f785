import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { drained, httpPort, produceTo, readToEnd, ServiceProcess, serviceEnv, uniqueNames, type TopicMessage } from '../helpers/kafka.js';
import { isSentinelResult, sentinel, writeRecording } from '../helpers/recording.js';

/**
 * Several instances in one group, as real processes on the real broker (semantics §6, "several
 * instances"): 6 input partitions, instances started, one killed with SIGKILL mid-stream, one added, all
 * restarted one by one; what the group publishes, as a set, is what `replay` gives for the same recording.
 */

const PARTITIONS = 6;

/**
 * A recording whose valid orders are in time order (each partition then is too, whatever the keying), cut
 * in three parts to publish between the steps, and what one replay of all of it gives (sentinels last,
 * one a partition, so that every window but theirs closes).
 */
async function prepare(dir: string): Promise<{ parts: string[][]; expected: { analytics: Set<string>; deadLetters: Set<string> } }> {
  const lines = writeRecording(join(dir, 'orders.jsonl'), 9_000, 23);
  const time = (l: string): number | undefined => {
    try {
      const v = JSON.parse(l) as { timestamp?: unknown; amount?: unknown };
      return typeof v.timestamp === 'number' && typeof v.amount === 'number' && v.amount >= 0 ? v.timestamp : undefined;
    } catch {
      return undefined;
    }
  };
  const sorted = lines.filter((l) => time(l) !== undefined).sort((a, b) => time(a)! - time(b)!);
  let next = 0;
  const inOrder = lines.map((l) => (time(l) === undefined ? l : sorted[next++]!));
  const third = Math.floor(inOrder.length / 3);
  const all = join(dir, 'all.jsonl');
  writeFileSync(all, [...inOrder, ...Array.from({ length: PARTITIONS }, (_, p) => sentinel(p))].join('\n') + '\n');
  return { parts: [inOrder.slice(0, third), inOrder.slice(third, 2 * third), inOrder.slice(2 * third)], expected: await replay(dir, all) };
}

async function replay(dir: string, file: string): Promise<{ analytics: Set<string>; deadLetters: Set<string> }> {
  const out = join(dir, 'expected.jsonl');
  const dead = join(dir, 'expected-dead.jsonl');
  const run = await runCli(['replay', file, '--out', out, '--dead-letters', dead]);
  expect(run.code, run.stderr).to.equal(0);
  const analytics = new Set(readFileSync(out, 'utf8').split('\n').filter((l) => l !== '' && !isSentinelResult(l)));
  const deadLetters = new Set(
    readFileSync(dead, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const d = JSON.parse(l) as { reason: string; raw: string };
        return `${d.reason}|${d.raw}`;
      }),
  );
  return { analytics, deadLetters };
}

/** An instance of the group, with its status port. */
interface Instance {
  readonly name: string;
  readonly process: ServiceProcess;
  readonly port: number;
}

describe('several instances in one group (scale out)', function () {
  this.timeout(300_000);

  for (const key of ['customerId', 'orderId'] as const) {
    it(`input keyed by ${key}: 3 instances, one killed with SIGKILL mid-stream, one added, a rolling restart; the results of one replay, no restart, nothing late`, async () => {
      const names = uniqueNames(`scale-${key}`);
      const dir = tempDir();
      // A small bound on held orders: reading pauses and resumes often while instances come and go.
      const env = serviceEnv(names, { KAFKA_INPUT_PARTITIONS: String(PARTITIONS), JOB_COMMIT_INTERVAL_MS: '200', JOB_MAX_HELD_ORDERS: '50' });
      const cut = await prepare(dir);
      const expected = cut.expected;

      const seen: string[] = [];
      const instances = new Map<string, Instance>();
      // Every instance ever started, for the logs a failure report points to.
      const started: Instance[] = [];
      let count = 0;
      const start = async (): Promise<Instance> => {
        const name = `i${++count}`;
        const process = new ServiceProcess(env);
        const port = await httpPort(process);
        await process.waitForLog(/"consuming"/, 60_000);
        const instance = { name, process, port };
        instances.set(name, instance);
        started.push(instance);
        seen.push(`${name} started`);
        return instance;
      };
      const ports = () => [...instances.values()].map((i) => i.port);
      const publish = async (lines: readonly string[], rate?: number) => {
        const part = join(dir, `part-${seen.length}.jsonl`);
        writeFileSync(part, lines.join('\n') + '\n');
        const produced = await runCli(['produce', part, '--key', key, ...(rate ? ['--rate', String(rate)] : [])], env);
        expect(produced.code, produced.stderr).to.equal(0);
      };

      try {
        await publish(cut.parts[0]!);
        await Promise.all([start(), start(), start()]);
        await drained(ports(), names.inputTopic, names.groupId, 120_000);
        seen.push('first part done by 3 instances');

        // The second part comes while one instance is killed outright and another joins.
        const publishing = publish(cut.parts[1]!, 3_000);
        const victim = instances.get('i2')!;
        victim.process.kill('SIGKILL');
        await victim.process.exited;
        instances.delete(victim.name);
        seen.push('i2 killed with SIGKILL');
        await start();
        await publishing;
        await drained(ports(), names.inputTopic, names.groupId, 120_000);
        seen.push('second part done');

        // A rolling restart (as a deployment does it: one instance stopped with SIGTERM, its replacement
        // started), while the third part comes.
        const third = publish(cut.parts[2]!, 3_000);
        for (const old of [...instances.values()]) {
          old.process.kill('SIGTERM');
          expect(await old.process.exited, old.process.logs.slice(-20).join('\n')).to.equal(0);
          instances.delete(old.name);
          seen.push(`${old.name} stopped (SIGTERM)`);
          await start();
        }
        await third;
        await produceTo(names.inputTopic, Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: sentinel(partition) })));
        await drained(ports(), names.inputTopic, names.groupId, 120_000);
        seen.push('all done');

        const analytics = new Set((await readToEnd(names.outputTopic)).map(text).filter((v) => !isSentinelResult(v)));
        const dlq = await readToEnd(names.deadLetterTopic);
        const deadLetters = new Set(dlq.map((m) => `${m.headers.reason}|${text(m)}`));
        const missing = [...expected.analytics].filter((e) => !analytics.has(e));
        const extra = [...analytics].filter((e) => !expected.analytics.has(e));
        const restarts = [...instances.values()].flatMap((i) => i.process.logs.filter((l) => /restart/.test(l)));
        const report = [
          `steps: ${seen.join(', ')}`,
          `missing ${missing.length}, e.g. ${missing.slice(0, 3).join(' ')}`,
          `extra ${extra.length}, e.g. ${extra.slice(0, 3).join(' ')}`,
          `restarts logged: ${restarts.length}`,
          ...[...instances.values()].map((i) => `${i.name}: ${i.process.logs.filter((l) => /tasks assigned/.test(l)).slice(-1).join('')}`),
        ].join('\n');
        expect({ missing: missing.length, extra: extra.length, restarts: restarts.length }, report).to.deep.equal({ missing: 0, extra: 0, restarts: 0 });
        expect(deadLetters, 'dead letters').to.deep.equal(expected.deadLetters);
      } catch (err) {
        const logFile = join(dir, 'instances.log');
        writeFileSync(logFile, started.flatMap((i) => i.process.logs.map((l) => `${i.name} ${l}`)).join('\n') + '\n');
        if (err instanceof Error) err.message += `\nsteps: ${seen.join(', ')}\nevery instance's log: ${logFile}`;
        throw err;
      } finally {
        for (const i of instances.values()) i.process.kill('SIGKILL');
        await Promise.all([...instances.values()].map((i) => i.process.exited));
      }
    });
  }
});

function text(m: TopicMessage): string {
  return m.value?.toString() ?? '';
}
