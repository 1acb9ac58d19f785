import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, SAMPLE, tempDir } from '../helpers/cli.js';

const golden = readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8');
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell command on a real pseudo-terminal (util-linux `script`), as a person at a terminal would:
 * stdout and stderr are that terminal unless the command redirects them. Returns everything the
 * terminal showed.
 */
function onTerminal(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, SHELL: '/bin/sh' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`script exited ${code}: ${Buffer.concat(out).toString()}`))));
  });
}

const replay = (...args: string[]): string => [process.execPath, CLI, 'replay', ...args].map(quote).join(' ');

/** The bar's drawings: what each carriage return starts, up to the next one or the summary. */
const drawings = (screen: string): string[] => screen.split('\r').filter((part) => part.includes('MB/s'));

describe('replay progress bar, on a real terminal', function () {
  this.timeout(30_000);

  it('is not drawn while the analytics are printed on that same terminal', async () => {
    const screen = await onTerminal(replay(SAMPLE));
    expect(screen.replace(/\r\n/g, '\n')).to.contain(golden);
    expect(drawings(screen)).to.deep.equal([]);
    expect(screen).not.to.contain('\x1b[K');
  });

  it('is drawn when the analytics go elsewhere, each drawing clearing the rest of its line, and cleared before the summary', async () => {
    const dir = tempDir();
    for (const command of [replay(SAMPLE, '--out', join(dir, 'a.jsonl')), `${replay(SAMPLE)} > ${quote(join(dir, 'b.jsonl'))}`]) {
      const screen = await onTerminal(command);
      const drawn = drawings(screen);
      expect(drawn, screen).to.have.length.greaterThan(0);
      // A drawing shorter than the last (12.0 MB/s after 13.5 MB/s) must not leave its tail behind.
      for (const drawing of drawn) expect(drawing).to.match(/^\[[#.]{30}\] +\d+%  [\d.]+\/[\d.]+ MB  [\d.]+ MB\/s\x1b\[K$/);
      expect(screen).to.contain('\r\x1b[Kreplayed ');
    }
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).to.equal(golden);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).to.equal(golden);
  });

  it('shows bytes and speed without a total when reading standard input', async () => {
    const dir = tempDir();
    const screen = await onTerminal(`${replay('-', '--out', join(dir, 'a.jsonl'))} < ${quote(SAMPLE)}`);
    const drawn = drawings(screen);
    expect(drawn).to.have.length.greaterThan(0);
    for (const drawing of drawn) expect(drawing).to.match(/^[\d.]+ MB  [\d.]+ MB\/s\x1b\[K$/);
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).to.equal(golden);
  });

  it('--no-progress: no bar', async () => {
    const dir = tempDir();
    const screen = await onTerminal(replay(SAMPLE, '--out', join(dir, 'a.jsonl'), '--no-progress'));
    expect(drawings(screen)).to.deep.equal([]);
    expect(screen).to.contain('replayed ');
  });
});
