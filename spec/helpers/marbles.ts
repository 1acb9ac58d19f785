import { expect } from 'chai';
import type { TestScheduler } from 'rxjs/testing';
import { newTestScheduler as withAssertion } from '../../lib/testing.js';

/** The package's TestScheduler with chai's deep equality, whose failures print a readable diff. */
export const newTestScheduler = (): TestScheduler =>
  withAssertion((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
