import type { TestScheduler } from 'rxjs/testing';
import { lateRecords } from '../../lib/operators/late-records.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { tumblingWindows } from '../../lib/operators/window-assigner.js';
import { newTestScheduler } from '../helpers/marbles.js';

const HOUR = 3_600_000;

describe('lateRecords', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('picks a record whose window ended at or before the watermark: end - 1 <= W', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const onTime = record('a', HOUR - 1);
      const late = record('b', HOUR - 1);
      const next = record('c', HOUR);
      const source = cold<StreamElement<string>>('-x-a-y-b-c-|', { x: watermark(HOUR - 2), a: onTime, y: watermark(HOUR - 1), b: late, c: next });
      expectObservable(source.pipe(lateRecords(tumblingWindows(HOUR)))).toBe('-------b---|', { b: late });
    });
  });

  it('finds nothing late before the first watermark', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<string>>('-a-|', { a: record('a', 0) });
      expectObservable(source.pipe(lateRecords(tumblingWindows(HOUR)))).toBe('---|');
    });
  });

  it('forwards errors and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<StreamElement<string>>('-#').pipe(lateRecords(tumblingWindows(HOUR)))).toBe('-#');
      const source = cold<StreamElement<string>>('-w-a-', { w: watermark(HOUR), a: record('a', 1) });
      expectObservable(source.pipe(lateRecords(tumblingWindows(HOUR))), '^-!').toBe('---');
    });
  });
});
