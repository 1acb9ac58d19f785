import { ConfigError, loadConfig, type Config } from '../service/config.js';
import { parseDecimal, parseInteger } from '../service/setting-text.js';

/**
 * A command's own flags (`--rate`, `--count`...), read as strictly as the settings and reported with
 * them: every bad flag and bad setting of the command in one line, before anything connects.
 */
export class CommandFlags {
  private readonly problems: string[] = [];

  constructor(private readonly options: Readonly<Record<string, string | boolean | undefined>>) {}

  /** `--name N`: a decimal integer from `min` to `max`, or `fallback` without the flag. */
  integer<F>(name: string, fallback: F, min: number, max: number, expected: string): number | F {
    return this.read(name, fallback, expected, (text) => {
      const n = parseInteger(text);
      return n !== undefined && n >= min && n <= max ? n : undefined;
    });
  }

  /** `--name X`: a plain decimal number that `ok` accepts, or `fallback` without the flag. */
  decimal<F>(name: string, fallback: F, ok: (n: number) => boolean, expected: string): number | F {
    return this.read(name, fallback, expected, (text) => {
      const n = parseDecimal(text);
      return n !== undefined && ok(n) ? n : undefined;
    });
  }

  /** `--name V`: one of `values`, or `fallback` without the flag. */
  oneOf<V extends string>(name: string, fallback: V, values: readonly V[]): V {
    return this.read(name, fallback, `one of ${values.join(', ')}`, (text) => values.find((v) => v === text));
  }

  /** A problem found outside the flags (an unreadable file, say), for the same line. */
  add(problem: string): void {
    this.problems.push(problem);
  }

  /** The settings, or one ConfigError naming every bad flag and setting together. */
  loadConfig(settings: ReadonlyMap<string, string>): Config {
    let config: Config | undefined;
    try {
      config = loadConfig({ flags: settings });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new ConfigError([...this.problems, ...e.problems]);
    }
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return config;
  }

  private read<T, F>(name: string, fallback: F, expected: string, parse: (text: string) => T | undefined): T | F {
    const text = this.options[name];
    if (typeof text !== 'string') return fallback;
    const value = parse(text);
    if (value === undefined) this.problems.push(`--${name}=${JSON.stringify(text)}: expected ${expected}`);
    return value ?? fallback;
  }
}
