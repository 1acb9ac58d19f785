import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../service/config.js';
import { envOf, flagOf, SETTINGS } from '../service/settings.js';
import { UsageError } from './args.js';
import { GENERATE_USAGE } from './generate-command.js';
import { PRODUCE_USAGE } from './produce-command.js';
import { REPLAY_USAGE } from './replay-command.js';
import { RUN_USAGE } from './run-command.js';

const SETTINGS_POINTER = 'settings: every setting also has a flag; `stream-processor help settings` lists them';

const OVERVIEW = `Stream Processor: event-time order analytics and fraud alerts.

usage: stream-processor <command> [flags]

commands:
  start              the main job: the Kafka service when kafka.bootstrapServers is set, else a replay
                     of the bundled sample recording printing analytics to stdout
  run                the Kafka service
  replay FILE        replay a recorded order file (- for standard input)
  produce FILE       publish a recording to the input topic
  generate           publish synthetic live orders
  config             print the effective settings and where each came from
  help [TOPIC]       this text, or a command's (stream-processor help replay), or the settings (help settings)
  version            the version (also --version, -V)

exit codes: 0 done, 1 failed while running, 2 bad command line or setting`;

const START_USAGE = `stream-processor start [settings]

The main job: the Kafka service (as \`run\`) when kafka.bootstrapServers is set, else a replay of the
recording replay.sample (the bundled examples/sample-orders.jsonl.gz) printing analytics to stdout and a
summary to stderr.`;

const CONFIG_USAGE = `stream-processor config [settings]

Prints every effective setting, its value and where it came from: config/default.json,
config/<NODE_ENV>.json, the environment or a flag. Checks them all first, as every command does.`;

const SETTINGS_USAGE = `settings (flag / environment variable / config key), each overriding config/default.json and
config/<NODE_ENV>.json; later layers win: files, then environment, then flags:
${SETTINGS.map((d) => `  --${flagOf(d)} / ${envOf(d)} / ${d.path}\n      ${d.help}; ${d.expected}`).join('\n')}`;

const withPointer = (usage: string): string => `${usage}\n\n${SETTINGS_POINTER}`;

/** Usage texts by command, and the settings list. */
const TOPICS: Readonly<Record<string, string>> = {
  start: withPointer(START_USAGE),
  run: withPointer(RUN_USAGE),
  replay: withPointer(REPLAY_USAGE),
  produce: withPointer(PRODUCE_USAGE),
  generate: withPointer(GENERATE_USAGE),
  config: withPointer(CONFIG_USAGE),
  help: OVERVIEW,
  version: 'stream-processor version\n\nPrints the version of the package (also --version, -V).',
  settings: SETTINGS_USAGE,
};

/** The commands main() knows, for its own checks. */
export const COMMANDS: readonly string[] = ['start', 'run', 'replay', 'produce', 'generate', 'config', 'help', 'version'];

/** `help`, or `help TOPIC`: the overview, a command's usage, or the settings. */
export function helpText(topic?: string): string {
  if (topic === undefined) return OVERVIEW;
  const text = TOPICS[topic];
  if (text === undefined) throw new UsageError(`help ${topic}: no such command or topic (one of ${Object.keys(TOPICS).join(', ')})`);
  return text;
}

/** `stream-processor 0.1.0`, from the package's own package.json. */
export function versionText(): string {
  const { version } = JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { version: string };
  return `stream-processor ${version}`;
}
