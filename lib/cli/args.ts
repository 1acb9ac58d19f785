import { parseArgs, type ParseArgsConfig } from 'node:util';
import { flagOf, SETTINGS } from '../service/settings.js';

/** A bad command line: its message is the one line printed before exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly positionals: string[];
  /** The command's own flags. */
  readonly options: Record<string, string | boolean | undefined>;
  /** Setting flags, by setting path. */
  readonly settings: Map<string, string>;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's arguments: its own flags, plus one flag for each setting in the table. */
export function parseCommandArgs(args: readonly string[], own: OptionSpec): ParsedArgs {
  const settingFlags: OptionSpec = {};
  for (const def of SETTINGS) settingFlags[flagOf(def)] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...settingFlags, ...own }, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages are long and mention internals; keep what names the flag.
    const message = (e as Error).message.split('. ')[0]?.replace(/^Unknown option/, 'unknown flag') ?? String(e);
    throw new UsageError(message);
  }
  const options: Record<string, string | boolean | undefined> = {};
  const settings = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    const def = SETTINGS.find((d) => flagOf(d) === name);
    if (def !== undefined && typeof value === 'string') settings.set(def.path, value);
    else options[name] = value as string | boolean | undefined;
  }
  return { positionals: parsed.positionals, options, settings };
}
