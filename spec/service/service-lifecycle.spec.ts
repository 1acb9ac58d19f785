import { expect } from 'chai';
import { loadConfig, type Config } from '../../lib/service/config.js';
import { createLogger } from '../../lib/service/logger.js';
import { runService } from '../../lib/service/service.js';
import { MemoryBroker } from '../helpers/memory-broker.js';
import { Writable } from 'node:stream';

const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }), false);
const config = (restartAttempts: number, restartDelayMs: number): Config => {
  const base = loadConfig({ env: {} });
  return { ...base, job: { ...base.job, restartAttempts, restartDelayMs } };
};

describe('runService lifecycle (restart strategy, stop)', () => {
  it('restarts a failed run after the delay, at most restartAttempts times, then throws the cause', async () => {
    const broker = new MemoryBroker(() => new Error('consumer crashed'));
    const restarts: number[] = [];
    const started = Date.now();
    let thrown: unknown;
    try {
      await runService(config(3, 30), quiet, new AbortController().signal, { onRestart: (n) => restarts.push(n) }, broker);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).to.equal('consumer crashed');
    expect(broker.starts).to.equal(4);
    expect(restarts).to.deep.equal([1, 2, 3]);
    expect(Date.now() - started).to.be.at.least(90);
  });

  it('recovers when a restart succeeds, and stops cleanly on abort', async () => {
    const broker = new MemoryBroker((run) => (run === 1 ? new Error('transient') : 'ok'));
    const controller = new AbortController();
    const running: boolean[] = [];
    let recovered: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (recovered = resolve));
    const onRunning = (r: boolean) => {
      running.push(r);
      if (running.filter((x) => x).length === 2) recovered();
    };
    const done = runService(config(3, 10), quiet, controller.signal, { onRunning }, broker);
    await second;
    controller.abort();
    await done;
    expect(broker.starts).to.equal(2);
    expect(running).to.deep.equal([true, false, true, false]);
  });

  it('stops at once while the broker cannot be reached yet', async () => {
    const broker = new MemoryBroker(() => 'ok', new Promise(() => undefined));
    const controller = new AbortController();
    const done = runService(config(3, 10), quiet, controller.signal, {}, broker);
    setTimeout(() => controller.abort(), 20);
    await done;
    expect(broker.starts).to.equal(0);
  });
});
