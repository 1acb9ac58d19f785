import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { LineWriter } from '../io/line-writer.js';
import { replay } from '../io/replay.js';
import { loadConfig } from '../service/config.js';
import { parseCommandArgs, UsageError } from './args.js';
import { ProgressBar } from './progress.js';
import { formatSummary } from './summary.js';
import { checkReadable } from './options.js';

export const REPLAY_USAGE = `stream-processor replay FILE [--out FILE] [--dead-letters FILE] [--no-progress] [settings]

Replays a recorded file of order events (JSON Lines; .gz is gunzipped) through the analytics, as one
partition whose watermark moves after every record; at the end every open window fires. The same file
and settings give byte-identical output, run after run.

  --out FILE           analytics as JSON lines to FILE instead of stdout
  --dead-letters FILE  dead letters as JSON lines {"reason","detail","line","raw"} to FILE
                       (without it they are only counted in the summary)
  --no-progress        no progress bar (it is drawn only when stderr is a terminal anyway)`;

/** `replay FILE`: returns the exit code. */
export async function replayCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {
    out: { type: 'string' },
    'dead-letters': { type: 'string' },
    'no-progress': { type: 'boolean' },
  });
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError('replay needs a FILE to read');
  if (extra.length > 0) throw new UsageError(`replay takes one FILE, got also: ${extra.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  return replayFile(file, config.analytics, {
    out: parsed.options.out as string | undefined,
    deadLetters: parsed.options['dead-letters'] as string | undefined,
    progress: parsed.options['no-progress'] !== true,
  });
}

export interface ReplayFileOptions {
  readonly out?: string | undefined;
  readonly deadLetters?: string | undefined;
  readonly progress: boolean;
}

/** Replays `file` with its outputs where the options say, and the summary on stderr. */
export async function replayFile(file: string, settings: Parameters<typeof replay>[0]['settings'], options: ReplayFileOptions): Promise<number> {
  const size = checkReadable(file);
  for (const target of [options.out, options.deadLetters]) if (target !== undefined) checkWritable(target);
  const bar = options.progress && process.stderr.isTTY ? new ProgressBar(process.stderr, size) : undefined;
  const summary = await replay({
    file,
    settings,
    analytics: options.out === undefined ? new LineWriter(process.stdout, false) : LineWriter.toFile(options.out),
    ...(options.deadLetters !== undefined ? { deadLetters: LineWriter.toFile(options.deadLetters) } : {}),
    ...(bar ? { onProgress: (bytes: number) => bar.update(bytes) } : {}),
  });
  bar?.done();
  process.stderr.write(`${formatSummary(file, summary)}\n`);
  return 0;
}

function checkWritable(target: string): void {
  try {
    accessSync(dirname(target), constants.W_OK);
  } catch {
    throw new UsageError(`${target}: cannot write there (no such folder, or no permission)`);
  }
}
