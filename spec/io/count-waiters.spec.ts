import { expect } from 'chai';
import { CountWaiters } from '../../lib/io/kafka/count-waiters.js';

describe('CountWaiters (what a sink’s flush and belowBound wait on)', () => {
  it('resolves each waiter once the count reaches its mark, in any order of marks; at once if it already has', async () => {
    let count = 0;
    const waiters = new CountWaiters(() => count, () => undefined);
    const done: number[] = [];
    const marks = [3, 1, 2].map((mark) => waiters.waitFor(mark).then(() => void done.push(mark)));
    count = 1;
    waiters.settle();
    await Promise.resolve();
    expect(done).to.deep.equal([1]);
    count = 3;
    waiters.settle();
    await Promise.all(marks);
    expect(done.sort()).to.deep.equal([1, 2, 3]);
    await waiters.waitFor(2);
  });

  it('rejects every waiter with the failure once there is one', async () => {
    let failure: Error | undefined;
    const waiters = new CountWaiters(() => 0, () => failure);
    const waiting = waiters.waitFor(1);
    failure = new Error('fenced');
    waiters.settle();
    let refused: unknown;
    await waiting.catch((e: unknown) => (refused = e));
    expect(refused).to.equal(failure);
    await waiters.waitFor(0).then(
      () => expect.fail('a failed sink resolves nothing'),
      (e: unknown) => expect(e).to.equal(failure),
    );
  });
});
