import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { REPO, SAMPLE, tempDir } from '../helpers/cli.js';
import { runCliWith, STACK_FRAME } from '../helpers/cli-process.js';
import { writeRecording } from '../helpers/recording.js';

const golden = readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8');

/** The line a gunzip of `bytes` stops in: one past the lines it unpacked whole before failing. */
function lineWhereGunzipStops(bytes: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let newlines = 0;
    const gunzip = createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) newlines += 1;
    });
    gunzip.on('error', () => resolve(newlines + 1));
    gunzip.on('end', () => resolve(-1));
    gunzip.end(bytes);
  });
}

describe('replay input: standard input, gzip by content, broken files', function () {
  this.timeout(30_000);

  it('`replay -` reads standard input, plain or gzipped, with the same results as the file', async () => {
    const gz = readFileSync(SAMPLE);
    for (const input of [gz, gunzipSync(gz)]) {
      const result = await runCliWith(['replay', '-'], { stdin: input });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(golden);
      expect(result.stderr).to.contain('replayed standard input in');
    }
  });

  it('gunzips a file that starts with gzip magic bytes whatever its name', async () => {
    const dir = tempDir();
    copyFileSync(SAMPLE, join(dir, 'orders.data'));
    const result = await runCliWith(['replay', join(dir, 'orders.data')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(golden);
  });

  it('a cut-short .gz: exit 1, one line naming the file and the line where it stopped, no stack trace', async () => {
    const dir = tempDir();
    const lines = writeRecording(join(dir, 'orders.jsonl'), 20_000);
    const whole = gzipSync(lines.join('\n') + '\n');
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    writeFileSync(join(dir, 'cut.jsonl.gz'), cut);
    const line = await lineWhereGunzipStops(cut);
    expect(line, 'the cut falls inside the data').to.be.within(2, lines.length);
    for (const input of [join(dir, 'cut.jsonl.gz'), '-']) {
      const result = await runCliWith(['replay', input], input === '-' ? { stdin: cut } : {});
      expect(result.code, result.stderr).to.equal(1);
      const name = input === '-' ? 'standard input' : input;
      expect(result.stderr).to.equal(`stream-processor: ${name}: gzip data cut short (unexpected end of file); stopped at line ${line}\n`);
      expect(result.stderr).not.to.match(STACK_FRAME);
      // Every line before the break was replayed.
      expect(result.stdout.length).to.be.greaterThan(0);
    }
  });

  it('a .gz that is not gzip at all: exit 1, one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'orders.jsonl.gz'), 'plain text, not gzip\n');
    const result = await runCliWith(['replay', join(dir, 'orders.jsonl.gz')]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.equal(`stream-processor: ${join(dir, 'orders.jsonl.gz')}: gzip data damaged (incorrect header check); stopped at line 1\n`);
  });

  describe('relative paths are taken from the current directory', () => {
    let cwd: string;
    before(() => {
      cwd = tempDir();
      mkdirSync(join(cwd, 'in'));
      mkdirSync(join(cwd, 'out'));
      copyFileSync(SAMPLE, join(cwd, 'in/sample.jsonl.gz'));
    });

    it('replay FILE --out --dead-letters', async () => {
      const result = await runCliWith(['replay', 'in/sample.jsonl.gz', '--out', 'out/analytics.jsonl', '--dead-letters', 'out/dead.jsonl'], { cwd });
      expect(result.code, result.stderr).to.equal(0);
      expect(readFileSync(join(cwd, 'out/analytics.jsonl'), 'utf8')).to.equal(golden);
      expect(readFileSync(join(cwd, 'out/dead.jsonl'), 'utf8').trim().split('\n')).to.have.length(12);
    });

    it('start --sample and REPLAY_SAMPLE; the bundled default is still found from the package', async () => {
      const orders = writeRecording(join(cwd, 'in/mine.jsonl'), 50);
      const flag = await runCliWith(['start', '--sample', 'in/mine.jsonl'], { cwd });
      expect(flag.code, flag.stderr).to.equal(0);
      expect(flag.stderr).to.contain(`replayed ${join(cwd, 'in/mine.jsonl')} in`);
      expect(flag.stderr).to.match(new RegExp(`records\\s+${orders.length} `));
      const env = await runCliWith(['start'], { cwd, env: { REPLAY_SAMPLE: 'in/sample.jsonl.gz' } });
      expect(env.code, env.stderr).to.equal(0);
      expect(env.stderr).to.contain(`replayed ${join(cwd, 'in/sample.jsonl.gz')} in`);
      expect(env.stdout).to.equal(golden);
      const bundled = await runCliWith(['start'], { cwd });
      expect(bundled.code, bundled.stderr).to.equal(0);
      expect(bundled.stderr).to.contain(`replayed ${SAMPLE} in`);
      expect(bundled.stdout).to.equal(golden);
    });

    it('a --sample missing from the current directory is named as resolved there', async () => {
      const result = await runCliWith(['start', '--sample', 'examples/sample-orders.jsonl.gz'], { cwd });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal(`stream-processor: ${join(cwd, 'examples/sample-orders.jsonl.gz')}: cannot read it (ENOENT)\n`);
    });
  });
});
