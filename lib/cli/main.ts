#!/usr/bin/env node
import { resolve } from 'node:path';
import { ConfigError, loadConfig, PACKAGE_ROOT, resolveSettings } from '../service/config.js';
import { envOf, flagOf, SETTINGS } from '../service/settings.js';
import { parseCommandArgs, UsageError } from './args.js';
import { REPLAY_USAGE, replayCommand, replayFile } from './replay-command.js';

const USAGE = `Stream Processor: event-time order analytics and fraud alerts.

usage: stream-processor <command> [flags]

commands:
  start              the main job: with no Kafka configured, a replay of the bundled sample recording
                     printing analytics to stdout
  replay FILE        replay a recorded order file (see: stream-processor replay --help)
  config             print the effective settings and where each came from
  help               this text

${REPLAY_USAGE}

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
    process.stdout.write(`${command === 'replay' ? REPLAY_USAGE : USAGE}\n`);
    return 0;
  }
  switch (command) {
    case 'replay':
      return replayCommand(rest);
    case 'start':
      return start(rest);
    case 'config':
      return printConfig(rest);
    default:
      throw new UsageError(`unknown command '${command}' (try: stream-processor help)`);
  }
}

/** The main job on its embedded default: the bundled sample, analytics on stdout. */
async function start(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {});
  if (parsed.positionals.length > 0) throw new UsageError(`start takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const config = loadConfig({ flags: parsed.settings });
  return replayFile(resolve(PACKAGE_ROOT, config.replay.sample), config.analytics, { progress: false });
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`stream-processor: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`stream-processor: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
