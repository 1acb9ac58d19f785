/**
 * One question to the broker at a time, answered to everyone who asked: a caller gets the answer to a
 * question sent after it asked (never an older one), and callers that come while a question is out share
 * the next one.
 */
export function singleFlight<T>(ask: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const run = (): Promise<T> => {
    const p = ask().finally(() => {
      if (current === p) current = undefined;
    });
    current = p;
    return p;
  };
  return () => {
    if (current === undefined) return run();
    if (queued === undefined) {
      queued = current.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        queued = undefined;
        return run();
      });
    }
    return queued;
  };
}
