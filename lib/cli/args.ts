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
    throw new UsageError(oneLine(e as Error & { code?: string }, args));
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

/** node's parseArgs errors span lines and speak of "options"; say the same in one line of ours. */
function oneLine(error: Error & { code?: string }, args: readonly string[]): string {
  const flag = /'(-[^' ]*)/.exec(error.message)?.[1] ?? '';
  if (/argument is ambiguous/.test(error.message)) {
    const value = args[args.indexOf(flag) + 1] ?? '';
    return `${flag}: a value starting with a dash must be written ${flag}=${value}`;
  }
  if (/argument missing/.test(error.message)) return `${flag}: needs a value`;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${flag}: unknown flag (see --help)`;
  return (error.message.split('\n')[0] ?? String(error)).trim();
}
