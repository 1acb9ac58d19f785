import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { CLI, REPO, type CliResult } from './cli.js';

export interface CliProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Bytes for standard input, a file descriptor to read it from (as `< file` would), or 'pipe' to feed it; else none. */
  readonly stdin?: Buffer | number | 'pipe';
}

/** The CLI as a child process with stdout and stderr piped, for tests that act on it while it runs. */
export function spawnCli(args: readonly string[], options: CliProcessOptions = {}): ChildProcess {
  const stdin = options.stdin === undefined ? 'ignore' : Buffer.isBuffer(options.stdin) ? 'pipe' : options.stdin;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  if (Buffer.isBuffer(options.stdin)) child.stdin?.end(options.stdin);
  return child;
}

/** Runs the CLI to its end, like runCli, with a working directory and standard input of the test's choosing. */
export function runCliWith(args: readonly string[], options: CliProcessOptions = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** Resolves when the child has exited, with how. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`, naming what it waited for. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Names in a folder, sorted: to show that a run left nothing behind. */
export const listing = (dir: string): string[] => readdirSync(dir).sort();

/** Size of a file, or -1 when it does not exist. */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** A stack trace's frame lines, which no user-facing error may show. */
export const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;
