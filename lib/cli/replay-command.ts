import { fstatSync } from 'node:fs';
import { LineWriter } from '../io/line-writer.js';
import { recordingName, STDIN_PATH } from '../io/recording-source.js';
import { replay } from '../io/replay.js';
import { loadConfig } from '../service/config.js';
import { parseCommandArgs, UsageError } from './args.js';
import { CommandFlags } from './command-flags.js';
import { checkReadable } from './options.js';
import { checkOutputs, type NamedOutput } from './output-paths.js';
import { ProgressBar } from './progress.js';
import { formatSummary } from './summary.js';
import { serveReplay } from './replay-serve.js';

export const REPLAY_USAGE = `stream-processor replay FILE [--out FILE] [--dead-letters FILE] [--no-progress] [--serve [--port N]] [settings]

Replays a recorded file of order events (JSON Lines; gunzipped when it is gzip, by its first bytes or a
.gz name; FILE - reads standard input) through the analytics, as one partition whose watermark moves
after every record; at the end every open window fires. The same file and settings give byte-identical
output, run after run.

  --out FILE           analytics as JSON lines to FILE instead of stdout
  --dead-letters FILE  dead letters as JSON lines {"reason","detail","line","raw"} to FILE
                       (without it they are only counted in the summary)
  --no-progress        no progress bar (it is drawn only when stderr is a terminal and the analytics
                       do not go to that same terminal)
  --serve              also serve the live console over the replay (http://localhost:8082/, and its
                       /events), and keep serving it after the replay ends until SIGINT or SIGTERM
                       (then exit 0); the URL is printed on stderr
  --port N             the console's port with --serve (0: any free port); default http.port (8082)

An output file is put in place only when the replay is complete; until then it keeps what it had.
An output that is the input or the other output is refused.`;

/** `replay FILE`: returns the exit code. */
export async function replayCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {
    out: { type: 'string' },
    'dead-letters': { type: 'string' },
    'no-progress': { type: 'boolean' },
    serve: { type: 'boolean' },
    port: { type: 'string' },
  });
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError('replay: needs a FILE to read (- for standard input)');
  if (extra.length > 0) throw new UsageError(`replay: takes one FILE, got also: ${extra.join(' ')}`);
  const flags = new CommandFlags(parsed.options);
  const port = flags.integer('port', undefined, 0, 65535, 'a port from 0 to 65535 (0: any free port)');
  const serve = parsed.options.serve === true;
  if (parsed.options.port !== undefined && !serve) flags.add('--port: only with --serve');
  const config = flags.loadConfig(parsed.settings);
  const options: ReplayFileOptions = {
    out: parsed.options.out as string | undefined,
    deadLetters: parsed.options['dead-letters'] as string | undefined,
    progress: parsed.options['no-progress'] !== true,
  };
  if (!serve) return replayFile(file, config.analytics, options);
  return serveReplay(file, config, port ?? config.http.port, (watch) => replayFile(file, config.analytics, { ...options, ...watch }));
}

export interface ReplayFileOptions {
  readonly out?: string | undefined;
  readonly deadLetters?: string | undefined;
  readonly progress: boolean;
  /** Told of each record read and each output (the console of `--serve`). */
  readonly onRecord?: () => void;
  readonly onOutput?: Parameters<typeof replay>[0]['onOutput'];
}

/** Replays `file` (`-`: standard input) with its outputs where the options say, and the summary on stderr. */
export async function replayFile(file: string, settings: Parameters<typeof replay>[0]['settings'], options: ReplayFileOptions): Promise<number> {
  const size = file === STDIN_PATH ? undefined : checkReadable(file);
  const outputs: NamedOutput[] = [];
  if (options.out !== undefined) outputs.push({ flag: '--out', path: options.out });
  if (options.deadLetters !== undefined) outputs.push({ flag: '--dead-letters', path: options.deadLetters });
  checkOutputs(file, outputs);
  const toStdout = options.out === undefined;
  const bar = options.progress && barFits(toStdout) ? new ProgressBar(process.stderr, size) : undefined;
  let summary;
  try {
    summary = await replay({
      file,
      settings,
      analytics: toStdout ? new LineWriter(process.stdout) : LineWriter.toFile(options.out as string),
      ...(options.deadLetters !== undefined ? { deadLetters: LineWriter.toFile(options.deadLetters) } : {}),
      ...(bar ? { onProgress: (bytes: number) => bar.update(bytes) } : {}),
      ...(options.onRecord ? { onRecord: options.onRecord } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } finally {
    // Whether it ended or failed, what comes next on stderr starts on a clean line.
    bar?.done();
  }
  process.stderr.write(`${formatSummary(recordingName(file), summary)}\n`);
  return 0;
}

/**
 * The bar is drawn on stderr only where it cannot end up inside the analytics: stderr must be a terminal,
 * and not the very terminal the analytics are printed on (a bar redrawn between their lines would mix
 * with them on screen and in any copy of it). `replay FILE > out.jsonl` or `--out` keeps it.
 */
function barFits(analyticsToStdout: boolean): boolean {
  if (!process.stderr.isTTY) return false;
  if (!analyticsToStdout || !process.stdout.isTTY) return true;
  return fstatSync(1).rdev !== fstatSync(2).rdev;
}
