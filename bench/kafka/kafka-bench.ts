import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { ensureRecording, DATA_DIR } from '../recording.js';
import type { ProducerResult } from './bare-producer.js';
import { fixed, median, table, thousands, verdict } from '../report.js';
import { openBroker, pinnedKafkaVersion, REPO_DIR, type Broker } from './broker.js';
import {
  benchKafka, committedOffsets, createTopics, endOffsets, monoMs, sleep, sum,
  type BareResult, type SteadyProducerArgs, type SteadyProducerResult,
} from './common.js';
import { Fleet, taskKey, type Snapshot } from './fleet.js';
import { RebalanceWatch, type ChangeReport } from './rebalance-watch.js';
import { internalTopics } from '../../lib/runtime/internal-topics.js';
import { childScript, killAll, runNode, SERVICE_MAIN, ServiceProcess } from './processes.js';
import {
  countFile, countLines, countMessages, countTopic, SENTINEL_A_TIMESTAMP, SENTINEL_B_TIMESTAMP, type AnalyticsCounts,
} from './results.js';

/**
 * `npm run bench:kafka [-- --orders N --rounds R ...]`: the service end to end over a real broker, next
 * to a bare kafkajs consumer of the same topic, and the latency of a high_amount alert under a steady
 * load. A report, not a test: it prints PASS/MISS per target and always exits 0 (1 only when the bench
 * itself breaks). See bench/kafka/README.md for what is measured and how.
 */
const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string' },
    rounds: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    'alert-every': { type: 'string' },
    'tick-ms': { type: 'string' },
    warmup: { type: 'string' },
    timeout: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean' },
    'keep-topics': { type: 'boolean' },
    instances: { type: 'string' },
    'eos-instances': { type: 'string' },
    guarantees: { type: 'string' },
    service: { type: 'string' },
    'service-flags': { type: 'string' },
  },
});
const orders = positiveInt('--orders', flags.orders ?? process.env.BENCH_ORDERS, 1_000_000);
const rounds = positiveInt('--rounds', flags.rounds ?? process.env.BENCH_ROUNDS, 2);
const seed = positiveInt('--seed', flags.seed ?? process.env.BENCH_SEED, 42);
const rate = positiveInt('--rate', flags.rate ?? process.env.BENCH_RATE, 5_000);
const durationS = positiveInt('--duration', flags.duration ?? process.env.BENCH_DURATION, 20);
const alertEvery = positiveInt('--alert-every', flags['alert-every'], 500);
const tickMs = positiveInt('--tick-ms', flags['tick-ms'], 5);
// Alerts of orders sent in the first seconds are reported apart: the service (and kafkajs) warm up then.
const warmupS = flags.warmup === '0' ? 0 : positiveInt('--warmup', flags.warmup, 2);
const timeoutS = positiveInt('--timeout', flags.timeout, 900);
const only = flags.only ?? 'all';
if (!['all', 'throughput', 'rebalance', 'latency'].includes(only)) throw new Error(`--only ${only}: expected throughput, rebalance or latency`);
const keepTopics = flags['keep-topics'] === true;
// The service under test: this checkout's build unless told otherwise (to compare a candidate build).
const serviceMain = resolve(flags.service ?? process.env.BENCH_SERVICE_MAIN ?? SERVICE_MAIN);
const serviceFlags = (flags['service-flags'] ?? process.env.BENCH_SERVICE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');

// Targets of the issue.
const MIN_SPEED_RATIO = 0.5;
const MAX_ALERT_P99_MS = 50;

const PARTITIONS = 3;
// The service runs of the throughput phase: with this many instances in one group, each count in turn.
const instanceCounts = (flags.instances ?? process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map((n) => positiveInt('--instances', n.trim(), 1));
if (instanceCounts.some((n) => n > PARTITIONS)) throw new Error(`--instances: at most ${PARTITIONS}, the input's partitions (a member more would have none)`);
// Exactly-once runs of the throughput phase (their own instance counts: each run costs a minute or so).
const eosInstanceCounts = (flags['eos-instances'] ?? process.env.BENCH_EOS_INSTANCES ?? '1,3').split(',').filter((n) => n.trim() !== '' && n.trim() !== '0').map((n) => positiveInt('--eos-instances', n.trim(), 1));
if (eosInstanceCounts.some((n) => n > PARTITIONS)) throw new Error(`--eos-instances: at most ${PARTITIONS}, the input's partitions`);
type Guarantee = 'at-least-once' | 'exactly-once';
// The latency phase runs once a guarantee.
const guarantees = (flags.guarantees ?? process.env.BENCH_GUARANTEES ?? 'at-least-once,exactly-once').split(',').map((g) => g.trim());
for (const g of guarantees) if (g !== 'at-least-once' && g !== 'exactly-once') throw new Error(`--guarantees ${g}: expected at-least-once and/or exactly-once`);
/** A service contender of the throughput phase. */
interface Contender {
  readonly guarantee: Guarantee;
  readonly instances: number;
}
const contenders: readonly Contender[] = [
  ...instanceCounts.map((instances) => ({ guarantee: 'at-least-once' as const, instances })),
  ...eosInstanceCounts.map((instances) => ({ guarantee: 'exactly-once' as const, instances })),
];
const describeContender = (c: Contender): string => `${c.instances} instance${c.instances > 1 ? 's' : ''}, ${c.guarantee}`;
const short = (c: Contender): string => `x${c.instances}${c.guarantee === 'exactly-once' ? ' EOS' : ''}`;
const CUSTOMERS = 100_000;
const HIGH_AMOUNT_THRESHOLD = 1_000;
// Detection: the service is done when its group has committed up to the B sentinels (see README), or, as a
// fallback, when neither its commits nor its output have moved for this long.
const QUIET_MS = 10_000;
const POLL_MS = 100;
const internalTopicNames = (group: string): string[] => Object.values(internalTopics(group));
// How often the rebalance measure reads every member's /status.
const WATCH_MS = 50;
// After the last steady order, how long to wait for the alerts still on their way.
const LATENCY_GRACE_MS = 10_000;

const runId = `${Date.now().toString(36)}-${process.pid}`;
const prefix = `bench-${runId}`;
const logDir = `${DATA_DIR}kafka/${runId}/`;
const created: string[] = [];
const rel = (p: string): string => relative(process.cwd(), p) || '.';

interface BareRun {
  readonly kind: 'bare';
  readonly round: number;
  readonly messages: number;
  readonly elapsedMs: number;
  readonly startupMs: number;
  readonly cpuMs: number;
}

interface ServiceRun {
  readonly kind: 'service';
  readonly round: number;
  readonly elapsedMs: number;
  readonly startupMs: number;
  readonly instances: number;
  readonly guarantee: Guarantee;
  readonly detectedBy: 'drained' | 'quiet';
  readonly detectionLagMs: number;
  readonly complete: boolean;
  readonly counts: AnalyticsCounts;
  readonly deadLetters: number;
  readonly cpuMs: number | undefined;
  readonly brokerCpuMs: number | undefined;
  readonly stopMs: number;
  readonly exit: string;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
  readonly log: string;
}

// Filled in by the phases, printed at the end whatever happened.
let throughputVerdict: { ratio: number; bareSpeed: number; serviceSpeed: number; instances: number } | undefined;
let rebalanceVerdict: readonly ChangeReport[] | undefined;
let latencyVerdict: { p99: number; missing: number; count: number } | undefined;
// Each guarantee's high_amount alert latency, for the side-by-side summary.
const latencies: Array<{ guarantee: Guarantee; count: number; p50: number; p99: number; missing: number; duplicates: number }> = [];
let targetsPrinted = false;
let broker: Broker | undefined;
let kafka: Kafka | undefined;
let admin: Admin | undefined;
let cleaned = false;
const cleanUp = async (): Promise<void> => {
  if (cleaned) return;
  cleaned = true;
  killAll();
  if (admin !== undefined && !keepTopics && created.length > 0) {
    await Promise.race([admin.deleteTopics({ topics: created, timeout: 10_000 }).catch(() => undefined), sleep(15_000)]);
  }
  await admin?.disconnect().catch(() => undefined);
  broker?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the children and the broker\n`);
    killAll();
    broker?.stop();
    process.exit(1);
  });
}
process.on('exit', () => killAll());

const benchStarted = performance.now();
try {
  await main();
} catch (err) {
  process.stderr.write(`\nkafka bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  printTargets();
  await cleanUp();
  console.log(`\nbench run time: ${fixed((performance.now() - benchStarted) / 1000)} s${keepTopics ? `; topics kept: ${prefix}-*` : ''}`);
}
// kafkajs leaves sockets and timers behind after disconnecting; the report is out.
process.exit(process.exitCode ?? 0);

async function main(): Promise<void> {
  // --- Where and what ---
  const cpu = cpus();
  const args = process.argv.slice(2);
  console.log('Stream Processor: Kafka bench');
  console.log(`node ${process.version} on ${process.platform}/${process.arch}; CPU ${cpu[0]?.model ?? '?'} x ${cpu.length}; ` +
    `RAM ${fixed(totalmem() / 1e9)} GB; load average ${loadavg().map((l) => fixed(l, 2)).join(' ')}`);
  if (process.env.npm_lifecycle_event === 'bench:kafka') console.log(`command: npm run bench:kafka${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`);
  console.log(`node command: ${[process.execPath, ...process.execArgv, rel(process.argv[1] ?? ''), ...args].join(' ')}`);
  const overrides = Object.keys(process.env).filter((k) => /^(ANALYTICS|JOB|LOG)_/.test(k) || k === 'NODE_ENV');
  console.log(`service under test: ${[process.execPath, ...serviceFlags, rel(serviceMain)].join(' ')} run` +
    `${serviceMain === SERVICE_MAIN ? '' : ` (NOT this checkout's build; produce and replay use ${rel(SERVICE_MAIN)})`}`);
  if (overrides.length > 0) console.log(`service settings from the environment: ${overrides.map((k) => `${k}=${process.env[k]}`).join(' ')}`);

  mkdirSync(logDir, { recursive: true });
  broker = openBroker();
  console.log(`broker: Apache Kafka ${pinnedKafkaVersion()} (scripts/kafka/pom.xml), single node KRaft, ${broker.describe}`);
  console.log(`topics and groups of this run: ${prefix}-*; service logs in ${rel(logDir)}`);
  kafka = benchKafka(broker.bootstrap, 'kafka-bench');
  admin = kafka.admin();
  await admin.connect();

  if (only !== 'latency') await throughput(broker.bootstrap);
  if (only === 'all' || only === 'latency') for (const guarantee of guarantees as Guarantee[]) await latency(broker.bootstrap, guarantee);
}

// ---------------------------------------------------------------------------------------------------
// Throughput: the service from start to its last result, next to a bare consumer of the same topic.
// ---------------------------------------------------------------------------------------------------

async function throughput(bootstrap: string): Promise<void> {
  const a = admin as Admin;
  const k = kafka as Kafka;
  const recording = ensureRecording({ orders, customers: CUSTOMERS, seed });
  const m = recording.meta;
  const file = rel(recording.path);
  console.log(`\nrecording: ${file}`);
  console.log(`  ${recording.generated ? 'generated' : 'reused, generated earlier'} in ${fixed(m.generatedMs / 1000, 2)} s; ` +
    `${fixed(m.bytes / 1e6)} MB; ${thousands(m.orders)} orders of ${thousands(m.customers)} customers over ${m.spanHours} h, ` +
    `${thousands(m.highAmounts)} amounts > 1000`);

  // The input, once: every contender run reads it in a group of its own.
  const input = `${prefix}-orders`;
  await createTopics(a, [{ topic: input, partitions: PARTITIONS }]);
  created.push(input);
  const produceEnv = serviceEnv(bootstrap, { input, output: `${prefix}-unused-analytics`, dlq: `${prefix}-unused-dlq`, group: `${prefix}-unused` });
  const produceArgs = [SERVICE_MAIN, 'produce', recording.path];
  const t0 = performance.now();
  const produced = await runNode(produceArgs, { env: produceEnv, stderr: 'capture' });
  const produceMs = performance.now() - t0;
  const own = /produced .*/.exec(produced.stderr)?.[0] ?? '';
  await produceSentinels(k, input);
  const inputEnds = await endOffsets(a, input);
  const messages = sum(inputEnds.values());
  console.log(`\nproduce: node ${rel(SERVICE_MAIN)} produce ${file}  -> ${input} (${PARTITIONS} partitions, keyed by customerId)`);
  console.log(`  ${thousands(orders)} orders in ${fixed(produceMs / 1000, 2)} s from spawn to exit: ${thousands(orders / (produceMs / 1000))} orders/s` +
    `${own ? `  (its own count: ${own})` : ''}`);
  console.log(`  then 2 sentinel orders per partition, far in the future, at explicit partitions; the topic holds ${thousands(messages)} messages ` +
    `(${[...inputEnds].map(([p, n]) => `p${p} ${thousands(n)}`).join(', ')})`);
  if (messages !== orders + 2 * PARTITIONS) console.log(`  WARNING: expected ${orders + 2 * PARTITIONS} messages on ${input}`);

  // What the service should publish: the replay of the same file (one partition; see README for why the
  // late counts may differ a little).
  const expected = await replayCounts(recording.path);
  console.log(`replay of the same file (expected results): ${describeCounts(expected.counts)}; late dead letters ${thousands(expected.late)}; ` +
    `${fixed(expected.ms / 1000, 1)} s`);

  const reference = only !== 'rebalance' ? await timedRounds(bootstrap, input, messages, expected, recording.path) : undefined;
  if (only === 'all' || only === 'rebalance') await rebalanceRun(bootstrap, input, messages, expected.counts, reference);
}

/** The bare consumer and the service with each instance count, in turns, `rounds` times; medians and ratios. */
async function timedRounds(bootstrap: string, input: string, messages: number, expected: { counts: AnalyticsCounts; late: number }, recordingPath: string): Promise<AnalyticsCounts | undefined> {
  // --- Timed runs, taking turns ---
  const bare: BareRun[] = [];
  const producer: ProducerResult[] = [];
  const service: ServiceRun[] = [];
  console.log(`\n${rounds} round(s) of the bare consumer and the service (${contenders.map(describeContender).join('; ')}), taking turns ` +
    '(each a child process, own group, fresh output topics):');
  for (let round = 1; round <= rounds; round++) {
    // Odd rounds go bare, 1, 2, 3 instances; even rounds the other way, so that drift of a shared machine evens out.
    const turns: Array<'bare' | 'producer' | Contender> = ['bare', 'producer', ...contenders];
    for (const kind of round % 2 === 1 ? turns : turns.reverse()) {
      if (kind === 'producer') {
        const r = await bareProducerRun(bootstrap, recordingPath, round);
        producer.push(r);
        console.log(`  round ${round}  bare producer ${thousands(r.orders / (r.ms / 1000)).padStart(9)} orders/s  ${fixed(r.ms / 1000, 2).padStart(6)} s` +
          `  (${thousands(r.messages)} messages, ${thousands(r.messages / (r.ms / 1000))}/s; CPU ${fixed(r.cpuMs / 1000, 1)} s)`);
      } else if (kind === 'bare') {
        const r = await bareRun(bootstrap, input, messages, round);
        bare.push(r);
        console.log(`  round ${round}  bare          ${thousands(r.messages / (r.elapsedMs / 1000)).padStart(9)} orders/s  ${fixed(r.elapsedMs / 1000, 2).padStart(6)} s` +
          `  (first message after ${fixed(r.startupMs / 1000, 2)} s; CPU ${fixed(r.cpuMs / 1000, 1)} s)`);
      } else {
        try {
          const r = await serviceRun(bootstrap, input, round, [], kind.instances, kind.guarantee);
          service.push(r);
          printServiceRun(r, messages);
        } catch (err) {
          console.log(`  round ${round}  service ${short(kind)}  FAILED: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  // --- Medians, ratio, checks ---
  const bareSpeed = median(bare.map((r) => r.messages / (r.elapsedMs / 1000)));
  const good = (c: Contender): ServiceRun[] => service.filter((r) => r.complete && r.instances === c.instances && r.guarantee === c.guarantee);
  const speedOf = (c: Contender): number => (good(c).length > 0 ? median(good(c).map((r) => messages / (r.elapsedMs / 1000))) : NaN);
  console.log(`\nmedians (${bare.length} bare run(s); complete service runs: ${contenders.map((c) => `${good(c).length} ${short(c)}`).join(', ')}); ` +
    `${thousands(messages)} messages each:`);
  const medianOf = (runs: readonly ServiceRun[], f: (r: ServiceRun) => number | undefined, digits: number, scale = 1000): string => {
    const values = runs.flatMap((r) => { const v = f(r); return v === undefined || !Number.isFinite(v) ? [] : [v]; });
    return values.length > 0 ? fixed(median(values) / scale, digits) : 'n/a';
  };
  console.log(table([
    ['contender', 'orders/s', 'seconds', 'startup s', 'CPU s', 'service/bare'],
    ['  bare kafkajs consumer (eachBatch, count only)', thousands(bareSpeed), fixed(median(bare.map((r) => r.elapsedMs)) / 1000, 2),
      fixed(median(bare.map((r) => r.startupMs)) / 1000, 2), fixed(median(bare.map((r) => r.cpuMs)) / 1000, 1), ''],
    ['  bare producer: an order\'s routed message and one result, our sink (publishing only)', thousands(median(producer.map((r) => r.orders / (r.ms / 1000)))),
      fixed(median(producer.map((r) => r.ms)) / 1000, 2), '', fixed(median(producer.map((r) => r.cpuMs)) / 1000, 1), ''],
    ...contenders.map((c) => [
      `  service, ${describeContender(c)}: start to last result`,
      good(c).length > 0 ? thousands(speedOf(c)) : 'n/a',
      medianOf(good(c), (r) => r.elapsedMs, 2),
      medianOf(good(c), (r) => r.startupMs, 2),
      medianOf(good(c), (r) => r.cpuMs, 1),
      Number.isFinite(speedOf(c) / bareSpeed) ? fixed(speedOf(c) / bareSpeed, 2) : 'n/a',
    ]),
  ]));

  console.log('\nresults on the analytics topic vs the replay of the same file (distinct: results told apart by their whole text;');
  console.log('"= 1 instance": the same set as the first complete one-instance run, by count and fingerprint):');
  const reference = service.find((r) => r.complete && r.instances === 1 && r.guarantee === 'at-least-once')?.counts;
  const rows: string[][] = [['  ', 'hourly_sales', 'customer_stats', 'high_amount', 'velocity', 'other', 'duplicates', 'late (DLQ)', 'distinct', '= 1 instance']];
  const row = (label: string, c: AnalyticsCounts, late: number, same: string): string[] =>
    [`  ${label}`, ...[c.hourly_sales, c.customer_stats, c.high_amount, c.velocity, c.other, c.duplicates, late, c.distinct].map(thousands), same];
  const sameAs = (c: AnalyticsCounts): string =>
    reference === undefined ? 'n/a' : c.distinct === reference.distinct && c.fingerprint === reference.fingerprint ? 'yes' : 'NO';
  rows.push(row('replay (1 partition)', expected.counts, expected.late, sameAs(expected.counts)));
  for (const r of service) rows.push(row(`service ${short(r)} round ${r.round}`, r.counts, r.deadLetters, sameAs(r.counts)));
  console.log(table(rows));

  const first = contenders[0] ?? { guarantee: 'at-least-once', instances: 1 };
  throughputVerdict = { ratio: speedOf(first) / bareSpeed, bareSpeed, serviceSpeed: speedOf(first), instances: first.instances };
  if (flags.profile === true) await profileRun(bootstrap, input);
  // The results of one instance, for the membership-change run to be checked against.
  return reference;
}

function printServiceRun(r: ServiceRun, messages: number): void {
  console.log(`  round ${r.round}  service ${short(r).padEnd(6)}  ${thousands(messages / (r.elapsedMs / 1000)).padStart(9)} orders/s  ${fixed(r.elapsedMs / 1000, 2).padStart(6)} s` +
    `  (partitions after ${fixed(r.startupMs / 1000, 2)} s; CPU ${r.cpuMs === undefined ? '?' : fixed(r.cpuMs / 1000, 1)} s, ` +
    `broker CPU ${r.brokerCpuMs === undefined ? '?' : fixed(r.brokerCpuMs / 1000, 1)} s; done seen by ${r.detectedBy} +${fixed(r.detectionLagMs / 1000, 2)} s; ` +
    `SIGTERM to exit ${fixed(r.stopMs / 1000, 2)} s, ${r.exit})`);
  console.log(`           ${r.counts.total} results, ${r.deadLetters} dead letters; log ${rel(r.log)}` +
    `${r.warnings.length > 0 ? `; ${r.warnings.length} warning line(s)` : ''}${r.errors.length > 0 ? `; ${r.errors.length} error line(s), first: ${r.errors[0]}` : ''}`);
  if (!r.complete) console.log('           WARNING: the sentinel hour never fired: the run did not finish; not counted');
}

/** Two orders per partition at explicit partitions, far past the recording: A, then two hours later B. */
async function produceSentinels(k: Kafka, topic: string): Promise<void> {
  const producer = k.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const [name, timestamp] of [['a', SENTINEL_A_TIMESTAMP], ['b', SENTINEL_B_TIMESTAMP]] as const) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: PARTITIONS }, (_, p) => {
          const customerId = `bench-sentinel-${p}`;
          return { partition: p, key: customerId, value: JSON.stringify({ orderId: `bench-sentinel-${name}-${p}`, customerId, amount: 1, timestamp, items: [] }) };
        }),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function replayCounts(file: string): Promise<{ counts: AnalyticsCounts; late: number; ms: number }> {
  const out = `${logDir}replay.jsonl`;
  const dead = `${logDir}replay-dead-letters.jsonl`;
  const started = performance.now();
  await runNode([SERVICE_MAIN, 'replay', file, '--out', out, '--dead-letters', dead, '--no-progress'], { stderr: 'capture' });
  const ms = performance.now() - started;
  const counts = await countFile(out);
  const late = countLines(dead);
  rmSync(out, { force: true });
  rmSync(dead, { force: true });
  return { counts, late, ms };
}

/** The publishing ceiling (bare-producer.ts): each order's routed message and one result, over fresh topics. */
async function bareProducerRun(bootstrap: string, recordingPath: string, round: number): Promise<ProducerResult> {
  const internal = `${prefix}-r${round}-producer-internal`;
  const results = `${prefix}-r${round}-producer-results`;
  await createTopics(admin as Admin, [{ topic: internal, partitions: PARTITIONS }, { topic: results, partitions: PARTITIONS }]);
  created.push(internal, results);
  const { stdout } = await runNode([childScript('bare-producer.js'), bootstrap, recordingPath, String(orders), internal, results, String(PARTITIONS)]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProducerResult;
}

function describeCounts(c: AnalyticsCounts): string {
  return `hourly_sales ${thousands(c.hourly_sales)}, customer_stats ${thousands(c.customer_stats)}, high_amount ${thousands(c.high_amount)}, velocity ${thousands(c.velocity)}`;
}

async function bareRun(bootstrap: string, input: string, messages: number, round: number): Promise<BareRun> {
  const group = `${prefix}-r${round}-bare`;
  const spawnedAt = Date.now();
  const { stdout } = await runNode([childScript('bare-consumer.js'), bootstrap, input, group, String(messages)]);
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as BareResult;
  return { kind: 'bare', round, messages: r.messages, elapsedMs: r.doneAt - spawnedAt, startupMs: r.firstMessageAt - spawnedAt, cpuMs: r.cpuMs };
}

function serviceEnv(bootstrap: string, t: { input: string; output: string; dlq: string; group: string }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    KAFKA_INPUT_TOPIC: t.input,
    KAFKA_OUTPUT_TOPIC: t.output,
    KAFKA_DEAD_LETTER_TOPIC: t.dlq,
    KAFKA_GROUP_ID: t.group,
    KAFKA_INPUT_PARTITIONS: String(PARTITIONS),
    // Any free port, so that a service already running on 8082 does not stop the bench's.
    HTTP_PORT: '0',
  };
}

/**
 * One timed service run on fresh output topics, with `instances` processes in one group: from the first
 * spawn until the last real result was appended to the analytics topic (the broker's LogAppendTime of
 * the latest one, read back afterwards).
 */
async function serviceRun(bootstrap: string, input: string, round: number | 'profile', nodeFlags: string[], instances = 1, guarantee: Guarantee = 'at-least-once'): Promise<ServiceRun> {
  const a = admin as Admin;
  const k = kafka as Kafka;
  const name = `r${round}-n${instances}${guarantee === 'exactly-once' ? '-eos' : ''}`;
  const output = `${prefix}-${name}-analytics`;
  const dlq = `${prefix}-${name}-dlq`;
  const group = `${prefix}-${name}-service`;
  await createTopics(a, [{ topic: output, partitions: PARTITIONS, logAppendTime: true }, { topic: dlq, partitions: PARTITIONS }]);
  created.push(output, dlq, ...internalTopicNames(group));
  const brokerPid = brokerPidOf();
  const brokerCpu0 = brokerPid === undefined ? undefined : cpuMsOf(brokerPid);
  const env = { ...serviceEnv(bootstrap, { input, output, dlq, group }), PROCESSING_GUARANTEE: guarantee };
  const members = Array.from({ length: instances }, (_, i) =>
    new ServiceProcess(env, `${logDir}service-${name}${instances > 1 ? `-i${i + 1}` : ''}.log`, { main: serviceMain, nodeFlags: [...serviceFlags, ...nodeFlags] }));
  const fleet = new Fleet(members, input, group);
  const spawnedAt = Math.min(...members.map((m) => m.spawnedAt));
  let detectedBy: 'drained' | 'quiet' | undefined;
  let cpuMs: number | undefined;
  let brokerCpuMs: number | undefined;
  let stopped = false;
  try {
    let last = '';
    let lastChange = Date.now();
    let failingSince: number | undefined;
    while (detectedBy === undefined) {
      await sleep(POLL_MS);
      const gone = members.find((m) => !m.running);
      if (gone !== undefined) {
        const e = await gone.exited;
        throw new Error(`a service exited (${e.code ?? e.signal}) before it was done; first error: ${gone.errors[0] ?? 'none'}${brokerNote()}`);
      }
      let done: boolean;
      let state: string;
      try {
        done = await fleet.drained(a);
        state = `${[...(await committedOffsets(a, group, input)).values()].join(',')} ${sum((await endOffsets(a, output)).values())}`;
        failingSince = undefined;
      } catch (err) {
        // A broker hiccup (a coordinator moving, a leader election) is retried; one that lasts is not.
        failingSince ??= Date.now();
        if (Date.now() - failingSince > 30_000) throw new Error(`the bench could not read offsets or /status for 30 s: ${String(err)}${brokerNote()}`);
        continue;
      }
      if (done) {
        detectedBy = 'drained';
        break;
      }
      if (state !== last) {
        last = state;
        lastChange = Date.now();
      } else if (!state.endsWith(' 0') && Date.now() - lastChange >= QUIET_MS) {
        detectedBy = 'quiet';
      }
      if (Date.now() - spawnedAt > timeoutS * 1000) throw new Error(`not done after ${timeoutS} s (--timeout)`);
    }
    const detectedAt = Date.now();
    const cpus = members.map((m) => (m.pid === undefined ? undefined : cpuMsOf(m.pid)));
    cpuMs = cpus.some((c) => c === undefined) ? undefined : sum(cpus as number[]);
    brokerCpuMs = brokerPid === undefined || brokerCpu0 === undefined ? undefined : (cpuMsOf(brokerPid) ?? NaN) - brokerCpu0;
    const stops = await Promise.all(members.map((m) => m.stop()));
    stopped = true;
    const counts = await countTopic(k, output, `${prefix}-${name}-count`, PARTITIONS);
    const deadLetters = await countMessages(k, dlq, `${prefix}-${name}-dlq-count`, PARTITIONS);
    const assigned = members.map((m) => m.assignedAt ?? NaN);
    return {
      kind: 'service',
      round: typeof round === 'number' ? round : 0,
      instances,
      guarantee,
      elapsedMs: counts.lastRealAt - spawnedAt,
      startupMs: Math.min(...assigned) - spawnedAt,
      detectedBy,
      detectionLagMs: detectedAt - counts.lastRealAt,
      complete: counts.sentinel > 0,
      counts,
      deadLetters,
      cpuMs,
      brokerCpuMs,
      stopMs: Math.max(...stops.map((s) => s.stopMs)),
      exit: stops.map((s) => (s.killed ? 'killed after 30 s' : `exit ${s.code ?? s.signal}`)).filter((x, i, all) => all.indexOf(x) === i).join(', '),
      warnings: members.flatMap((m) => m.warnings),
      errors: members.flatMap((m) => m.errors),
      log: `${logDir}service-${name}*.log`,
    };
  } finally {
    if (!stopped) await Promise.all(members.map((m) => m.stop(5_000)));
  }
}

/**
 * The cost of membership changes, measured on one run over the same input: two instances start; at a
 * quarter of the input a third joins; at half, the second gets SIGTERM (as a rolling update does); at
 * three quarters, the third is killed with SIGKILL. Each change is watched until every task is back in
 * service (see rebalance-watch.ts) before the next may come. The results are then checked: nothing
 * missing against a single instance's (at-least-once: repeats are counted, not failed).
 */
async function rebalanceRun(bootstrap: string, input: string, messages: number, expected: AnalyticsCounts, reference?: AnalyticsCounts): Promise<void> {
  const a = admin as Admin;
  const k = kafka as Kafka;
  const output = `${prefix}-moves-analytics`;
  const dlq = `${prefix}-moves-dlq`;
  const group = `${prefix}-moves-service`;
  await createTopics(a, [{ topic: output, partitions: PARTITIONS, logAppendTime: true }, { topic: dlq, partitions: PARTITIONS }]);
  created.push(output, dlq, ...internalTopicNames(group));
  const env = serviceEnv(bootstrap, { input, output, dlq, group });
  const members: ServiceProcess[] = [];
  const spawnMember = (): void => {
    members.push(new ServiceProcess(env, `${logDir}service-moves-i${members.length + 1}.log`, { main: serviceMain, nodeFlags: serviceFlags }));
  };
  const asked = new Set<ServiceProcess>();
  const stopMember = async (i: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const m = members[i] as ServiceProcess;
    asked.add(m);
    if (signal === 'SIGKILL') m.kill();
    else await m.stop();
  };
  const fleet = new Fleet(members, input, group);
  const inputEnds = new Map([...(await endOffsets(a, input))].map(([p, end]) => [taskKey(input, p), end]));
  const holds = (m: ServiceProcess | undefined, seen: Snapshot): boolean => m !== undefined && [...seen.tasks.values()].some((t) => members[t.instance] === m);
  // Gone from the group's point of view: exited, and holding nothing in the snapshot (taken before it exited, it may).
  const gone = (m: ServiceProcess | undefined, seen: Snapshot): boolean => m !== undefined && !m.running && !holds(m, seen);
  const changes: Array<{ at: number; label: string; act: () => void; happened: (seen: Snapshot) => boolean }> = [
    { at: 0.25, label: 'join: a 3rd instance starts', act: spawnMember, happened: (seen) => holds(members[2], seen) },
    { at: 0.5, label: 'leave: SIGTERM to the 2nd (rolling update)', act: () => void stopMember(1, 'SIGTERM'), happened: (seen) => gone(members[1], seen) },
    { at: 0.75, label: 'crash: SIGKILL to the 3rd', act: () => void stopMember(2, 'SIGKILL'), happened: (seen) => gone(members[2], seen) },
  ];
  console.log(`\nmembership changes: 2 instances over ${input} (${PARTITIONS} partitions, ${thousands(messages)} messages); then ` +
    `${changes.map((c) => `at ${c.at * 100}% of the input, ${c.label}`).join('; ')}. /status of every member polled every ${WATCH_MS} ms.`);
  spawnMember();
  spawnMember();
  const spawnedAt = Date.now();
  const reports: ChangeReport[] = [];
  let stopped = false;
  try {
    let watch: RebalanceWatch | undefined;
    let watchEpoch = 0;
    let last: Snapshot | undefined;
    const limitMs = 120_000;
    while (true) {
      await sleep(WATCH_MS);
      if (Date.now() - spawnedAt > timeoutS * 1000) throw new Error(`not done after ${timeoutS} s (--timeout)`);
      const unexpected = members.find((m) => !m.running && !asked.has(m));
      if (unexpected !== undefined) {
        const e = await unexpected.exited;
        throw new Error(`an instance exited unasked (${e.code ?? e.signal}); first error: ${unexpected.errors[0] ?? 'none'}${brokerNote()}`);
      }
      const seen = await fleet.snapshot();
      if (watch !== undefined) {
        watch.observe(seen);
        if (watch.done || monoMs() - watch.startedAt > limitMs) {
          const from = watchEpoch;
          // The new owner's resume: the latest one logged for the task since the change.
          const resumedFrom = (key: string): number | undefined =>
            members.flatMap((m) => m.resumes.filter((r) => r.task === key && r.at >= from - 1_000)).sort((x, y) => x.at - y.at).pop()?.offset;
          reports.push(watch.report(resumedFrom));
          printChange(reports[reports.length - 1] as ChangeReport);
          watch = undefined;
        }
      } else if (reports.length < changes.length && last !== undefined && seen.silent.length === 0 && members.every((m) => !m.running || holds(m, seen))) {
        // Only in a settled group (every member holds tasks), so that one change is not measured mid-way through another.
        const change = changes[reports.length] as (typeof changes)[number];
        if (Fleet.inputProgress(seen, input) >= change.at * messages) {
          watch = new RebalanceWatch(change.label, seen, monoMs(), input, inputEnds, change.happened);
          watchEpoch = Date.now();
          change.act();
        }
      } else if (reports.length === changes.length && (await fleet.drained(a))) {
        break;
      }
      last = seen;
    }
    for (const m of members) asked.add(m);
    await Promise.all(members.map((m) => m.stop()));
    stopped = true;
    const counts = await countTopic(k, output, `${prefix}-moves-count`, PARTITIONS);
    console.log(`  results: ${describeCounts(counts)} (${thousands(counts.duplicates)} of them repeats)`);
    console.log(`  one instance: ${reference === undefined ? 'not run (--only rebalance)' : describeCounts(reference)}; replay: ${describeCounts(expected)}`);
    if (reference !== undefined) {
      // At-least-once: a result may come twice, none may be missing, none may differ: the sets must be equal.
      const same = counts.distinct === reference.distinct && counts.fingerprint === reference.fingerprint;
      console.log(`  distinct results: ${thousands(counts.distinct)} (fingerprint ${counts.fingerprint}) against ${thousands(reference.distinct)} ` +
        `(${reference.fingerprint}) from one instance: ${same ? 'the same set' : 'DIFFERENT'}`);
    }
    rebalanceVerdict = reports;
  } finally {
    if (!stopped) await Promise.all(members.map((m) => m.stop(5_000)));
  }
}

function printChange(r: ChangeReport): void {
  const ms = (v: number | undefined): string => (v === undefined ? 'n/a' : `${fixed(v / 1000, 2)} s`);
  console.log(`  ${r.label}: every task back in service after ${r.backMs === undefined ? `MORE than the limit (still out: ${r.missing.join(', ')})` : ms(r.backMs)}; ` +
    `kept input partitions stalled at most ${ms(r.keptInputStallMs)}; tasks per instance ${r.owners.before} -> ${r.owners.after}`);
  for (const m of r.moved) console.log(`    moved ${m.kind.padEnd(8)} ${m.key}: back after ${ms(m.backMs)}, re-read ${m.reread === undefined ? '?' : thousands(m.reread)} records`);
}

/** One more run of the service, untimed, under --cpu-prof; prints the summary of where its time went. */
async function profileRun(bootstrap: string, input: string): Promise<void> {
  const dir = `${DATA_DIR}profiles/`;
  const name = `kafka-service-${runId}.cpuprofile`;
  console.log(`\nprofile: one more service run (not timed) under node --cpu-prof --cpu-prof-interval 250 -> ${rel(dir + name)}`);
  const r = await serviceRun(bootstrap, input, 'profile', ['--cpu-prof', '--cpu-prof-interval', '250', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`]);
  console.log(`  (${fixed(r.elapsedMs / 1000, 2)} s under the profiler)`);
  const { stdout } = await runNode([`${REPO_DIR}dist/bench/profile-summary.js`, `${dir}${name}`, '--top', '15']);
  console.log(stdout.trimEnd());
}

// ---------------------------------------------------------------------------------------------------
// Latency: from producing an order above $1000 to its alert on the analytics topic, under steady load.
// ---------------------------------------------------------------------------------------------------

async function latency(bootstrap: string, guarantee: Guarantee): Promise<void> {
  const a = admin as Admin;
  const k = kafka as Kafka;
  const tag = guarantee === 'exactly-once' ? 'lat-eos' : 'lat';
  const input = `${prefix}-${tag}-orders`;
  const output = `${prefix}-${tag}-analytics`;
  const dlq = `${prefix}-${tag}-dlq`;
  await createTopics(a, [{ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS }, { topic: dlq, partitions: PARTITIONS }]);
  created.push(input, output, dlq);
  console.log(`\nlatency, ${guarantee}: ${thousands(rate)} orders/s for ${durationS} s to ${input} (one request every ${tickMs} ms), 1 in ${alertEvery} above ` +
    `$${HIGH_AMOUNT_THRESHOLD}; from the send() call to the high_amount alert arriving at a (read_committed) consumer of the analytics topic`);
  const log = `${logDir}service-${tag}.log`;
  const env = { ...serviceEnv(bootstrap, { input, output, dlq, group: `${prefix}-${tag}-service` }), PROCESSING_GUARANTEE: guarantee };
  const service = new ServiceProcess(env, log, { main: serviceMain, nodeFlags: serviceFlags });

  // The bench's own consumer of the analytics topic: receive times by orderId.
  const received = new Map<string, number>();
  const counts = { messages: 0, highAmount: 0, duplicates: 0, other: 0 };
  const watch = k.consumer({ groupId: `${prefix}-${tag}-watch`, allowAutoTopicCreation: false });
  let joined: () => void = () => undefined;
  const isJoined = new Promise<void>((resolve) => (joined = resolve));
  watch.on(watch.events.GROUP_JOIN, () => joined());
  try {
    await watch.connect();
    await watch.subscribe({ topics: [output], fromBeginning: true });
    await watch.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const at = monoMs();
        for (const m of batch.messages) {
          counts.messages += 1;
          const text = m.value?.toString('utf8') ?? '';
          if (!text.includes('"high_amount"')) {
            counts.other += 1;
            continue;
          }
          const id = (JSON.parse(text) as { order_id?: string }).order_id ?? '';
          counts.highAmount += 1;
          if (received.has(id)) counts.duplicates += 1;
          else received.set(id, at);
        }
      },
    });
    await Promise.all([isJoined, service.whenAssigned(60_000)]);
    console.log(`  service had its partitions ${fixed(((service.assignedAt ?? Date.now()) - service.spawnedAt) / 1000, 2)} s after spawn; log ${rel(log)}`);

    const producerArgs: SteadyProducerArgs = {
      brokers: bootstrap, topic: input, rate, durationMs: durationS * 1000, tickMs, alertEvery, alertThreshold: HIGH_AMOUNT_THRESHOLD,
      customers: 1_000_000, seed, runId,
    };
    // CPU time over the run, to see whether the machine had cores to spare.
    const brokerPid = brokerPidOf();
    const cpu0 = { service: service.pid === undefined ? undefined : cpuMsOf(service.pid), broker: brokerPid === undefined ? undefined : cpuMsOf(brokerPid), bench: process.cpuUsage() };
    const wall0 = monoMs();
    const { stdout } = await runNode([childScript('steady-producer.js'), JSON.stringify(producerArgs)]);
    const sent = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as SteadyProducerResult;
    const cpuUsed = {
      service: cpu0.service === undefined || service.pid === undefined ? NaN : (cpuMsOf(service.pid) ?? NaN) - cpu0.service,
      broker: cpu0.broker === undefined || brokerPid === undefined ? NaN : (cpuMsOf(brokerPid) ?? NaN) - cpu0.broker,
      bench: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpu0.bench)),
      producer: sent.cpuMs,
      wall: monoMs() - wall0,
    };
    const graceUntil = monoMs() + LATENCY_GRACE_MS;
    while (received.size < sent.alerts.length && monoMs() < graceUntil && service.running) await sleep(50);

    const startedAt = sent.startedAtMono;
    const missing = sent.alerts.filter(([id]) => !received.has(id)).length;
    const latencyOf = (from: number, to: number): number[] =>
      sent.alerts.flatMap(([id, at]) => (received.has(id) && at - startedAt >= from * 1000 && at - startedAt < to * 1000 ? [(received.get(id) as number) - at] : []));
    const steady = latencyOf(warmupS, Infinity).sort((x, y) => x - y);
    const hour = 3_600_000;
    const crossedHour = Math.floor(sent.startedAtEpochMs / hour) !== Math.floor((sent.startedAtEpochMs + sent.elapsedMs + LATENCY_GRACE_MS) / hour);
    console.log(`  sent ${thousands(sent.sent)} orders in ${fixed(sent.elapsedMs / 1000, 2)} s (${thousands(sent.sent / (sent.elapsedMs / 1000))}/s, ` +
      `${thousands(sent.requests)} produce requests, at most ${thousands(sent.maxBehind)} orders behind schedule)` +
      `${sent.errors.length > 0 ? `; send errors: ${sent.errors.join('; ')}` : ''}`);
    console.log(`  analytics topic: ${thousands(counts.messages)} messages, ${thousands(counts.highAmount)} high_amount alerts ` +
      `(${counts.duplicates} duplicates), ${thousands(counts.other)} others; ${missing} alert(s) never arrived`);
    if (crossedHour) console.log('  NOTE: the run crossed a full hour of the wall clock: the hourly windows fired during it (a burst of output)');
    const stats = (label: string, values: number[]): string[] => {
      const v = [...values].sort((x, y) => x - y);
      const pct = (p: number): number => v[Math.max(0, Math.ceil(p * v.length) - 1)] ?? NaN;
      return [`  ${label}`, thousands(v.length), fixed(pct(0.5), 1), fixed(pct(0.9), 1), fixed(pct(0.99), 1), fixed(v[v.length - 1] ?? NaN, 1), fixed(sum(v) / v.length, 1)];
    };
    console.log(table([
      ['  high_amount alert, send() to arrival', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms'],
      ...(warmupS > 0 ? [stats(`steady: sent after the first ${warmupS} s`, steady), stats(`warm-up: sent in the first ${warmupS} s`, latencyOf(0, warmupS))] : []),
      stats('all', latencyOf(0, Infinity)),
    ]));
    const p99 = steady[Math.max(0, Math.ceil(0.99 * steady.length) - 1)] ?? NaN;
    const slowest = sent.alerts
      .flatMap(([id, at]) => (received.has(id) ? [{ ms: (received.get(id) as number) - at, into: at - startedAt }] : []))
      .sort((x, y) => y.ms - x.ms)
      .slice(0, 5);
    console.log(`  slowest: ${slowest.map((x) => `${fixed(x.ms, 1)} ms (sent at +${fixed(x.into / 1000, 1)} s)`).join(', ')}`);
    const cores = cpus().length;
    console.log(`  CPU seconds while producing (${fixed(cpuUsed.wall / 1000, 1)} s of wall time, ${cores} cores): service ${fixed(cpuUsed.service / 1000, 1)}, ` +
      `broker ${fixed(cpuUsed.broker / 1000, 1)}, steady producer ${fixed(cpuUsed.producer / 1000, 1)} (whole process), bench consumer ${fixed(cpuUsed.bench / 1000, 1)}; ` +
      `${fixed(((cpuUsed.service + cpuUsed.broker + cpuUsed.producer + cpuUsed.bench) / (cpuUsed.wall * cores)) * 100, 0)}% of the machine`);
    if (guarantee === 'at-least-once') latencyVerdict = { p99, missing, count: steady.length };
    latencies.push({ guarantee, count: steady.length, p50: steady[Math.max(0, Math.ceil(0.5 * steady.length) - 1)] ?? NaN, p99, missing, duplicates: counts.duplicates });
  } finally {
    await watch.disconnect().catch(() => undefined);
    const stop = await service.stop();
    console.log(`  service: SIGTERM to exit ${fixed(stop.stopMs / 1000, 2)} s, ${stop.killed ? 'killed' : `exit ${stop.code ?? stop.signal}`}` +
      `${service.errors.length > 0 ? `; ${service.errors.length} error line(s), first: ${service.errors[0]}` : ''}`);
  }
}

function printTargets(): void {
  if (targetsPrinted) return;
  targetsPrinted = true;
  console.log('\ntargets:');
  if (throughputVerdict !== undefined) {
    const { ratio, instances } = throughputVerdict;
    console.log(`  service (${instances} instance${instances > 1 ? 's' : ''})/bare consumer speed >= ${MIN_SPEED_RATIO}: ${Number.isFinite(ratio) ? fixed(ratio, 2) : 'n/a'}  ${verdict(ratio >= MIN_SPEED_RATIO)}`);
  }
  if (rebalanceVerdict !== undefined) {
    const ms = (v: number | undefined): string => (v === undefined ? 'not back' : `${fixed(v / 1000, 2)} s`);
    console.log(`  (no target) every task back in service after: ${rebalanceVerdict.map((r) => `${r.label.split(':')[0]} ${ms(r.backMs)}`).join(', ')}`);
  }
  if (latencyVerdict !== undefined) {
    const { p99, missing, count } = latencyVerdict;
    const ok = p99 < MAX_ALERT_P99_MS && missing === 0 && count > 0;
    console.log(`  high_amount alert p99 < ${MAX_ALERT_P99_MS} ms${warmupS > 0 ? ` (steady, after the first ${warmupS} s)` : ''}: ${fixed(p99, 1)} ms${missing > 0 ? ` (${missing} alert(s) never arrived)` : ''}  ${verdict(ok)}`);
  }
  if (latencies.length > 0) {
    console.log(`  (no target) high_amount alert latency by guarantee, steady, at ${thousands(rate)} orders/s:`);
    console.log(table([
      ['    guarantee', 'alerts', 'p50 ms', 'p99 ms', 'never arrived', 'duplicates'],
      ...latencies.map((l) => [`    ${l.guarantee}`, thousands(l.count), fixed(l.p50, 1), fixed(l.p99, 1), String(l.missing), String(l.duplicates)]),
    ]));
  }
}

// ---------------------------------------------------------------------------------------------------

/** CPU time (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command; in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Whether the broker we run is still alive, for error messages. */
function brokerNote(): string {
  const pid = brokerPidOf();
  if (broker?.ours !== true) return '';
  return pid !== undefined && cpuMsOf(pid) !== undefined ? '' : ' (the broker process is gone: something stopped it)';
}

function brokerPidOf(): number | undefined {
  return broker?.pid();
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${text}`);
  return n;
}
