import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { abortFilterIsSound, type AbortFilter } from '../../lib/io/kafka/read-committed.js';
import { REPO, tempDir } from '../helpers/cli.js';

/** The kafkajs patch (patches/kafkajs+2.2.4.patch): its read_committed filter, installed and as released. */
describe('kafkajs read_committed filter', () => {
  const require = createRequire(import.meta.url);
  const installed = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');

  it('is patched as installed: records of interleaved aborted transactions do not get through (fails if npm install did not apply the patch)', () => {
    expect(abortFilterIsSound()).to.equal(true);
  });

  it('as released, lets a record of an aborted transaction through: the check tells the two apart', () => {
    // The released file: the patch (its consumer half) taken back off a copy of the installed one.
    const src = join(tempDir(), 'src');
    mkdirSync(join(src, 'consumer'), { recursive: true });
    cpSync(join(dirname(installed), '../utils'), join(src, 'utils'), { recursive: true });
    cpSync(installed, join(src, 'consumer/filterAbortedMessages.js'));
    execFileSync('git', ['apply', '-R', '-p3', '--include=*/filterAbortedMessages.js', join(REPO, 'patches/kafkajs+2.2.4.patch')], { cwd: dirname(src), stdio: 'ignore' });
    const released = require(join(src, 'consumer/filterAbortedMessages.js')) as AbortFilter;
    expect(abortFilterIsSound(released)).to.equal(false);
  });
});
