import { SystemClock } from '@offboarding/platform';

const systemClock = new SystemClock();

/**
 * A token bucket per caller (the token's subject, or the client address for anonymous requests):
 * `burst` requests at once, refilled at `perMinute`. Idle buckets are forgotten once full again.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = () => systemClock.now().getTime(),
  ) {}

  /** Takes one token; answers how many seconds to wait when there is none. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = now;
    if (this.buckets.size > 100_000) this.forgetIdle(now, ratePerMs);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
  }

  private forgetIdle(now: number, ratePerMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * ratePerMs >= this.burst) this.buckets.delete(key);
    }
  }
}
