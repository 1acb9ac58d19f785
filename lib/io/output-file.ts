import { closeSync, createWriteStream, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * An output file written whole or not at all: the writing goes to a temporary file beside the target,
 * renamed over it only once everything is written and synced. Until then the target keeps what it had
 * (or stays absent), so a failed or interrupted run never leaves a cut-short file that looks complete.
 * The temporary file is removed on failure, on `process.exit`, and on SIGINT, SIGTERM or SIGHUP (after
 * which the signal is raised again, so the process still ends by it).
 *
 * A target that exists and is not a regular file (`/dev/null`, a FIFO) is written directly: it cannot be
 * replaced by a rename, and nothing in it can pass for a finished file.
 */
export interface OutputFile {
  readonly stream: Writable;
  /** Ends the writing and puts the file in place; rejects with the stream's error, if it had one. */
  commit(): Promise<void>;
  /** Drops what was written, leaving the target as it was. Safe to call at any time, and more than once. */
  abandon(): void;
}

export function openOutputFile(target: string): OutputFile {
  const path = followLink(target);
  const existing = statOrUndefined(path);
  if (existing !== undefined && !existing.isFile()) {
    const stream = createWriteStream(path);
    return { stream, commit: () => endStream(stream), abandon: () => stream.destroy() };
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o666);
  liveTemps.add(temp);
  watchSignals();
  // A replaced file keeps its permissions, as it would had it been overwritten in place.
  if (existing !== undefined) fchmodSync(fd, existing.mode & 0o7777);
  const stream = createWriteStream(temp, { fd });
  let settled = false;
  const forget = (): void => {
    settled = true;
    liveTemps.delete(temp);
    if (liveTemps.size === 0) unwatchSignals();
  };
  return {
    stream,
    async commit() {
      await endStream(stream);
      if (settled) return;
      // Synced before the rename, so that after a power cut the target holds either the old or the
      // whole new content, not a new name over missing data.
      const synced = openSync(temp, 'r');
      try {
        fsyncSync(synced);
      } finally {
        closeSync(synced);
      }
      renameSync(temp, path);
      forget();
    },
    abandon() {
      if (settled) return;
      stream.destroy();
      removeQuietly(temp);
      forget();
    },
  };
}

/** A symlinked target: the file it points to is the one replaced, and the link stays a link. */
/** The file a path names, through any links; the path itself where it does not exist yet. */
export function followLink(target: string): string {
  try {
    return realpathSync(target);
  } catch {
    return target;
  }
}

/** A file's stat, or undefined where there is none. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    stream.once('error', reject);
    stream.end((err?: Error | null) => {
      stream.off('error', reject);
      if (err) reject(err);
      else resolve();
    });
  });
}

// Temporary files not yet renamed or removed, for the exit and signal handlers.
const liveTemps = new Set<string>();

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or its folder is: either way nothing is left behind.
  }
}

function removeLiveTemps(): void {
  for (const temp of liveTemps) removeQuietly(temp);
  liveTemps.clear();
}

process.on('exit', removeLiveTemps);

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let watching = false;

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  unwatchSignals();
  // With our handler gone the default action applies again: the process ends by the same signal.
  process.kill(process.pid, signal);
}

function watchSignals(): void {
  if (watching) return;
  watching = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unwatchSignals(): void {
  if (!watching) return;
  watching = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
}
