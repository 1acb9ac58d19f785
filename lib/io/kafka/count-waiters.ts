/**
 * Promises that a sink's count (of messages acknowledged, or committed) reaches a mark: what `flush` and
 * `belowBound` wait on. `settle` after every move of the count, or once the sink has failed (then every
 * waiter is rejected with the failure).
 */
export class CountWaiters {
  private waiters: Array<{ readonly mark: number; readonly resolve: () => void; readonly reject: (e: Error) => void }> = [];

  constructor(
    private readonly count: () => number,
    private readonly failure: () => Error | undefined,
  ) {}

  waitFor(mark: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ mark, resolve, reject });
      this.settle();
    });
  }

  settle(): void {
    const failure = this.failure();
    const count = this.count();
    this.waiters = this.waiters.filter((w) => {
      if (failure !== undefined) w.reject(failure);
      else if (count >= w.mark) w.resolve();
      else return true;
      return false;
    });
  }
}
