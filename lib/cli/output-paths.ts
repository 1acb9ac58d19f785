import { accessSync, constants, fstatSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { followLink, statOrUndefined } from '../io/output-file.js';
import { STDIN_PATH } from '../io/recording-source.js';
import { UsageError } from './args.js';

/** An output file and the flag that named it, for messages. */
export interface NamedOutput {
  readonly flag: string;
  readonly path: string;
}

/**
 * Refuses, before anything is read or written, outputs that cannot be written, and any output that is
 * the input or another output: by path, through symlinks, or as a hard link to the same file. (Outputs
 * are replaced by a rename, so the input would survive even so; but the run would replace it with its
 * own analytics, or two outputs would overwrite each other.)
 */
export function checkOutputs(input: string, outputs: readonly NamedOutput[]): void {
  for (const { path } of outputs) checkWritable(path);
  const inputKey = input === STDIN_PATH ? stdinKey() : fileKey(input);
  const seen: Array<NamedOutput & { key: string }> = [];
  for (const output of outputs) {
    const key = fileKey(output.path);
    // A device or a pipe (/dev/null) is written in place and may well take both outputs.
    if (key === undefined) continue;
    if (inputKey !== undefined && key === inputKey) {
      throw new UsageError(`${output.flag} ${output.path}: that is the input file; write the output elsewhere`);
    }
    const earlier = seen.find((s) => s.key === key);
    if (earlier !== undefined) throw new UsageError(`${output.flag} ${output.path}: that is also the ${earlier.flag} file; give each output its own`);
    seen.push({ ...output, key });
  }
}

function checkWritable(target: string): void {
  const existing = statOrUndefined(target);
  try {
    // A regular file is replaced through a temporary file beside it, so its folder must take new files;
    // anything else (/dev/null) is written in place.
    if (existing !== undefined && !existing.isFile()) accessSync(target, constants.W_OK);
    else accessSync(dirname(followLink(target)), constants.W_OK);
  } catch {
    throw new UsageError(`${target}: cannot write there (no such folder, or no permission)`);
  }
}

/**
 * The same key for two names of one file: device and inode when it exists, else its real path;
 * undefined for what is not a regular file.
 */
function fileKey(path: string): string | undefined {
  const stat = statOrUndefined(path);
  if (stat !== undefined) return stat.isFile() ? `inode ${stat.dev}:${stat.ino}` : undefined;
  return `path ${join(followLink(dirname(resolve(path))), basename(path))}`;
}

/** Standard input redirected from a file (`< orders.jsonl`) is that file. */
function stdinKey(): string | undefined {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? `inode ${stat.dev}:${stat.ino}` : undefined;
  } catch {
    return undefined;
  }
}
