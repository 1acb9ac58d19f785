import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { DeadLetterLog } from '../../lib/service/dead-letter-log.js';
import { createLogger, type LogLevel } from '../../lib/service/logger.js';
import { deadLetter, type DeadLetterReason } from '../../lib/model/dead-letter.js';

/** A logger writing to memory, and the lines it has written so far. */
function capture(level: LogLevel, readable: boolean) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createLogger(level, stream, readable);
  // winston writes through a stream pipeline, a turn or more later: log an end mark (error always passes
  // the level) and wait for it, so that everything logged before it is there.
  let marks = 0;
  const lines = async (): Promise<string[]> => {
    const mark = `end of capture ${marks++}`;
    logger.error(mark);
    await until(() => chunks.join('').includes(mark));
    const all = chunks.join('').split('\n').filter((l) => l !== '');
    return all.slice(0, all.findIndex((l) => l.includes(mark))).filter((l) => !/end of capture \d+/.test(l));
  };
  return { logger, lines, text: () => chunks.join('') };
}

/** Waits a turn at a time until `done`, for at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for log output');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const letter = (reason: DeadLetterReason, offset: number) => deadLetter(reason, `bad record ${offset}`, { partition: 1, offset }, 'raw');

describe('logs', () => {
  describe('createLogger', () => {
    it('writes one JSON object a line where no one watches (not a terminal)', async () => {
      const { logger, lines } = capture('info', false);
      logger.info('consuming', { topic: 'orders', group: 'g' });
      logger.warn('slow');
      const [first, second, ...rest] = await lines();
      expect(rest).to.deep.equal([]);
      const entry = JSON.parse(first ?? '') as Record<string, unknown>;
      expect(entry).to.include({ level: 'info', message: 'consuming', topic: 'orders', group: 'g' });
      expect(new Date(String(entry.timestamp)).getTime()).to.be.closeTo(Date.now(), 60_000);
      expect(JSON.parse(second ?? '')).to.include({ level: 'warn', message: 'slow' });
    });

    it('writes short readable lines on a terminal: time, level, message, then any fields as JSON', async () => {
      const { logger, lines } = capture('info', true);
      logger.info('consuming', { topic: 'orders' });
      logger.error('failed');
      const [first, second, ...rest] = await lines();
      expect(rest).to.deep.equal([]);
      expect(first).to.match(/^\d\d:\d\d:\d\d\.\d\d\d info  consuming \{"topic":"orders"\}$/);
      expect(second).to.match(/^\d\d:\d\d:\d\d\.\d\d\d error failed$/);
    });

    it('drops what is less severe than the configured level', async () => {
      const warn = capture('warn', false);
      warn.logger.debug('d');
      warn.logger.info('i');
      warn.logger.warn('w');
      warn.logger.error('e');
      expect((await warn.lines()).map((l) => (JSON.parse(l) as { message: string }).message)).to.deep.equal(['w', 'e']);

      const debug = capture('debug', false);
      debug.logger.debug('d');
      debug.logger.info('i');
      expect((await debug.lines()).map((l) => (JSON.parse(l) as { message: string }).message)).to.deep.equal(['d', 'i']);
    });

    it('picks the format from the stream: readable only on a TTY', async () => {
      const stream = Object.assign(new PassThrough(), { isTTY: true });
      const chunks: string[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c.toString()));
      createLogger('info', stream).info('hello');
      await until(() => chunks.join('').endsWith('\n'));
      expect(chunks.join('')).to.match(/^\d\d:\d\d:\d\d\.\d\d\d info  hello\n$/);
    });
  });

  describe('DeadLetterLog', () => {
    it('logs the first dead letter of each reason in full, then only counts', async () => {
      const { logger, lines } = capture('info', false);
      const log = new DeadLetterLog(logger, 60_000);
      log.record(letter('not_json', 1));
      log.record(letter('not_json', 2));
      log.record(letter('invalid', 3));
      log.record(letter('not_json', 4));
      log.record(letter('invalid', 5));
      log.record(letter('late', 6));
      const full = (await lines()).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(full).to.have.length(3);
      expect(full[0]).to.include({ level: 'warn', message: 'dead letter (not_json): bad record 1', partition: 1, offset: 1 });
      expect(full[1]).to.include({ message: 'dead letter (invalid): bad record 3', offset: 3 });
      expect(full[2]).to.include({ message: 'dead letter (late): bad record 6', offset: 6 });
      log.close();
    });

    it('sums up the rest per reason, once per interval, and says nothing when there is nothing new', async () => {
      const { logger, lines } = capture('info', false);
      const log = new DeadLetterLog(logger, 60_000);
      for (let i = 0; i < 5; i++) log.record(letter('not_json', i));
      for (let i = 0; i < 3; i++) log.record(letter('too_large', 10 + i));
      log.summarise();
      log.summarise();
      log.record(letter('too_large', 20));
      log.close();
      log.record(letter('too_large', 21));
      const summaries = (await lines()).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.message === 'more dead letters');
      expect(summaries.map((s) => s.byReason)).to.deep.equal([{ not_json: 4, too_large: 2 }, { too_large: 1 }]);
      expect(summaries.every((s) => s.level === 'warn')).to.equal(true);
    });

    it('sums up on its own timer', async () => {
      const { logger, lines, text } = capture('info', false);
      const log = new DeadLetterLog(logger, 30);
      for (let i = 0; i < 4; i++) log.record(letter('invalid', i));
      // No close and no summarise() here: only the timer can write the summary.
      await until(() => text().includes('more dead letters'));
      log.close();
      const summaries = (await lines()).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.message === 'more dead letters');
      expect(summaries.map((s) => s.byReason)).to.deep.equal([{ invalid: 3 }]);
    });
  });
});
