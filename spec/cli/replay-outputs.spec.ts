import { expect } from 'chai';
import { chmodSync, closeSync, linkSync, openSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, SAMPLE, tempDir } from '../helpers/cli.js';
import { exited, listing, runCliWith, sizeOf, spawnCli, waitFor } from '../helpers/cli-process.js';
import { writeRecording } from '../helpers/recording.js';

const golden = readFileSync(new URL('../../../spec/golden/sample-analytics.jsonl', import.meta.url), 'utf8');

/** Exit 2 with one line on stderr that says `mentions`. */
function expectRefusal(result: { code: number | null; stderr: string }, mentions: string): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stderr.trimEnd().split('\n'), result.stderr).to.have.length(1);
  expect(result.stderr).to.contain(mentions);
}

describe('replay outputs: never the input, never cut short', function () {
  this.timeout(30_000);

  describe('an output that is the input or the other output is refused before anything is touched', () => {
    let dir: string;
    let input: string;
    let bytes: Buffer;
    beforeEach(() => {
      dir = tempDir();
      input = join(dir, 'big.jsonl');
      writeRecording(input, 2_000);
      bytes = readFileSync(input);
    });
    const untouched = (...others: string[]) => {
      expect(readFileSync(input).equals(bytes), 'the input is byte for byte as it was').to.equal(true);
      expect(listing(dir)).to.deep.equal(['big.jsonl', ...others].sort());
    };

    it('--out at the input', async () => {
      expectRefusal(await runCli(['replay', input, '--out', input]), `--out ${input}: that is the input file`);
      untouched();
    });

    it('--dead-letters at the input', async () => {
      expectRefusal(await runCli(['replay', input, '--dead-letters', input]), `--dead-letters ${input}: that is the input file`);
      untouched();
    });

    it('--out and --dead-letters at one file, new or existing', async () => {
      const both = join(dir, 'both.jsonl');
      expectRefusal(await runCli(['replay', input, '--out', both, '--dead-letters', both]), `--dead-letters ${both}: that is also the --out file`);
      untouched();
      writeFileSync(both, 'kept\n');
      expectRefusal(await runCli(['replay', input, '--out', both, '--dead-letters', join(dir, '.', 'both.jsonl')]), 'that is also the --out file');
      untouched('both.jsonl');
      expect(readFileSync(both, 'utf8')).to.equal('kept\n');
    });

    it('a symlink or a hard link to the input, either way round', async () => {
      symlinkSync(input, join(dir, 'soft.jsonl'));
      linkSync(input, join(dir, 'hard.jsonl'));
      expectRefusal(await runCli(['replay', input, '--out', join(dir, 'soft.jsonl')]), 'that is the input file');
      expectRefusal(await runCli(['replay', input, '--dead-letters', join(dir, 'hard.jsonl')]), 'that is the input file');
      expectRefusal(await runCli(['replay', join(dir, 'soft.jsonl'), '--out', input]), 'that is the input file');
      expectRefusal(await runCli(['replay', join(dir, 'hard.jsonl'), '--out', join(dir, 'soft.jsonl')]), 'that is the input file');
      untouched('soft.jsonl', 'hard.jsonl');
    });

    it('standard input redirected from the file named as an output', async () => {
      const fd = openSync(input, 'r');
      try {
        expectRefusal(await runCliWith(['replay', '-', '--out', input], { stdin: fd }), `--out ${input}: that is the input file`);
      } finally {
        closeSync(fd);
      }
      untouched();
    });
  });

  describe('an output file is put in place only once the replay is complete', () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} mid-write leaves the previous file as it was and no temporary file`, async () => {
        const dir = tempDir();
        const lines = writeRecording(join(dir, 'orders.jsonl'), 30_000);
        const out = join(dir, 'out.jsonl');
        writeFileSync(out, golden);
        const before = listing(dir);
        // Fed through standard input and never ended, so the run is surely still writing when killed.
        const child = spawnCli(['replay', '-', '--out', out, '--no-progress'], { stdin: 'pipe' });
        await new Promise((resolve) => child.stdin?.write(lines.join('\n') + '\n', resolve));
        const temp = () => listing(dir).find((name) => name.startsWith('.out.jsonl.') && name.endsWith('.tmp'));
        await waitFor('analytics written to a temporary file beside out.jsonl', () => {
          const name = temp();
          return name !== undefined && sizeOf(join(dir, name)) > 0;
        });
        expect(readFileSync(out, 'utf8'), 'the target is not written while the run goes on').to.equal(golden);
        child.kill(signal);
        expect(await exited(child)).to.deep.equal({ code: null, signal });
        expect(readFileSync(out, 'utf8')).to.equal(golden);
        expect(listing(dir)).to.deep.equal(before);
      });
    }

    it('a run that fails (a cut-short .gz) leaves both outputs as they were, exit 1', async () => {
      const dir = tempDir();
      const lines = writeRecording(join(dir, 'orders.jsonl'), 5_000);
      const gz = gzipSync(lines.join('\n') + '\n');
      writeFileSync(join(dir, 'cut.jsonl.gz'), gz.subarray(0, Math.floor(gz.length * 0.8)));
      writeFileSync(join(dir, 'out.jsonl'), 'old analytics\n');
      writeFileSync(join(dir, 'dead.jsonl'), 'old dead letters\n');
      const before = listing(dir);
      const result = await runCli(['replay', join(dir, 'cut.jsonl.gz'), '--out', join(dir, 'out.jsonl'), '--dead-letters', join(dir, 'dead.jsonl')]);
      expect(result.code, result.stderr).to.equal(1);
      expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).to.equal('old analytics\n');
      expect(readFileSync(join(dir, 'dead.jsonl'), 'utf8')).to.equal('old dead letters\n');
      expect(listing(dir)).to.deep.equal(before);
    });

    it('a complete run replaces the file, keeping its permissions, and writes through a symlink to the file it names', async () => {
      const dir = tempDir();
      const out = join(dir, 'out.jsonl');
      writeFileSync(out, 'old\n');
      chmodSync(out, 0o640);
      symlinkSync(out, join(dir, 'link.jsonl'));
      const result = await runCli(['replay', SAMPLE, '--out', join(dir, 'link.jsonl')]);
      expect(result.code, result.stderr).to.equal(0);
      expect(readFileSync(out, 'utf8')).to.equal(golden);
      expect(statSync(out).mode & 0o777).to.equal(0o640);
      expect(listing(dir)).to.deep.equal(['link.jsonl', 'out.jsonl']);
      expect(readFileSync(join(dir, 'link.jsonl'), 'utf8')).to.equal(golden);
    });

    it('writes straight into what is not a regular file, such as /dev/null', async () => {
      const result = await runCli(['replay', SAMPLE, '--out', '/dev/null', '--dead-letters', '/dev/null']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.contain('outputs       hourly_sales 3, customer_stats 13, fraud_alert 4');
    });
  });
});
