import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { AnalyticsSettings } from '../analytics/settings.js';
import { CROSS_RULES } from './setting-rules.js';
import { fromText, textSyntax } from './setting-text.js';
import { envOf, flagOf, SETTINGS, type SettingDef } from './settings.js';

/** The package's own folder (holding config/ and examples/), wherever it is run from. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface KafkaSettings {
  readonly bootstrapServers: string;
  readonly clientId: string;
  readonly groupId: string;
  readonly inputTopic: string;
  readonly inputPartitions: number;
  readonly outputTopic: string;
  readonly deadLetterTopic: string;
  readonly ssl: boolean;
  readonly sslCaFile: string;
  readonly sslCertFile: string;
  readonly sslKeyFile: string;
  readonly sslVerifyHostname: boolean;
  readonly saslMechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly saslUsername: string;
  readonly saslPassword: string;
  readonly saslPasswordFile: string;
}

export type ProcessingGuarantee = 'at-least-once' | 'exactly-once';

export interface JobSettings {
  readonly processingGuarantee: ProcessingGuarantee;
  /** 0: by the guarantee (see {@link commitInterval}). */
  readonly commitIntervalMs: number;
  readonly maxPendingOutputs: number;
  /** Orders of one input partition held in this instance's customer tasks at which its reading pauses. */
  readonly maxHeldOrders: number;
  readonly restartAttempts: number;
  readonly restartDelayMs: number;
  readonly shutdownTimeoutMs: number;
}

export interface HttpSettings {
  /** 0: any free port. */
  readonly port: number;
  /** Empty: every interface. */
  readonly host: string;
}

export interface Config {
  readonly analytics: AnalyticsSettings;
  readonly kafka: KafkaSettings;
  readonly job: JobSettings;
  readonly replay: { readonly sample: string };
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'debug' };
  readonly http: HttpSettings;
}

/** A setting's effective value and the layer it came from. */
export interface Resolved {
  readonly value: unknown;
  readonly origin: string;
}

/** Bad settings, every one found: the message is the one line the process prints before it exits with code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** Each problem, as the message lists them after `bad setting: `. */
  constructor(readonly problems: readonly string[]) {
    super(`bad setting: ${problems.join('; ')}`);
  }
}

export interface ConfigSources {
  /** Folder of default.json and <NODE_ENV>.json. */
  readonly configDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Flag values by setting path, as typed. */
  readonly flags?: ReadonlyMap<string, string>;
}

/**
 * Resolves every setting through its layers, each over the one before: config/default.json,
 * config/<NODE_ENV>.json, the environment, the flags. Every bad value is reported, in one line.
 */
export function resolveSettings(sources: ConfigSources = {}): Map<string, Resolved> {
  const dir = sources.configDir ?? `${PACKAGE_ROOT}config`;
  const env = sources.env ?? process.env;
  const resolved = new Map<string, Resolved>();
  const errors: string[] = [];

  const layers: Array<[string, string]> = [[`${dir}/default.json`, 'config/default.json']];
  if (env.NODE_ENV) layers.push([`${dir}/${env.NODE_ENV}.json`, `config/${env.NODE_ENV}.json`]);
  for (const [file, origin] of layers) {
    if (!existsSync(file)) {
      if (origin === 'config/default.json') errors.push(`${origin}: missing (looked in ${dir})`);
      continue;
    }
    for (const [path, value] of flatten(readJson(file, origin), origin, errors)) resolved.set(path, { value, origin });
  }
  for (const def of SETTINGS) {
    const name = envOf(def);
    const text = env[name];
    if (text !== undefined && text !== '') resolved.set(def.path, { value: fromText(def.codec, text), origin: `env ${name}` });
    const flag = sources.flags?.get(def.path);
    if (flag !== undefined) resolved.set(def.path, { value: fromText(def.codec, flag), origin: `flag --${flagOf(def)}` });
  }
  const valid = new Set<string>();
  for (const def of SETTINGS) {
    const entry = resolved.get(def.path);
    if (entry === undefined) {
      errors.push(`${def.path}: missing from config/default.json: expected ${def.expected}`);
    } else if (isLeft(def.codec.decode(entry.value))) {
      errors.push(`${describeOrigin(def.path, entry)}: expected ${def.expected}${jsonHint(def, entry)}`);
    } else {
      valid.add(def.path);
    }
  }
  // Only between values that passed their own checks: one bad value is reported once, as itself.
  for (const rule of CROSS_RULES) {
    if (!rule.paths.every((path) => valid.has(path))) continue;
    const offenders = rule.offenders((path) => resolved.get(path)?.value);
    if (offenders.length === 0) continue;
    errors.push(`${offenders.map((path) => describeOrigin(path, resolved.get(path) as Resolved)).join(', ')}: expected ${rule.expected}`);
  }
  if (errors.length > 0) throw new ConfigError(errors);
  return resolved;
}

/** A config file holding "5000" or "true" for a number or a boolean: say how JSON writes it. */
function jsonHint(def: SettingDef, entry: Resolved): string {
  const syntax = textSyntax(def.codec);
  if (!entry.origin.startsWith('config/') || typeof entry.value !== 'string' || syntax === 'text') return '';
  return syntax === 'boolean' ? ' (a JSON true or false, not a string)' : ' (a JSON number, not a string)';
}

/** The validated settings as one typed object. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const tree: Record<string, Record<string, unknown>> = {};
  for (const [path, { value }] of resolveSettings(sources)) {
    const [section, key] = path.split('.') as [string, string];
    (tree[section] ??= {})[key] = value;
  }
  // Every leaf was checked by its own codec above, and SETTINGS lists exactly Config's keys (a key
  // missing from it fails as "missing from config/default.json"); the shape needs no second check.
  return tree as unknown as Config;
}

/**
 * `--flag=value`, `ENV_NAME=value` or `key=value in config/x.json`: the place the user has to change. The
 * value as JSON: text that could not be read as the setting's kind shows in quotes, spaces and all.
 */
function describeOrigin(path: string, { value, origin }: Resolved): string {
  const json = JSON.stringify(value);
  if (origin.startsWith('flag ')) return `${origin.slice(5)}=${json}`;
  if (origin.startsWith('env ')) return `${origin.slice(4)}=${json}`;
  return `${path}=${json} in ${origin}`;
}

function readJson(file: string, origin: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${origin}: not valid JSON (${(e as Error).message})`]);
  }
}

/** Leaves of a two-level settings file as `section.key` paths; unknown keys are errors, not ignored. */
function flatten(json: unknown, origin: string, errors: string[]): Array<[string, unknown]> {
  const known = new Set(SETTINGS.map((d) => d.path));
  const out: Array<[string, unknown]> = [];
  if (!isObject(json)) {
    errors.push(`${origin}: expected a JSON object of sections`);
    return out;
  }
  for (const [section, body] of Object.entries(json)) {
    if (!isObject(body)) {
      errors.push(`${origin}: ${section} must be an object`);
      continue;
    }
    for (const [key, value] of Object.entries(body)) {
      const path = `${section}.${key}`;
      if (known.has(path)) out.push([path, value]);
      else errors.push(`${origin}: unknown setting ${path}`);
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How often offsets are committed: as set, or by the guarantee (Kafka Streams' defaults: 100 ms exactly once). */
export const commitInterval = (job: JobSettings): number =>
  job.commitIntervalMs > 0 ? job.commitIntervalMs : job.processingGuarantee === 'exactly-once' ? 100 : 1_000;
