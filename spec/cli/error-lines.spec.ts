import { expect } from 'chai';
import { join } from 'node:path';
import { runCli, SAMPLE, tempDir } from '../helpers/cli.js';

/** Every error a person can cause at the command line: one line, `stream-processor: <what>: <why>`, exit 2. */
const ONE_LINE = /^stream-processor: [^\n:]+: [^\n]+\n$/;

describe('error lines share one format', function () {
  this.timeout(30_000);

  const cases: ReadonlyArray<readonly [string, readonly string[], NodeJS.ProcessEnv?]> = [
    ['an unknown command', ['frobnicate']],
    ['an unknown flag', ['replay', SAMPLE, '--bogus']],
    ['a flag without its value', ['replay', SAMPLE, '--window-size-ms']],
    ['a bad setting from a flag', ['replay', SAMPLE, '--window-size-ms', '0x10']],
    ['a bad setting from the environment', ['config'], { ANALYTICS_IDLE_TIMEOUT_MS: ' 30000' }],
    ['a missing file', ['replay', join(tempDir(), 'nope.jsonl')]],
    ['replay without a file', ['replay']],
    ['an output that is the input', ['replay', SAMPLE, '--out', SAMPLE]],
    ['help of an unknown topic', ['help', 'nope']],
    ['start with an argument', ['start', 'extra']],
    ['produce without Kafka', ['produce', SAMPLE]],
    ['generate without Kafka', ['generate']],
    ['run without Kafka', ['run']],
  ];
  for (const [what, args, env] of cases) {
    it(what, async () => {
      const result = await runCli(args, env ?? {});
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(ONE_LINE);
      expect(result.stdout).to.equal('');
    });
  }
});
