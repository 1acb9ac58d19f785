import { resolve } from 'node:path';
import { PACKAGE_ROOT, resolveSettings, type ConfigSources } from '../service/config.js';

/**
 * Where `start` finds the recording it replays. A relative path the user gave (`--sample`, or
 * REPLAY_SAMPLE) is taken from the current directory, as any path on a command line is; one from the
 * package's own config files (the default, examples/sample-orders.jsonl.gz) from the package root, so
 * that the bundled sample is found from wherever the command runs.
 */
export function samplePath(sources: ConfigSources): string {
  const { value, origin } = resolveSettings(sources).get('replay.sample') as { value: string; origin: string };
  const fromUser = origin.startsWith('flag ') || origin.startsWith('env ');
  return resolve(fromUser ? process.cwd() : PACKAGE_ROOT, value);
}
