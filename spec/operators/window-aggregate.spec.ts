import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import type { AggregateFunction } from '../../lib/operators/aggregate-function.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { windowAggregate } from '../../lib/operators/window-aggregate.js';
import { tumblingWindows, type TimeWindow } from '../../lib/operators/window-assigner.js';
import { newTestScheduler } from '../helpers/marbles.js';

interface Sale {
  readonly who: string;
  readonly n: number;
}
const HOUR = 3_600_000;
const sum: AggregateFunction<Sale, number, number> = {
  createAccumulator: () => 0,
  add: (sale, acc) => acc + sale.n,
  getResult: (acc) => acc,
};
const unkeyed = () =>
  windowAggregate<Sale, undefined, number, number, string>({
    assigner: tumblingWindows(HOUR),
    aggregate: sum,
    emit: (total, w: TimeWindow) => `${w.start}:${total}`,
  });
const keyed = () =>
  windowAggregate<Sale, string, number, number, string>({
    assigner: tumblingWindows(HOUR),
    keyBy: (s) => s.who,
    aggregate: sum,
    emit: (total, w, who) => `${w.start}:${who}:${total}`,
  });
const r = (who: string, n: number, t: number) => record<Sale>({ who, n }, t);

describe('windowAggregate', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('fires a window exactly when the watermark reaches end - 1, not a millisecond before', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-b-x-y-', {
        a: r('u', 1, 10),
        b: r('u', 2, HOUR - 1),
        x: watermark(HOUR - 2),
        y: watermark(HOUR - 1),
      });
      expectObservable(source.pipe(unkeyed())).toBe('-------S-', { S: '0:3' });
    });
  });

  it('takes a record at end - 1 while the watermark is end - 2, and drops it once it is end - 1', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-x-a-y-b-|', {
        x: watermark(HOUR - 2),
        a: r('u', 1, HOUR - 1),
        y: watermark(HOUR - 1),
        b: r('u', 100, HOUR - 1),
      });
      expectObservable(source.pipe(unkeyed())).toBe('-----S---|', { S: '0:1' });
    });
  });

  it('keeps one accumulator per key, emitting keys in order of first arrival', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-b-c-w---|', {
        a: r('zed', 1, 10),
        b: r('amy', 2, 20),
        c: r('zed', 4, 30),
        w: watermark(HOUR - 1),
      });
      expectObservable(source.pipe(keyed())).toBe('-------(ZA)|', { Z: '0:zed:5', A: '0:amy:2' });
    });
  });

  it('handles disorder: windows fire earliest first whatever the arrival order, empty windows say nothing', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-b-c-w----|', {
        a: r('u', 1, 3 * HOUR + 5),
        b: r('u', 2, HOUR + 5),
        c: r('u', 4, 5),
        w: watermark(10 * HOUR),
      });
      expectObservable(source.pipe(unkeyed())).toBe('-------(XYZ)|', { X: '0:4', Y: `${HOUR}:2`, Z: `${3 * HOUR}:1` });
    });
  });

  it('flushes every open window on completion', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-b-|', { a: r('u', 1, 5), b: r('u', 2, HOUR) });
      expectObservable(source.pipe(unkeyed())).toBe('-----(XY|)', { X: '0:1', Y: `${HOUR}:2` });
    });
  });

  it('frees a window as it fires: a later record of that window is late, not a second result', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-w-b-|', { a: r('u', 1, 5), w: watermark(HOUR), b: r('u', 2, 6) });
      expectObservable(source.pipe(unkeyed())).toBe('---X---|', { X: '0:1' });
    });
  });

  it('reports open windows and accumulators as they come and go', () => {
    const sizes: Array<[number, number]> = [];
    scheduler.run(({ cold, expectObservable }) => {
      const op = windowAggregate<Sale, string, number, number, string>({
        assigner: tumblingWindows(HOUR),
        keyBy: (s) => s.who,
        aggregate: sum,
        emit: (total, w, who) => `${who}:${total}`,
        onSize: (windows, panes) => sizes.push([windows, panes]),
      });
      const source = cold<StreamElement<Sale>>('-a-b-c-w-', { a: r('x', 1, 5), b: r('y', 1, 6), c: r('x', 1, HOUR), w: watermark(HOUR - 1) });
      expectObservable(source.pipe(op)).toBe('-------(XY)', { X: 'x:1', Y: 'y:1' });
    });
    expect(sizes).to.deep.equal([
      [1, 1],
      [1, 2],
      [2, 3],
      [1, 1],
    ]);
  });

  it('forwards errors, and an error thrown by the aggregate', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<StreamElement<Sale>>('-#').pipe(unkeyed())).toBe('-#');
      const failing = windowAggregate<Sale, undefined, number, number, number>({
        assigner: tumblingWindows(HOUR),
        aggregate: {
          ...sum,
          add: () => {
            throw new Error('bad');
          },
        },
        emit: (n) => n,
      });
      expectObservable(cold<StreamElement<Sale>>('-a-', { a: r('u', 1, 1) }).pipe(failing)).toBe('-#', undefined, new Error('bad'));
    });
  });

  it('stops at an early unsubscribe and emits nothing more', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<StreamElement<Sale>>('-a-b-w-|', { a: r('u', 1, 5), b: r('u', 1, 6), w: watermark(HOUR) });
      expectObservable(source.pipe(unkeyed()), '^--!').toBe('----');
    });
  });
});
