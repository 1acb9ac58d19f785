import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { listing, spawnCli, STACK_FRAME } from '../helpers/cli-process.js';
import { writeRecording } from '../helpers/recording.js';

/**
 * Runs the CLI with its stdout read as `| head -n` reads it: the pipe is closed once `lines` lines have
 * come (at once when 0). Resolves with the exit, what stderr said, and the lines read.
 */
async function pipedToHead(args: readonly string[], lines: number): Promise<{ code: number | null; signal: string | null; stderr: string; read: string[] }> {
  const child = spawnCli(args);
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  let text = '';
  if (lines === 0) child.stdout?.destroy();
  else {
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.split('\n').length > lines) child.stdout?.destroy();
    });
  }
  const { code, signal } = await closed;
  return { code, signal, stderr: Buffer.concat(stderr).toString(), read: text.split('\n').slice(0, lines) };
}

describe('a closed stdout (`| head`) ends a command quietly', function () {
  this.timeout(30_000);

  it('replay FILE | head -2: two lines, exit 0, nothing on stderr; an output file being written is left as it was', async () => {
    const dir = tempDir();
    // Far more analytics than a pipe holds, so the reader surely leaves before the end.
    writeRecording(join(dir, 'orders.jsonl'), 30_000);
    writeFileSync(join(dir, 'dead.jsonl'), 'previous\n');
    const before = listing(dir);
    const result = await pipedToHead(['replay', join(dir, 'orders.jsonl'), '--dead-letters', join(dir, 'dead.jsonl')], 2);
    expect(result.stderr).to.equal('');
    expect(result).to.deep.include({ code: 0, signal: null });
    expect(result.read.map((line) => JSON.parse(line).type)).to.have.length(2);
    expect(readFileSync(join(dir, 'dead.jsonl'), 'utf8')).to.equal('previous\n');
    expect(listing(dir)).to.deep.equal(before);
  });

  it('config | head -1 (closed before anything is written): exit 0, no stack trace', async () => {
    const result = await pipedToHead(['config'], 0);
    expect(result.stderr).not.to.match(STACK_FRAME);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
  });

  it('start with its stdout closed before anything is written: exit 0, nothing on stderr', async () => {
    const result = await pipedToHead(['start'], 0);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
  });
});
