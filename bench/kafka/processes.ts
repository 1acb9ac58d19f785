import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPO_DIR } from './broker.js';

/**
 * The bench's child processes: every one is registered here, so that whatever happens (an error, Ctrl-C)
 * none outlives the bench. They are ended one by one through their own handles, never by name.
 */
const children = new Set<ChildProcess>();

export const SERVICE_MAIN = `${REPO_DIR}dist/lib/cli/main.js`;
export const childScript = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** SIGKILL to every child still running (the clean-up of last resort). */
export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Runs a node script to its end and returns its stdout; rejects on a non-zero exit. */
export function runNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stderr?: 'inherit' | 'capture' } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, {
      cwd: REPO_DIR,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', options.stderr === 'capture' ? 'pipe' : 'inherit'],
    }));
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${args.map((a) => a.replace(REPO_DIR, '')).join(' ')} failed (exit ${code ?? signal})${stderr ? `: ${stderr.trim().slice(-600)}` : ''}`));
    });
  });
}

/** One line of the service's JSON log, as far as the bench cares. */
interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly timestamp?: string;
  readonly port?: number;
  readonly task?: string;
  readonly offset?: number;
}

/**
 * `node dist/lib/cli/main.js run` as a child: its JSON log goes to a file, and the bench keeps an eye on
 * what matters (when partitions were assigned, warnings and errors) without parsing it twice.
 */
export class ServiceProcess {
  readonly spawnedAt: number;
  readonly exited: Promise<Exit>;
  /** Epoch ms of the log line "partitions assigned", once it came. */
  assignedAt: number | undefined;
  /** The port of its HTTP server (`/status`), from the log line "http listening". */
  httpPort: number | undefined;
  /** Tasks it started from a commit ("resuming from the last commit"): when (epoch ms), which, from where. */
  readonly resumes: Array<{ at: number; task: string; offset: number }> = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private onAssigned: Array<() => void> = [];

  /** `main`: the CLI to run (another build, to compare); `nodeFlags` go before it. */
  constructor(env: NodeJS.ProcessEnv, logFile: string, options: { main?: string; nodeFlags?: readonly string[] } = {}) {
    this.log = createWriteStream(logFile);
    this.spawnedAt = Date.now();
    const args = [...(options.nodeFlags ?? []), options.main ?? SERVICE_MAIN, 'run'];
    this.child = track(spawn(process.execPath, args, { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.exited = exitOf(this.child);
    let partial = '';
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.log.write(text);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.log.write(text);
      for (const line of text.split('\n')) if (line.trim() !== '') this.errors.push(`stderr: ${line.trim()}`);
    });
    void this.exited.then(() => this.log.end());
  }

  private onLine(line: string): void {
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      return;
    }
    const message = entry.message ?? '';
    if (message === 'partitions assigned' && this.assignedAt === undefined) {
      this.assignedAt = entry.timestamp ? Date.parse(entry.timestamp) : Date.now();
      for (const resolve of this.onAssigned) resolve();
      this.onAssigned = [];
    }
    if (message === 'http listening' && typeof entry.port === 'number') this.httpPort = entry.port;
    if (message === 'resuming from the last commit' && typeof entry.task === 'string' && typeof entry.offset === 'number') {
      this.resumes.push({ at: entry.timestamp ? Date.parse(entry.timestamp) : Date.now(), task: entry.task, offset: entry.offset });
    }
    if (entry.level === 'error') this.errors.push(message);
    else if (entry.level === 'warn') this.warnings.push(message);
  }

  /** Resolves once the service has its partitions, rejects if it exits first or `timeoutMs` passes. */
  whenAssigned(timeoutMs: number): Promise<void> {
    if (this.assignedAt !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service had no partitions after ${timeoutMs} ms`)), timeoutMs);
      this.onAssigned.push(() => {
        clearTimeout(timer);
        resolve();
      });
      void this.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`the service exited (${e.code ?? e.signal}) before it had partitions`));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL, as a crash or `kill -9` would. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** SIGTERM, as an orchestrator would, and the time the graceful stop took; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<Exit & { stopMs: number; killed: boolean }> {
    const started = performance.now();
    if (!this.running) return { ...(await this.exited), stopMs: 0, killed: false };
    this.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, stopMs: performance.now() - started, killed };
  }
}
