import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import { localTopology } from '../../lib/topology/local-topology.js';
import { recordingLines } from '../helpers/recording.js';
import { simulate, type SimulationPlan } from '../helpers/simulated-cluster.js';

/**
 * The task runners' restore, in memory (see simulated-cluster): tasks that die at any step, all of them or
 * a few, and start again from their last commit. Exactly once, read_committed readers must be left with
 * the results and dead letters of a replay of the same orders: none missing, none twice. At least once,
 * none missing and nothing that is not a repeat. The Kafka specs kill real processes a few times a run;
 * this kills some fifty times a run, at moments a process kill rarely hits (right after a restart's first
 * commit, mid re-read, right after a purge).
 *
 * It found a customer task that, restarted and committing before its re-read got back to where the task
 * had been, committed that it had processed less than it had: after the next restart those orders counted
 * as new, became `late` dead letters, and the velocity rule missed them (a burst's alert was lost).
 */

const SEEDS = Number(process.env.SIM_SEEDS ?? 8);
const FIRST_SEED = Number(process.env.SIM_SEED ?? 1);

/** What `a` has beyond `b`, as multisets. */
function beyond(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const v of b) left.set(v, (left.get(v) ?? 0) + 1);
  return a.filter((v) => {
    const n = left.get(v) ?? 0;
    left.set(v, n - 1);
    return n <= 0;
  });
}

const sample = (values: readonly string[]): string => `${values.length}: ${values.slice(0, 3).join(' ')}`;

describe('restore of the tasks from their commits (in memory, some fifty deaths a run)', function () {
  this.timeout(120_000);

  // Six hours of orders in 10-minute windows (a window closes every few hundred orders), bursts included.
  const lines = recordingLines(6_000, 5);
  const settings = { ...DEFAULT_ANALYTICS_SETTINGS, windowSizeMs: 600_000 };
  /** What a replay of the lines gives (one partition, in file order): what every run must give. */
  let expected: { analytics: string[]; deadLetters: string[] };
  before(async () => {
    const events = lines.map((value, i) => ({ kind: 'record' as const, partition: 0, offset: i + 1, value }));
    const outputs = await lastValueFrom(from(events).pipe(localTopology(settings), toArray()));
    expected = {
      analytics: outputs.flatMap((o) => (o.kind === 'analytics' ? [analyticsJson(o.message)] : [])),
      deadLetters: outputs.flatMap((o) => (o.kind === 'dead-letter' ? [`${o.reason}|${o.raw === null ? '' : Buffer.from(o.raw).toString()}`] : [])),
    };
    expect(expected.analytics.length, 'results of the replay').to.be.greaterThan(3_000);
  });

  const plan = (seed: number, partitions: number, guarantee: SimulationPlan['guarantee']): SimulationPlan => ({
    seed,
    lines,
    // Keyed by customer every third run: then every order stays in its partition's local lane.
    keyBy: seed % 3 === 0 ? 'customerId' : 'orderId',
    partitions,
    settings,
    guarantee,
    // Every task dies about once in a hundred steps, a few of them about three times in a hundred.
    killAll: 0.01,
    killSome: 0.03,
    commit: 0.3,
  });

  for (const partitions of [2, 3, 4]) {
    for (const keyBy of ['orderId', 'customerId'] as const) {
      it(`nothing dying, ${partitions} partitions, keyed by ${keyBy}: what a replay gives`, async () => {
        const run = await simulate({ ...plan(0, partitions, 'exactly-once'), keyBy, killAll: 0, killSome: 0 });
        expect({ analytics: [...run.analytics].sort(), deadLetters: [...run.deadLetters].sort() }).to.deep.equal({
          analytics: [...expected.analytics].sort(),
          deadLetters: [...expected.deadLetters].sort(),
        });
      });
    }
  }

  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const partitions = [3, 3, 2, 4][seed % 4]!;
    it(`exactly once, ${partitions} partitions, keyed by ${plan(seed, partitions, 'exactly-once').keyBy}, seed ${seed}: every result and dead letter once (SIM_SEED=${seed} SIM_SEEDS=1)`, async () => {
      const run = await simulate(plan(seed, partitions, 'exactly-once'));
      const report = [
        `${run.kills} deaths, ${run.commits} commits, ${run.steps} steps`,
        `missing ${sample(beyond(expected.analytics, run.analytics))}`,
        `extra or repeated ${sample(beyond(run.analytics, expected.analytics))}`,
        `dead letters missing ${sample(beyond(expected.deadLetters, run.deadLetters))}`,
        `dead letters extra or repeated ${sample(beyond(run.deadLetters, expected.deadLetters))}`,
      ].join('\n');
      expect(run.kills, report).to.be.greaterThan(20);
      expect({ analytics: [...run.analytics].sort(), deadLetters: [...run.deadLetters].sort() }, report).to.deep.equal({
        analytics: [...expected.analytics].sort(),
        deadLetters: [...expected.deadLetters].sort(),
      });
    });
  }

  for (let seed = FIRST_SEED; seed < FIRST_SEED + Math.ceil(SEEDS / 2); seed++) {
    it(`at least once, keyed by ${plan(seed, 3, 'at-least-once').keyBy}, seed ${seed}: every result and dead letter, and nothing but repeats beyond them (SIM_SEED=${seed})`, async () => {
      const run = await simulate(plan(seed, 3, 'at-least-once'));
      const unique = (values: readonly string[]) => [...new Set(values)].sort();
      const report = [
        `${run.kills} deaths, ${run.commits} commits, ${run.steps} steps`,
        `missing ${sample(beyond(expected.analytics, run.analytics))}`,
        `dead letters missing ${sample(beyond(expected.deadLetters, run.deadLetters))}`,
      ].join('\n');
      expect(run.kills, report).to.be.greaterThan(20);
      expect(beyond(expected.analytics, run.analytics), report).to.deep.equal([]);
      expect(beyond(expected.deadLetters, run.deadLetters), report).to.deep.equal([]);
      // A repeat is a copy of an expected result, never a different one.
      expect(unique(run.analytics), report).to.deep.equal(unique(expected.analytics));
      expect(unique(run.deadLetters), report).to.deep.equal(unique(expected.deadLetters));
    });
  }
});
