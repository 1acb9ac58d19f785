import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries a Kafka call that failed with an error the client marks retriable (a coordinator still
 * loading, a leader moving): backoff doubling from 200 ms to 5 s, with jitter, at most `attempts` tries.
 * Anything else fails at once.
 */
export async function retrying<T>(call: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1, delay = 200; ; attempt++, delay = Math.min(5_000, delay * 2)) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || (err as { retriable?: boolean }).retriable !== true) throw err;
      await sleep(delay * (0.8 + Math.random() * 0.4));
    }
  }
}
