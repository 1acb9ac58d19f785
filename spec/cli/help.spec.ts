import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli } from '../helpers/cli.js';
import { flagOf, SETTINGS } from '../../lib/service/settings.js';

const USAGE_LINE = /^stream-processor (\S+)/;

describe('stream-processor help and version', function () {
  this.timeout(20_000);

  it('<command> --help, <command> -h and help <command> print that command only', async () => {
    for (const command of ['start', 'run', 'replay', 'produce', 'generate', 'config']) {
      for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
        const result = await runCli(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(0);
        expect(USAGE_LINE.exec(result.stdout)?.[1], args.join(' ')).to.equal(command);
        expect(result.stdout, args.join(' ')).not.to.contain('commands:');
        expect(result.stdout).to.contain('stream-processor help settings');
      }
    }
  });

  it("each command's help names its own flags", async () => {
    const own: Record<string, readonly string[]> = {
      replay: ['--out', '--dead-letters', '--no-progress'],
      produce: ['--key', '--rate'],
      generate: ['--rate', '--count', '--customers', '--fraud-share', '--seed'],
    };
    for (const [command, flags] of Object.entries(own)) {
      const { stdout } = await runCli([command, '--help']);
      for (const flag of flags) expect(stdout, `${command} --help`).to.contain(flag);
    }
  });

  it('help alone is a short overview of the commands; help settings lists every setting', async () => {
    const overview = await runCli(['help']);
    expect(overview.code).to.equal(0);
    for (const command of ['start', 'run', 'replay', 'produce', 'generate', 'config']) expect(overview.stdout).to.match(new RegExp(`^  ${command}\\b`, 'm'));
    expect(overview.stdout).not.to.contain('--window-size-ms');
    expect((await runCli([])).stdout).to.equal(overview.stdout);
    const settings = await runCli(['help', 'settings']);
    expect(settings.code).to.equal(0);
    for (const def of SETTINGS) expect(settings.stdout).to.contain(`--${flagOf(def)} / `);
  });

  it('--version, -V and version print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['version']]) {
      const result = await runCli(args);
      expect([result.code, result.stdout], args.join(' ')).to.deep.equal([0, `stream-processor ${version}\n`]);
    }
  });

  it('help of an unknown topic stops with exit 2 and one line naming it', async () => {
    const result = await runCli(['help', 'nope']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^stream-processor: help nope: no such command or topic \(one of [^\n]+\)\n$/);
  });
});
