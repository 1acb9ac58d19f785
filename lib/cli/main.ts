#!/usr/bin/env node
import { FileError } from '../io/file-error.js';
import { ConfigError, loadConfig, resolveSettings } from '../service/config.js';
import { envOf, flagOf, SETTINGS } from '../service/settings.js';
import { parseCommandArgs, UsageError } from './args.js';
import { GENERATE_USAGE, generateCommand } from './generate-command.js';
import { PRODUCE_USAGE, produceCommand } from './produce-command.js';
import { REPLAY_USAGE, replayCommand, replayFile } from './replay-command.js';
import { RUN_USAGE, runCommand, serve } from './run-command.js';
import { samplePath } from './sample-path.js';

const USAGE = `Stream Processor: event-time order analytics and fraud alerts.

usage: stream-processor <command> [flags]

commands:
  start              the main job: the Kafka service when kafka.bootstrapServers is set, else a replay
                     of the bundled sample recording printing analytics to stdout
  run                the Kafka service
  replay FILE        replay a recorded order file
  produce FILE       publish a recording to the input topic
  generate           publish synthetic live orders
  config             print the effective settings and where each came from
  help               this text

${RUN_USAGE}

${REPLAY_USAGE}

${PRODUCE_USAGE}

${GENERATE_USAGE}

settings (flag / environment variable / config key), each overriding config/default.json and
config/<NODE_ENV>.json:
${SETTINGS.map((d) => `  --${flagOf(d)} / ${envOf(d)} / ${d.path}\n      ${d.help}; ${d.expected}`).join('\n')}

exit codes: 0 done, 1 failed while running, 2 bad command line or setting`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const own: Record<string, string> = { replay: REPLAY_USAGE, run: RUN_USAGE, produce: PRODUCE_USAGE, generate: GENERATE_USAGE };
    process.stdout.write(`${own[command] ?? USAGE}\n`);
    return 0;
  }
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
      throw new UsageError(`unknown command '${command}' (try: stream-processor help)`);
  }
}

/** The main job: the Kafka service if Kafka is configured, else its embedded default, the bundled sample. */
async function start(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {});
  if (parsed.positionals.length > 0) throw new UsageError(`start takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  if (config.kafka.bootstrapServers.trim() !== '') return serve(config);
  return replayFile(samplePath({ flags: parsed.settings }), config.analytics, { progress: false });
}

function printConfig(args: readonly string[]): number {
  const parsed = parseCommandArgs(args, {});
  const resolved = resolveSettings({ flags: parsed.settings });
  const width = Math.max(...SETTINGS.map((d) => d.path.length));
  for (const [path, { value, origin }] of resolved) {
    process.stdout.write(`${path.padEnd(width)}  ${JSON.stringify(value)}  (${origin})\n`);
  }
  return 0;
}

// A reader that goes away (`| head -2`) has had all it wanted: end at once and quietly, whatever the
// command (an output file being written is left as it was, see lib/io/output-file.ts).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`stream-processor: cannot write to standard output (${err.code ?? err.message})\n`);
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
    } else {
      process.stderr.write(`stream-processor: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
    // As above: a Kafka client left connecting must not keep a failed command alive.
    setImmediate(() => process.exit(process.exitCode));
  },
);
