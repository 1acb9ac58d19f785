import type { TestScheduler } from 'rxjs/testing';
import { inEventTimeOrder } from '../../lib/operators/in-event-time-order.js';
import { record, watermark, type StreamElement } from '../../lib/operators/stream-element.js';
import { newTestScheduler } from '../helpers/marbles.js';

describe('inEventTimeOrder', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('holds records until the watermark passes them, then releases them earliest first', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = record('a', 10);
      const b = record('b', 20);
      const c = record('c', 30);
      const w = watermark(25);
      const source = cold<StreamElement<string>>('-b-a-c-w-----|', { a, b, c, w });
      expectObservable(source.pipe(inEventTimeOrder())).toBe('-------(abw)-(c|)', { a, b, c, w });
    });
  });

  it('releases a record when the watermark equals its timestamp, and keeps arrival order on ties', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const x1 = record('x1', 10);
      const x2 = record('x2', 10);
      const w = watermark(10);
      const source = cold<StreamElement<string>>('-x-y-w----|', { x: x1, y: x2, w });
      expectObservable(source.pipe(inEventTimeOrder())).toBe('-----(xyw)|', { x: x1, y: x2, w });
    });
  });

  it('drops a record at or behind the watermark: it can no longer be put in order', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const w = watermark(50);
      const behind = record('behind', 50);
      const ahead = record('ahead', 51);
      const source = cold<StreamElement<string>>('-w-b-a-|', { w, b: behind, a: ahead });
      expectObservable(source.pipe(inEventTimeOrder())).toBe('-w-----(a|)', { w, a: ahead });
    });
  });

  it('forwards errors and stops on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<StreamElement<string>>('-#').pipe(inEventTimeOrder())).toBe('-#');
      const source = cold<StreamElement<string>>('-a-w-', { a: record('a', 1), w: watermark(5) });
      expectObservable(source.pipe(inEventTimeOrder()), '^-!').toBe('---');
    });
  });
});
