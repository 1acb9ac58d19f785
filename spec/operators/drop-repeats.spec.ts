import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import { dropRepeats } from '../../lib/operators/drop-repeats.js';
import { newTestScheduler } from '../helpers/marbles.js';

/** A record of lane `lane` with sequence number `seq`, or a word (which always passes). */
type Item = { readonly kind: 'record'; readonly lane: number; readonly seq: number } | { readonly kind: 'word'; readonly lane: number };
const r = (lane: number, seq: number): Item => ({ kind: 'record', lane, seq });
const options = { isRecord: (i: Item) => i.kind === 'record', laneOf: (i: Item) => i.lane, sequenceOf: (i: Item) => (i.kind === 'record' ? i.seq : -1) };

describe('dropRepeats', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = newTestScheduler();
  });

  it('drops a record at or below the last sequence number taken in its lane', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Item>('-a-b-c-d-e-f-|', { a: r(0, 1), b: r(0, 2), c: r(0, 3), d: r(0, 2), e: r(0, 3), f: r(0, 4) });
      expectObservable(source.pipe(dropRepeats(options))).toBe('-a-b-c-----f-|', { a: r(0, 1), b: r(0, 2), c: r(0, 3), f: r(0, 4) });
    });
  });

  it('keeps lanes apart and lets words through', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const w: Item = { kind: 'word', lane: 0 };
      const source = cold<Item>('-a-b-w-c-|', { a: r(0, 5), b: r(1, 1), w, c: r(1, 1) });
      expectObservable(source.pipe(dropRepeats(options))).toBe('-a-b-w---|', { a: r(0, 5), b: r(1, 1), w });
    });
  });

  it('starts from the restored sequence numbers, and tells each record taken with the one before it in its lane', () => {
    const taken: Array<[number, number]> = [];
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<Item>('-a-b-c-|', { a: r(0, 7), b: r(0, 8), c: r(1, 0) });
      const operator = dropRepeats({ ...options, taken: new Map([[0, 7]]), onTaken: (i: Item, before: number) => taken.push([i.kind === 'record' ? i.seq : -1, before]) });
      expectObservable(source.pipe(operator)).toBe('---b-c-|', { b: r(0, 8), c: r(1, 0) });
    });
    expect(taken).to.deep.equal([[8, 7], [0, -1]]);
  });

  it('gives each subscription its own memory', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const dropping = cold<Item>('-a-a-|', { a: r(0, 1) }).pipe(dropRepeats(options));
      expectObservable(dropping).toBe('-a---|', { a: r(0, 1) });
      expectObservable(dropping).toBe('-a---|', { a: r(0, 1) });
    });
  });
});
