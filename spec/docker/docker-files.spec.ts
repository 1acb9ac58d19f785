import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { abortFilterIsSound, type AbortFilter } from '../../lib/io/kafka/read-committed.js';
import { REPO, tempDir } from '../helpers/cli.js';

/**
 * docker/Dockerfile, the root .dockerignore and docker/docker-compose.yml, checked without a Docker
 * engine: their structure, and the image's stages replayed for real in a temp dir (COPY with the
 * .dockerignore applied, RUN through `sh -c`), then the image's entrypoint run there.
 */

// ---- Dockerfile, read as the builder does (the subset docker/Dockerfile keeps to) ----

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly steps: readonly Instruction[];
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    // Comments and blank lines are dropped, also between the lines of a continued instruction.
    if (/^\s*#/.test(line) || (pending === '' && line.trim() === '')) return;
    if (pending === '') start = i + 1;
    if (/\\\s*$/.test(line)) {
      pending += `${line.replace(/\\\s*$/, '')} `;
      return;
    }
    const whole = `${pending}${line}`.trim();
    pending = '';
    const space = whole.search(/\s/);
    out.push({ keyword: (space < 0 ? whole : whole.slice(0, space)).toUpperCase(), args: space < 0 ? '' : whole.slice(space).trim(), line: start });
  });
  return out;
}

function stagesOf(text: string): Stage[] {
  const stages: Array<{ image: string; name: string | undefined; steps: Instruction[] }> = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/);
      expect(image, `line ${ins.line}`).to.be.a('string');
      stages.push({ image: image ?? '', name: as?.toUpperCase() === 'AS' ? name : undefined, steps: [] });
    } else {
      const current = stages[stages.length - 1];
      if (current === undefined) throw new Error(`line ${ins.line}: ${ins.keyword} before any FROM`);
      current.steps.push(ins);
    }
  }
  return stages;
}

/** `--flag=value`s, then the rest. */
function splitFlags(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args;
  for (let m = /^--([\w-]+)=(\S+)\s*/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s*/.exec(rest)) {
    flags.set(m[1] ?? '', m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** An exec-form (JSON array) argument list; null for the shell form. */
function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not a JSON array of strings: ${args}`);
  return parsed as string[];
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

function copyOf(ins: Instruction): Copy {
  const { flags, rest } = splitFlags(ins.args);
  const words = execForm(rest) ?? rest.split(/\s+/);
  expect(words.length, `line ${ins.line}: COPY needs a source and a destination`).to.be.at.least(2);
  return { from: flags.get('from'), sources: words.slice(0, -1), dest: words[words.length - 1] ?? '' };
}

const only = (stage: Stage, keyword: string): Instruction[] => stage.steps.filter((s) => s.keyword === keyword);
const last = (stage: Stage, keyword: string): Instruction | undefined => only(stage, keyword).pop();

/** `ENV A=1 B=2` (the only ENV form used here). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of only(stage, 'ENV')) {
    for (const pair of ins.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`line ${ins.line}: write ENV as KEY=VALUE`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

// ---- .dockerignore, matched as the builder does for simple patterns ----

function ignoreRules(text: string): Array<{ re: RegExp; keep: boolean }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const keep = l.startsWith('!');
      const pattern = posix.normalize((keep ? l.slice(1) : l).trim().replace(/^\/+/, ''));
      const body = pattern
        .split(/(\*\*|\*|\?)/)
        .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { re: new RegExp(`^${body}$`), keep };
    });
}

/** Whether a context path (relative, with /) is sent: the last rule matching it or a parent folder decides. */
function inContext(rules: ReturnType<typeof ignoreRules>, path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let sent = true;
  for (const rule of rules) if (candidates.some((c) => rule.re.test(c))) sent = rule.keep;
  return sent;
}

// ---- the stages, replayed in temp dirs ----

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** A RUN failed because the npm registry could not be reached: the one reason to skip the replay. */
class Unreachable extends Error {}

/** This machine's environment for RUN steps, less what `npm test` and the Kafka specs put in it. */
function runEnv(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_(lifecycle|package|command|config_local_prefix|config_call)|INIT_CWD$|NODE_ENV$|KAFKA_)/i.test(k)) continue;
    env[k] = v;
  }
  // Served from npm's local cache when it has the lockfile's tarballs; the lockfile decides either way.
  return { ...env, ...stageEnv, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

/**
 * Replays each stage in its own folder, standing for the stage's WORKDIR: COPY from the build context
 * (REPO, through .dockerignore) or from an earlier stage, RUN with `sh -c` there. Returns the folders.
 */
async function replay(stages: readonly Stage[], root: string, rules: ReturnType<typeof ignoreRules>): Promise<Map<Stage, string>> {
  const dirs = new Map<Stage, string>();
  const workdirs = new Map<Stage, string>();
  for (const [index, stage] of stages.entries()) {
    const dir = join(root, `stage-${index}`);
    mkdirSync(dir, { recursive: true });
    dirs.set(stage, dir);
    let workdir: string | undefined;
    const env: Record<string, string> = {};
    for (const ins of stage.steps) {
      const where = `Dockerfile line ${ins.line}`;
      switch (ins.keyword) {
        case 'WORKDIR':
          if (workdir !== undefined || !ins.args.startsWith('/')) throw new Error(`${where}: one absolute WORKDIR per stage, before its COPY and RUN`);
          workdir = ins.args;
          workdirs.set(stage, workdir);
          break;
        case 'ENV':
          Object.assign(env, envOf({ image: '', name: undefined, steps: [ins] }));
          break;
        case 'COPY': {
          if (workdir === undefined) throw new Error(`${where}: COPY before WORKDIR`);
          const copy = copyOf(ins);
          const destAbs = posix.resolve(workdir, copy.dest);
          const dest = join(dir, posix.relative(workdir, destAbs));
          if (posix.relative(workdir, destAbs).startsWith('..')) throw new Error(`${where}: destination outside WORKDIR`);
          const toDir = copy.dest.endsWith('/') || copy.sources.length > 1;
          for (const source of copy.sources) {
            let from: string;
            if (copy.from !== undefined) {
              const earlier = stages.find((s) => s.name === copy.from);
              const earlierDir = earlier && dirs.get(earlier);
              const earlierWorkdir = earlier && workdirs.get(earlier);
              if (!earlierDir || !earlierWorkdir) throw new Error(`${where}: no earlier stage '${copy.from}'`);
              const rel = posix.relative(earlierWorkdir, posix.resolve(earlierWorkdir, source));
              if (rel.startsWith('..')) throw new Error(`${where}: ${source} is outside stage ${copy.from}'s WORKDIR`);
              from = join(earlierDir, rel);
            } else {
              const rel = posix.normalize(source).replace(/^\.?\/+/, '');
              if (rel.startsWith('..') || /[*?[]/.test(rel)) throw new Error(`${where}: write context sources as plain paths inside it`);
              if (!inContext(rules, rel)) throw new Error(`${where}: ${source} is excluded by .dockerignore`);
              from = join(REPO, rel);
            }
            if (!existsSync(from)) throw new Error(`${where}: ${source} not found`);
            const target = toDir ? (statSync(from).isDirectory() ? dest : join(dest, basename(from))) : dest;
            mkdirSync(statSync(from).isDirectory() ? target : dirname(target), { recursive: true });
            cpSync(from, target, {
              recursive: true,
              filter: (path) => copy.from !== undefined || inContext(rules, relative(REPO, path).split('\\').join('/')),
            });
          }
          break;
        }
        case 'RUN': {
          if (workdir === undefined) throw new Error(`${where}: RUN before WORKDIR`);
          const argv = execForm(ins.args) ?? ['sh', '-c', ins.args];
          const result = await run(argv[0] ?? '', argv.slice(1), dir, runEnv(env));
          if (result.code !== 0) {
            const output = `${result.stdout}${result.stderr}`;
            if (/npm/.test(ins.args) && /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/.test(output)) throw new Unreachable(output);
            throw new Error(`${where}: RUN ${ins.args} exited ${result.code}\n${output}`);
          }
          break;
        }
        case 'USER':
        case 'EXPOSE':
        case 'HEALTHCHECK':
        case 'ENTRYPOINT':
        case 'CMD':
        case 'LABEL':
          break; // image metadata: checked below, nothing to replay
        default:
          throw new Error(`${where}: ${ins.keyword} is outside what this spec replays; extend it or do without`);
      }
    }
  }
  return dirs;
}

// ---- the compose file, parsed by mocha's own YAML parser (the test runner is always installed here) ----

const yaml = { load: loadYaml };

interface Service {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly command?: string | string[];
  readonly environment?: Record<string, string | number | boolean>;
  readonly ports?: Array<string | number>;
  readonly depends_on?: Record<string, { readonly condition?: string }>;
  readonly healthcheck?: { readonly test?: string | string[]; readonly disable?: boolean };
}

const DOCKERFILE = readFileSync(join(REPO, 'docker/Dockerfile'), 'utf8');
const COMPOSE_TEXT = readFileSync(join(REPO, 'docker/docker-compose.yml'), 'utf8');
const IGNORE = ignoreRules(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const KAFKA_DEFAULTS = (JSON.parse(readFileSync(join(REPO, 'config/default.json'), 'utf8')) as {
  kafka: { inputTopic: string; outputTopic: string; deadLetterTopic: string; inputPartitions: number };
}).kafka;
const golden = readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8');

const stages = stagesOf(DOCKERFILE);
const runtime = stages[stages.length - 1] as Stage;
const build = stages.find((s) => s.name === 'build');
const compose = yaml.load(COMPOSE_TEXT) as { name?: string; services: Record<string, Service> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service '${name}'`);
  return s;
};
const words = (command: string | string[] | undefined): string[] => (Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean));
const script = (s: Service): string => words(s.command).join(' ');
const stringEnv = (s: Service): Record<string, string> => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('docker/Dockerfile', () => {
  it('builds in a named build stage and runs from a second one, both on the same pinned Node 20 image', () => {
    expect(stages.map((s) => s.name)).to.deep.equal(['build', undefined]);
    for (const s of stages) expect(s.image).to.match(/^node:20(\.\d+){0,2}-[a-z]+(-slim)?$/, 'a Node 20 tag, never latest');
    expect(runtime.image).to.equal(build?.image);
  });

  it('compiles with every dependency in the build stage', () => {
    const runs = only(build as Stage, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /^npm ci\b/.test(r)), runs.join('\n')).to.equal(true);
    expect(runs.some((r) => /\bnpm run build\b|\btsc\b/.test(r)), runs.join('\n')).to.equal(true);
    expect(runs.join('\n')).not.to.match(/--omit=dev|--production/);
  });

  it('installs production dependencies only at runtime, without running prepare, and takes nothing else from the build', () => {
    const runs = only(runtime, 'RUN').map((r) => r.args);
    expect(runs).to.have.length(1);
    expect(runs[0]).to.match(/^npm ci\b/);
    expect(runs[0]).to.contain('--omit=dev').and.to.contain('--ignore-scripts');
    const copies = only(runtime, 'COPY').map(copyOf);
    // node_modules are installed, not copied: but for kafkajs, as the build stage patched it (patches/).
    const fromBuild = copies.filter((c) => c.from !== undefined);
    for (const c of copies.filter((x) => x.from === undefined)) for (const source of c.sources) expect(source, 'node_modules are installed, not copied').not.to.match(/node_modules/);
    expect(fromBuild.map((c) => c.from)).to.deep.equal(['build', 'build']);
    expect(fromBuild.flatMap((c) => c.sources)).to.deep.equal(['/app/node_modules/kafkajs', '/app/dist/lib']);
    expect(only(build as Stage, 'RUN').map((r) => r.args).join('\n')).to.match(/\bpatch-package\b/);
  });

  it('runs as the non-root node user, in production, with port 8082 exposed', () => {
    const users = only(runtime, 'USER');
    expect(users.map((u) => u.args)).to.deep.equal(['node']);
    expect(envOf(runtime)).to.deep.include({ NODE_ENV: 'production' });
    expect(only(runtime, 'EXPOSE').map((e) => e.args)).to.deep.equal(['8082']);
  });

  it('checks health on /healthz with node itself (no curl in the slim image)', () => {
    const hc = only(runtime, 'HEALTHCHECK');
    expect(hc).to.have.length(1);
    const { flags, rest } = splitFlags((hc[0] as Instruction).args);
    for (const f of ['interval', 'timeout', 'start-period', 'retries']) expect(flags.has(f), f).to.equal(true);
    expect(rest).to.match(/^CMD /);
    const argv = execForm(rest.replace(/^CMD\s+/, ''));
    expect(argv?.[0]).to.equal('node');
    expect(argv?.join(' ')).to.contain('http://127.0.0.1:8082/healthz');
  });

  it('starts the CLI of package.json in exec form (node is PID 1 and gets SIGTERM itself), `run` by default', () => {
    expect(execForm(last(runtime, 'ENTRYPOINT')?.args ?? '')).to.deep.equal(['node', PACKAGE.bin['stream-processor']]);
    expect(execForm(last(runtime, 'CMD')?.args ?? '')).to.deep.equal(['run']);
  });

  it('HEALTHCHECK command: exits 0 when /healthz answers 200, 1 when it answers 503 or nothing listens', async function () {
    this.timeout(20_000);
    const argv = execForm(splitFlags((last(runtime, 'HEALTHCHECK') as Instruction).args).rest.replace(/^CMD\s+/, '')) as string[];
    // The very command, with the port swapped for a free one.
    const probe = async (port: number): Promise<number | null> =>
      (await run(process.execPath, argv.slice(1).map((a) => a.replace('127.0.0.1:8082', `127.0.0.1:${port}`)), REPO, { PATH: process.env.PATH })).code;
    let status = 200;
    const server: Server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await probe(port)).to.equal(0);
      status = 503;
      expect(await probe(port)).to.equal(1);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
    expect(await probe(port)).to.equal(1);
  });
});

describe('.dockerignore (build context: the repository root)', () => {
  it('sends every file the Dockerfile copies from the context', () => {
    for (const c of stages.flatMap((s) => only(s, 'COPY').map(copyOf)).filter((c) => c.from === undefined)) {
      for (const source of c.sources) expect(inContext(IGNORE, source.replace(/^\.\//, '')), source).to.equal(true);
    }
  });

  it('keeps out local builds, dependencies, Kafka data and git', () => {
    for (const path of ['node_modules/rxjs/package.json', 'dist/lib/cli/main.js', '.kafka/lib', 'bench-data', '.git/HEAD', 'spec/cli/cli.spec.ts']) {
      expect(inContext(IGNORE, path), path).to.equal(false);
    }
  });
});

describe('docker/docker-compose.yml', () => {
  const bootstrap = 'kafka:9092';

  it('names the project and has exactly Kafka, the topic creation, the service and the generator', () => {
    expect(compose.name).to.equal('stream-processor');
    expect(Object.keys(services)).to.have.members(['kafka', 'kafka-init', 'stream-processor', 'generator']);
  });

  it('leaves nothing to variable interpolation ($ would be substituted by compose)', () => {
    expect(COMPOSE_TEXT.replace(/\$\$/g, '')).not.to.contain('$');
  });

  it('runs Kafka from the apache/kafka image, pinned to the major version of scripts/kafka/pom.xml', () => {
    const pinned = /<kafka\.version>(\d+)\.[^<]+<\/kafka\.version>/.exec(readFileSync(join(REPO, 'scripts/kafka/pom.xml'), 'utf8'))?.[1];
    expect(pinned).to.be.a('string');
    expect(service('kafka').image).to.match(new RegExp(`^apache/kafka:${pinned}\\.\\d+\\.\\d+$`));
    expect(service('kafka-init').image).to.equal(service('kafka').image);
  });

  it('configures a single KRaft node whose advertised listener is what the apps bootstrap from', () => {
    const env = stringEnv(service('kafka'));
    expect(env.KAFKA_PROCESS_ROLES?.split(',')).to.have.members(['broker', 'controller']);
    expect(env.KAFKA_NODE_ID).to.equal('1');
    expect(env.KAFKA_ADVERTISED_LISTENERS).to.equal(`PLAINTEXT://${bootstrap}`);
    const controllerPort = /CONTROLLER:\/\/[^:,]*:(\d+)/.exec(env.KAFKA_LISTENERS ?? '')?.[1];
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).to.equal(`1@kafka:${controllerPort}`);
    expect(env.KAFKA_LISTENERS).to.contain('PLAINTEXT://:9092');
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).to.equal('CONTROLLER');
    for (const [k, v] of Object.entries(env)) if (/_(REPLICATION_FACTOR|MIN_ISR)$/.test(k)) expect(v, k).to.equal('1');
    expect(Object.keys(env).filter((k) => k.endsWith('_REPLICATION_FACTOR'))).to.have.length.at.least(2);
    expect(words(service('kafka').healthcheck?.test).join(' ')).to.contain('kafka-broker-api-versions.sh --bootstrap-server localhost:9092');
  });

  it('creates the topics of config/default.json, the input with its partitions, once Kafka is healthy', () => {
    const init = service('kafka-init');
    expect(init.depends_on?.kafka?.condition).to.equal('service_healthy');
    const text = script(init);
    for (const topic of [KAFKA_DEFAULTS.inputTopic, KAFKA_DEFAULTS.outputTopic, KAFKA_DEFAULTS.deadLetterTopic]) {
      const line = text.split('\n').find((l) => l.includes(`--topic ${topic} `));
      expect(line, topic).to.be.a('string');
      expect(line).to.contain('/opt/kafka/bin/kafka-topics.sh').and.contain(`--bootstrap-server ${bootstrap}`).and.contain('--create --if-not-exists');
      expect(line).to.contain(`--partitions ${KAFKA_DEFAULTS.inputPartitions} `).and.contain('--replication-factor 1');
    }
    expect(KAFKA_DEFAULTS.inputTopic).to.equal('orders');
    expect(KAFKA_DEFAULTS.inputPartitions).to.equal(3);
    expect(text).to.match(/set -e/);
  });

  it('builds the service and the generator from the repository root with docker/Dockerfile, after the topics exist', () => {
    for (const name of ['stream-processor', 'generator']) {
      const s = service(name);
      expect(s.image, `${name}: built here, never pulled`).to.equal(undefined);
      const context = resolve(REPO, 'docker', s.build?.context ?? '.');
      expect(context, name).to.equal(resolve(REPO));
      expect(existsSync(join(context, s.build?.dockerfile ?? 'Dockerfile')), name).to.equal(true);
      expect(resolve(context, s.build?.dockerfile ?? '')).to.equal(join(REPO, 'docker/Dockerfile'));
      expect(s.depends_on?.['kafka-init']?.condition, name).to.equal('service_completed_successfully');
      expect(stringEnv(s).KAFKA_BOOTSTRAP_SERVERS, name).to.equal(bootstrap);
    }
    expect(service('stream-processor').command, 'the image CMD (run)').to.equal(undefined);
    expect(service('stream-processor').ports?.map(String)).to.deep.equal(['127.0.0.1:8082:8082']);
    expect(words(service('generator').command)).to.deep.equal(['generate', '--rate', '50']);
    expect(service('generator').healthcheck?.disable, 'generate serves no /healthz').to.equal(true);
  });
});

describe('the image, replayed without Docker', function () {
  // Two `npm ci` (the build's, the runtime's) and a compile: ~20 s from npm's cache, more from the network.
  this.timeout(300_000);
  let root: string;
  let app: string;
  let entrypoint: string[];

  before(async function () {
    root = tempDir();
    try {
      app = (await replay(stages, root, IGNORE)).get(runtime) as string;
    } catch (e) {
      if (e instanceof Unreachable) this.skip();
      throw e;
    }
    const [node, ...rest] = execForm(last(runtime, 'ENTRYPOINT')?.args ?? '') ?? [];
    expect(node).to.equal('node');
    entrypoint = [process.execPath, ...rest];
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The container's process: the image's ENV only, no Kafka unless given. */
  const container = (args: readonly string[], env: Record<string, string> = {}): Promise<Ran> =>
    run(entrypoint[0] ?? '', [...entrypoint.slice(1), ...args], app, { PATH: process.env.PATH, ...envOf(runtime), ...env });

  it('holds production dependencies only', () => {
    for (const dep of Object.keys(PACKAGE.dependencies)) expect(existsSync(join(app, 'node_modules', dep, 'package.json')), dep).to.equal(true);
    for (const dep of Object.keys(PACKAGE.devDependencies)) expect(existsSync(join(app, 'node_modules', dep)), dep).to.equal(false);
    // Nor anything the lockfile marks dev-only (TypeScript's native compiler, mocha's tree, ...).
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.dev === true);
    expect(devOnly.length).to.be.greaterThan(0);
    for (const [path] of devOnly) expect(existsSync(join(app, path, 'package.json')), path).to.equal(false);
    expect(readdirSync(app).sort()).to.deep.equal(['config', 'dist', 'examples', 'lib', 'node_modules', 'package-lock.json', 'package.json']);
    expect(readdirSync(join(app, 'dist'))).to.deep.equal(['lib']);
    // lib/: the console's page alone, which the service serves as it is.
    expect(readdirSync(join(app, 'lib/console/page')).sort()).to.deep.equal(['console.css', 'console.js', 'index.html']);
  });

  it('holds kafkajs as patched: its read_committed filter keeps out records of aborted transactions (exactly-once needs it)', () => {
    const filter = createRequire(import.meta.url)(join(app, 'node_modules/kafkajs/src/consumer/filterAbortedMessages.js')) as AbortFilter;
    expect(abortFilterIsSound(filter)).to.equal(true);
  });

  it('start, with no Kafka configured, replays the bundled sample and prints its analytics', async () => {
    const result = await container(['start']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(golden);
    expect(result.stderr).to.match(/records\s+40 \(orders 29, \d+ orders\/s\)/);
  });

  it('the default command (run) without Kafka stops with one line naming KAFKA_BOOTSTRAP_SERVERS', async () => {
    const result = await container(execForm(last(runtime, 'CMD')?.args ?? '') ?? []);
    expect(result.code).to.equal(2);
    expect(result.stderr.trim()).to.equal('stream-processor: run: needs Kafka (set KAFKA_BOOTSTRAP_SERVERS or --bootstrap-servers host:port)');
  });

  it("takes the compose services' commands and environment", async () => {
    // The generator's flags parse: without Kafka the only complaint is the missing Kafka.
    const gen = await container(words(service('generator').command));
    expect(gen.code).to.equal(2);
    expect(gen.stderr).to.contain('generate: needs Kafka');
    for (const name of ['stream-processor', 'generator']) {
      const config = await container(['config'], stringEnv(service(name)));
      expect(config.code, config.stderr).to.equal(0);
      expect(config.stdout).to.match(/kafka\.bootstrapServers\s+"kafka:9092"\s+\(env KAFKA_BOOTSTRAP_SERVERS\)/);
    }
  });
});
