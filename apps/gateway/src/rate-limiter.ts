import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
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

/** Whether a caller may go on, and if not, when to try again. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The per-caller limit the gateway applies: in this replica's memory, or shared through Redis. */
export interface CallerRateLimit {
  take(key: string): RateDecision | Promise<RateDecision>;
  close(): Promise<void>;
}

/** The token bucket above, per replica: N replicas together admit N times the limit. */
export class LocalRateLimit implements CallerRateLimit {
  private readonly bucket: RateLimiter;

  constructor(perMinute: number, burst: number) {
    this.bucket = new RateLimiter(perMinute, burst);
  }

  take(key: string): RateDecision {
    return this.bucket.take(key);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface RateLimiterResLike {
  msBeforeNext: number;
}

/**
 * One limit for all gateway replicas, counted in Redis (rate-limiter-flexible): RATE_LIMIT_BURST
 * requests per window of RATE_LIMIT_BURST × 60 / RATE_LIMIT_PER_MINUTE seconds, i.e. the same
 * average rate and burst as the local token bucket, in fixed windows. When Redis cannot be
 * reached each replica falls back to its own in-memory limit (logged), so an outage of the store
 * never blocks or unthrottles everybody.
 */
export class SharedRateLimit implements CallerRateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    options: { perMinute: number; burst: number; keyPrefix: string },
    logger: Logger,
  ) {
    const duration = Math.max(1, Math.round((options.burst * 60) / options.perMinute));
    const insuranceLimiter = new RateLimiterMemory({ points: options.burst, duration, keyPrefix: options.keyPrefix });
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: options.keyPrefix, points: options.burst, duration, insuranceLimiter });
    redis.on('error', (error: Error) => logger.warn({ err: error }, 'rate-limit store unreachable; each gateway replica limits on its own until it is back'));
  }

  async take(key: string): Promise<RateDecision> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof Error) throw rejection;
      const { msBeforeNext } = rejection as RateLimiterResLike;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * SharedRateLimit when REDIS_URL is set (after waiting up to `connectTimeoutMs` for Redis, so the
 * first requests are counted there), else the per-replica LocalRateLimit.
 */
export async function createCallerRateLimit(
  options: { perMinute: number; burst: number; redisUrl: string | null; keyPrefix: string },
  logger: Logger,
  connectTimeoutMs = 2_000,
): Promise<CallerRateLimit> {
  if (!options.redisUrl) return new LocalRateLimit(options.perMinute, options.burst);
  // No offline queue: a request must not wait for a reconnect; the in-memory fallback answers.
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: connectTimeoutMs });
  const limit = new SharedRateLimit(redis, options, logger);
  const ready = await new Promise<boolean>((resolve) => {
    if (redis.status === 'ready') return resolve(true);
    const timer = setTimeout(() => resolve(false), connectTimeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) logger.warn({ connectTimeoutMs }, 'rate-limit store not reachable at start; limiting per replica until it is');
  return limit;
}
