export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry): initial, doubling, capped. No jitter:
 * each consumer retries one message of its own, so there is no herd to spread, and a fixed
 * schedule keeps the retry timeline predictable in logs and tests.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be a positive integer, got ${retry}`);
  // Cap the exponent too so a long outage cannot overflow to Infinity.
  const exponential = policy.initialDelayMs * 2 ** Math.min(retry - 1, 30);
  return Math.min(exponential, policy.maxDelayMs);
}

/** The whole schedule for `attempts` tries: one delay before each retry. */
export function backoffSchedule(attempts: number, policy: BackoffPolicy): number[] {
  return Array.from({ length: Math.max(attempts - 1, 0) }, (_, i) => backoffDelay(i + 1, policy));
}

/**
 * Sleeps that can be cut short, so `wake()` and `stop()` act at once instead of after the
 * current poll interval or retry delay.
 */
export class Alarm {
  private readonly sleepers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      // Unreferenced: a pending poll must not keep a process alive that is otherwise done.
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleepers.add(done);
    });
  }

  /** Ends every sleep in progress. */
  wake(): void {
    for (const done of [...this.sleepers]) done();
  }
}
