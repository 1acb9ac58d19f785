#!/usr/bin/env node
import { FileError } from '../io/file-error.js';
import { connectionFailure } from '../io/kafka/kafka-failures.js';
import { ConfigError, loadConfig, resolveSettings } from '../service/config.js';
import { SETTINGS } from '../service/settings.js';
import { parseCommandArgs, UsageError } from './args.js';
import { generateCommand } from './generate-command.js';
import { COMMANDS, helpText, versionText } from './help.js';
import { produceCommand } from './produce-command.js';
import { replayCommand, replayFile } from './replay-command.js';
import { runCommand, serve } from './run-command.js';
import { samplePath } from './sample-path.js';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') return print(helpText());
  if (command === '--version' || command === '-V' || command === 'version') return print(versionText());
  if (command === 'help') {
    if (rest.length > 1) throw new UsageError(`help: takes one topic, got: ${rest.join(' ')}`);
    return print(helpText(rest[0]));
  }
  if (!COMMANDS.includes(command)) throw new UsageError(`${command}: unknown command (try: stream-processor help)`);
  if (rest.includes('--help') || rest.includes('-h')) return print(helpText(command));
  switch (command) {
    case 'replay':
      return replayCommand(rest);
    case 'start':
      return start(rest);
    case 'run':
      return runCommand(rest);
    case 'produce':
      return produceCommand(rest);
    case 'generate':
      return generateCommand(rest);
    case 'config':
      return printConfig(rest);
    default:
      throw new UsageError(`${command}: unknown command (try: stream-processor help)`);
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/** The main job: the Kafka service if Kafka is configured, else its embedded default, the bundled sample. */
async function start(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {});
  if (parsed.positionals.length > 0) throw new UsageError(`start: takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  if (config.kafka.bootstrapServers.trim() !== '') return serve(config);
  return replayFile(samplePath({ flags: parsed.settings }), config.analytics, { progress: false });
}

function printConfig(args: readonly string[]): number {
  const parsed = parseCommandArgs(args, {});
  const resolved = resolveSettings({ flags: parsed.settings });
  const width = Math.max(...SETTINGS.map((d) => d.path.length));
  const secret = new Set(SETTINGS.filter((d) => d.secret).map((d) => d.path));
  for (const [path, { value, origin }] of resolved) {
    const shown = secret.has(path) && value !== '' ? '"***"' : JSON.stringify(value);
    process.stdout.write(`${path.padEnd(width)}  ${shown}  (${origin})\n`);
  }
  return 0;
}

// A reader that goes away (`| head -2`) has had all it wanted: end at once and quietly, whatever the
// command (an output file being written is left as it was, see lib/io/output-file.ts).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`stream-processor: standard output: cannot write (${err.code ?? err.message})\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A Kafka client can leave sockets and timers behind after disconnecting; a finished command exits.
    if (['run', 'start', 'produce', 'generate'].includes(process.argv[2] ?? '')) setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`stream-processor: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof FileError) {
      process.stderr.write(`stream-processor: ${err.message}\n`);
      process.exitCode = 1;
    } else if (connectionFailure(err) !== undefined) {
      process.stderr.write(`stream-processor: kafka: ${connectionFailure(err)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`stream-processor: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
    // As above: a Kafka client left connecting must not keep a failed command alive.
    setImmediate(() => process.exit(process.exitCode));
  },
);
