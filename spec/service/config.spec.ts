import { expect } from 'chai';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, PACKAGE_ROOT, resolveSettings, type ConfigSources } from '../../lib/service/config.js';
import { envOf, flagOf, SETTINGS } from '../../lib/service/settings.js';
import { runCli, tempDir } from '../helpers/cli.js';

const WINDOW = 'a positive integer of ms that divides a day (86400000) evenly, or a whole number of days up to 366 (so windows stay aligned to UTC hours and days)';

/** A config folder holding the real default.json, plus the given files. */
function configDir(files: Record<string, unknown> = {}): string {
  const dir = tempDir();
  copyFileSync(join(PACKAGE_ROOT, 'config/default.json'), join(dir, 'default.json'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}

/** The one-line message of the ConfigError that resolving these sources throws. */
function configError(sources: ConfigSources): string {
  try {
    resolveSettings(sources);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message, 'one line').not.to.contain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  describe('precedence: default.json < <NODE_ENV>.json < environment < flag', () => {
    const dir = configDir({ 'staging.json': { analytics: { windowSizeMs: 60_000, velocityMaxOrders: 9 }, http: { port: 9000 } } });

    it('takes every setting from default.json when nothing overrides it', () => {
      const resolved = resolveSettings({ configDir: dir, env: {} });
      expect([...resolved.keys()].sort()).to.deep.equal(SETTINGS.map((d) => d.path).sort());
      for (const { origin } of resolved.values()) expect(origin).to.equal('config/default.json');
      const config = loadConfig({ configDir: dir, env: {} });
      expect(config.analytics.windowSizeMs).to.equal(3_600_000);
      expect(config.http).to.deep.equal({ port: 8082, host: '' });
      expect(config.log.level).to.equal('info');
    });

    it('lets config/<NODE_ENV>.json override default.json, key by key', () => {
      const resolved = resolveSettings({ configDir: dir, env: { NODE_ENV: 'staging' } });
      expect(resolved.get('analytics.windowSizeMs')).to.deep.equal({ value: 60_000, origin: 'config/staging.json' });
      expect(resolved.get('http.port')).to.deep.equal({ value: 9000, origin: 'config/staging.json' });
      expect(resolved.get('analytics.maxOutOfOrdernessMs')).to.deep.equal({ value: 5_000, origin: 'config/default.json' });
    });

    it('ignores a NODE_ENV that has no file', () => {
      expect(loadConfig({ configDir: dir, env: { NODE_ENV: 'production' } }).analytics.windowSizeMs).to.equal(3_600_000);
    });

    it('lets the environment override both files, as numbers where the setting is one; an empty variable counts as unset', () => {
      const env = { NODE_ENV: 'staging', ANALYTICS_WINDOW_SIZE_MS: '120000', HTTP_PORT: '0', LOG_LEVEL: 'debug', KAFKA_GROUP_ID: '' };
      const resolved = resolveSettings({ configDir: dir, env });
      expect(resolved.get('analytics.windowSizeMs')).to.deep.equal({ value: 120_000, origin: 'env ANALYTICS_WINDOW_SIZE_MS' });
      expect(resolved.get('http.port')).to.deep.equal({ value: 0, origin: 'env HTTP_PORT' });
      expect(resolved.get('log.level')).to.deep.equal({ value: 'debug', origin: 'env LOG_LEVEL' });
      expect(resolved.get('analytics.velocityMaxOrders')).to.deep.equal({ value: 9, origin: 'config/staging.json' });
      expect(resolved.get('kafka.groupId')).to.deep.equal({ value: 'flink-stream-processor', origin: 'config/default.json' });
    });

    it('lets a flag override everything', () => {
      const env = { NODE_ENV: 'staging', ANALYTICS_WINDOW_SIZE_MS: '120000', HTTP_HOST: '0.0.0.0' };
      const flags = new Map([
        ['analytics.windowSizeMs', '1000'],
        ['http.host', '127.0.0.1'],
      ]);
      const resolved = resolveSettings({ configDir: dir, env, flags });
      expect(resolved.get('analytics.windowSizeMs')).to.deep.equal({ value: 1000, origin: 'flag --window-size-ms' });
      expect(resolved.get('http.host')).to.deep.equal({ value: '127.0.0.1', origin: 'flag --http-host' });
    });

    it('names the http settings\' flags and variables after their section', () => {
      const byPath = (path: string) => SETTINGS.find((d) => d.path === path) ?? expect.fail(path);
      expect([flagOf(byPath('http.port')), envOf(byPath('http.port'))]).to.deep.equal(['http-port', 'HTTP_PORT']);
      expect([flagOf(byPath('http.host')), envOf(byPath('http.host'))]).to.deep.equal(['http-host', 'HTTP_HOST']);
      expect(new Set(SETTINGS.map(flagOf)).size, 'flags are distinct').to.equal(SETTINGS.length);
    });
  });

  describe('errors: one line naming the key, the value and what is expected', () => {
    it('a bad value in a file', () => {
      const dir = configDir({ 'test.json': { analytics: { windowSizeMs: 0 } } });
      expect(configError({ configDir: dir, env: { NODE_ENV: 'test' } })).to.equal(
        `bad setting: analytics.windowSizeMs=0 in config/test.json: expected ${WINDOW}`,
      );
    });

    it('a value of the wrong type in a file (no coercion there)', () => {
      const dir = configDir({ 'test.json': { http: { port: '8082' } } });
      expect(configError({ configDir: dir, env: { NODE_ENV: 'test' } })).to.contain('http.port="8082" in config/test.json: expected a port number 0-65535');
    });

    it('an unknown key, or a section that is not an object, in a file', () => {
      const dir = configDir({ 'test.json': { analytics: { windowSizeMS: 1000 }, http: 8082 } });
      const message = configError({ configDir: dir, env: { NODE_ENV: 'test' } });
      expect(message).to.contain('config/test.json: unknown setting analytics.windowSizeMS');
      expect(message).to.contain('config/test.json: http must be an object');
    });

    it('a file that is not JSON, or not an object', () => {
      expect(configError({ configDir: configDir({ 'test.json': '{ "analytics": ' }), env: { NODE_ENV: 'test' } })).to.match(
        /^bad setting: config\/test\.json: not valid JSON \(.+\)$/,
      );
      expect(configError({ configDir: configDir({ 'test.json': '[1, 2]' }), env: { NODE_ENV: 'test' } })).to.equal(
        'bad setting: config/test.json: expected a JSON object of sections',
      );
    });

    it('a bad environment variable', () => {
      expect(configError({ configDir: configDir(), env: { ANALYTICS_VELOCITY_MAX_ORDERS: '2.5' } })).to.equal(
        'bad setting: ANALYTICS_VELOCITY_MAX_ORDERS="2.5": expected an integer >= 0',
      );
      expect(configError({ configDir: configDir(), env: { HTTP_PORT: '65536' } })).to.equal('bad setting: HTTP_PORT=65536: expected a port number 0-65535');
      expect(configError({ configDir: configDir(), env: { LOG_LEVEL: 'loud' } })).to.equal(
        'bad setting: LOG_LEVEL="loud": expected one of error, warn, info, debug',
      );
    });

    it('a bad flag value', () => {
      expect(configError({ configDir: configDir(), env: {}, flags: new Map([['analytics.windowSizeMs', 'soon']]) })).to.equal(
        `bad setting: --window-size-ms="soon": expected ${WINDOW}`,
      );
      expect(configError({ configDir: configDir(), env: {}, flags: new Map([['http.port', '-1']]) })).to.equal(
        'bad setting: --http-port=-1: expected a port number 0-65535',
      );
    });

    it('a missing default.json (every setting then lacks its default)', () => {
      const message = configError({ configDir: tempDir(), env: {} });
      expect(message).to.match(/^bad setting: config\/default\.json: missing \(looked in .+\); /);
      expect(message).to.contain('http.port: missing from config/default.json: expected a port number 0-65535');
    });

    it('a setting missing from default.json', () => {
      const dir = tempDir();
      const defaults = loadConfig({ configDir: configDir(), env: {} });
      writeFileSync(join(dir, 'default.json'), JSON.stringify({ ...defaults, http: { port: 8082 } }));
      expect(configError({ configDir: dir, env: {} })).to.equal('bad setting: http.host: missing from config/default.json: expected a host name, an IPv4 or IPv6 address (no brackets), or empty');
    });

    it('several errors, from every layer, together in one line', () => {
      const dir = configDir({ 'test.json': { analytics: { windowSizeMs: -5, bogus: 1 } } });
      const message = configError({
        configDir: dir,
        env: { NODE_ENV: 'test', JOB_RESTART_ATTEMPTS: 'many' },
        flags: new Map([['http.port', 'eighty']]),
      });
      expect(message.split('; ')).to.deep.equal([
        'bad setting: config/test.json: unknown setting analytics.bogus',
        `analytics.windowSizeMs=-5 in config/test.json: expected ${WINDOW}`,
        'JOB_RESTART_ATTEMPTS="many": expected an integer >= 0',
        '--http-port="eighty": expected a port number 0-65535',
      ]);
    });

    it('stops the CLI with exit code 2 and that one line on stderr', async () => {
      const result = await runCli(['config'], { HTTP_PORT: 'x' });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal('stream-processor: bad setting: HTTP_PORT="x": expected a port number 0-65535\n');
      expect(result.stdout).to.equal('');
    });
  });

  it('`config` prints the http settings with where they came from, and `help settings` lists them', async () => {
    const result = await runCli(['config', '--http-port', '9100']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^http\.port\s+9100\s+\(flag --http-port\)$/m);
    expect(result.stdout).to.match(/^http\.host\s+""\s+\(config\/default\.json\)$/m);
    const help = await runCli(['help', 'settings']);
    expect(help.stdout).to.contain('--http-port / HTTP_PORT / http.port');
    expect(help.stdout).to.contain('--http-host / HTTP_HOST / http.host');
  });
});
