import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);

/** Runs a command in `cwd`; on failure, the error carries its output. */
async function sh(cwd: string, command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  // Without the suite's broker: `start` must replay the sample, as for a user with no Kafka configured.
  const { KAFKA_BOOTSTRAP_SERVERS: _broker, ...env } = process.env;
  try {
    return await run(command, [...args], { cwd, env: { ...env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/**
 * The package as a user gets it: `npm pack` of this checkout (already built by `npm test`), installed from
 * the tarball into a project of its own, which is examples/library-usage: an operator of its own built
 * from ours and marble-tested with RxJS's TestScheduler, and a sink of its own.
 */
describe('the published package, installed from its tarball', function () {
  this.timeout(300_000);
  let project = '';

  before(async () => {
    const packed = tempDir();
    // --ignore-scripts: `prepare` would rebuild dist/ under the running suite; `npm test` has just built it.
    const { stdout } = await sh(REPO, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packed]);
    const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (info === undefined) throw new Error(`npm pack said nothing:\n${stdout}`);
    project = join(tempDir(), 'library-usage');
    cpSync(join(REPO, 'examples/library-usage'), project, { recursive: true, filter: (src) => !/\/(node_modules|dist)(\/|$)/.test(src) });
    // The example names the package as a user would (`^0.1.0`); here it is this checkout's tarball.
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies['stream-processor'] = `file:${join(packed, info.filename)}`;
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await sh(project, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  });

  it('ships the built library, its config and the sample, and neither sources, specs nor benchmarks', () => {
    const installed = join(project, 'node_modules/stream-processor');
    // patches/: for a user who runs the service exactly once from a dependency install (see the README).
    expect(readdirSync(installed).sort()).to.deep.equal(['README.md', 'config', 'dist', 'examples', 'lib', 'package.json', 'patches']);
    expect(readdirSync(join(installed, 'dist'))).to.deep.equal(['lib']);
    // lib/: only the console's page, served as it is (HTML, one ES module, CSS), no TypeScript.
    expect(readdirSync(join(installed, 'lib'), { recursive: true }).map(String).sort()).to.deep.equal(['console', 'console/page', 'console/page/console.css', 'console/page/console.js', 'console/page/index.html']);
    expect(readdirSync(join(installed, 'examples'))).to.deep.equal(['sample-orders.jsonl.gz']);
  });

  it("type-checks and passes the example's own tests (tsc, then node --test)", async () => {
    const { stdout } = await sh(project, 'npm', ['test']);
    expect(stdout).to.match(/# pass [1-9]/);
    expect(stdout).to.match(/# fail 0/);
  });

  it('imports the API and the testing entry, and nothing else of dist/', async () => {
    const script = `
      const api = await import('stream-processor');
      const testing = await import('stream-processor/testing');
      const names = [typeof api.analyticsPipeline, typeof api.windowAggregate, typeof api.Order.decode, typeof testing.newTestScheduler];
      let deep = 'reachable';
      try { await import('stream-processor/dist/lib/service/config.js'); } catch (e) { deep = e.code; }
      console.log(JSON.stringify({ names, deep }));`;
    const { stdout } = await sh(project, process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal({ names: ['function', 'function', 'function', 'function'], deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });

  it('runs its command from the installed package: start replays the bundled sample', async () => {
    const { stdout } = await sh(project, 'npx', ['--no-install', 'stream-processor', 'start']);
    expect(stdout).to.equal(readFileSync(join(REPO, 'spec/golden/sample-analytics.jsonl'), 'utf8'));
  });
});
