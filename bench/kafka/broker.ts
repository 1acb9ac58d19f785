import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The broker the bench talks to: KAFKA_BOOTSTRAP_SERVERS when set, else a single-node KRaft broker of
 * scripts/kafka/kafka.sh on its own ports (not the test suite's 19092/19093), stopped again at the end.
 */
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = `${REPO_DIR}scripts/kafka/kafka.sh`;
const POM = `${REPO_DIR}scripts/kafka/pom.xml`;
export const BENCH_KAFKA_PORT = 29092;
export const BENCH_KAFKA_CONTROLLER_PORT = 29093;

export interface Broker {
  readonly bootstrap: string;
  /** True when this bench started it (and so must stop it). */
  readonly ours: boolean;
  readonly describe: string;
  /** The broker's JVM, when the bench runs it (for its CPU time). */
  pid(): number | undefined;
  stop(): void;
}

/** The Kafka version scripts/kafka/pom.xml pins: what kafka.sh runs. */
export function pinnedKafkaVersion(): string {
  try {
    return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

export function openBroker(): Broker {
  const given = process.env.KAFKA_BOOTSTRAP_SERVERS?.trim();
  if (given) {
    return { bootstrap: given, ours: false, describe: `${given} (KAFKA_BOOTSTRAP_SERVERS; not started by the bench)`, pid: () => undefined, stop: () => undefined };
  }
  const env = { ...process.env, KAFKA_PORT: String(BENCH_KAFKA_PORT), KAFKA_CONTROLLER_PORT: String(BENCH_KAFKA_CONTROLLER_PORT) };
  // One left running (an earlier bench that was killed) is used, and stopped at the end like our own.
  const already = spawnSync('bash', [SCRIPT, 'status'], { env, stdio: 'ignore' }).status === 0;
  const started = performance.now();
  const out = execFileSync('bash', [SCRIPT, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const bootstrap = out.trim().split('\n').pop()?.trim() ?? '';
  if (!/^[\w.-]+:\d+$/.test(bootstrap)) throw new Error(`kafka.sh start printed no bootstrap address: ${JSON.stringify(out)}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let stopped = false;
  return {
    bootstrap,
    ours: true,
    describe: `${bootstrap} (kafka.sh, ${already ? 'already running, reused' : `started by the bench in ${seconds} s`}; stopped at the end)`,
    pid() {
      const home = process.env.KAFKA_HOME_DIR ?? `${REPO_DIR}.kafka`;
      const dataDir = process.env.KAFKA_DATA_DIR ?? `${home}/data-${BENCH_KAFKA_PORT}`;
      try {
        const pid = Number(readFileSync(`${dataDir}/kafka.pid`, 'utf8').trim());
        return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync('bash', [SCRIPT, 'stop'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}
