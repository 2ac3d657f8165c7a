import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode, LOGGER } from '@offboarding/platform';
import type { IdentityConfig, SignInThrottleConfig } from '../keys/identity-config';
import { IDENTITY_CONFIG, RealTime } from '../keys/identity-providers';
import { normalizeEmail } from '../users/users.service';

/** One throttled key of an attempt, after the attempt was counted. */
interface CountedKey {
  key: string;
  kind: 'account' | 'address';
  failures: number;
  /** Set when this attempt's count reached the key's limit: the lock it holds unless it succeeds. */
  lockedUntil: Date | null;
}

/** An attempt let through to the password check, already counted as a failure until it succeeds. */
export interface SignInAdmission {
  keys: CountedKey[];
}

interface ThrottleRow {
  key: string;
  failures: number;
  locked_until: Date | null;
  last_attempt_at: Date;
}

/** Stale rows removed per successful sign-in, so the table does not grow with every address ever seen. */
const PRUNE_BATCH = 100;

/**
 * Throttles password sign-ins per account (its e-mail) and per client address, across every
 * identity replica: the counts live in the database, and each attempt is counted under a row lock
 * *before* its password is checked. When an attempt brings a key to its limit it locks the key
 * at once, for as long as the attempt might fail; concurrent attempts then find it locked and are
 * refused without a password check — the right password too. A success lifts the account's lock
 * and takes back its own count from the address. Each failure past the limit doubles the lock
 * (exponential back-off up to a maximum).
 */
@Injectable()
export class SignInThrottle {
  private readonly settings: SignInThrottleConfig;

  constructor(
    private readonly dataSource: DataSource,
    private readonly realTime: RealTime,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = config.signInThrottle;
  }

  /**
   * Counts an attempt on `email` from `address`; RATE_LIMITED with the seconds to wait when the
   * account or the address is locked.
   */
  async admit(email: string, address: string | null): Promise<SignInAdmission> {
    const now = this.realTime.now();
    const limits = new Map<string, { kind: CountedKey['kind']; limit: number }>([
      [accountKey(email), { kind: 'account', limit: this.settings.accountFailures }],
    ]);
    if (address) limits.set(`address:${address}`, { kind: 'address', limit: this.settings.addressFailures });
    const keys = [...limits.keys()].sort();
    const outcome = await this.dataSource.transaction(async (manager): Promise<{ lockedUntil: Date; kind: CountedKey['kind'] } | SignInAdmission> => {
      await manager.query(
        `INSERT INTO ${this.table} (key, failures, locked_until, last_attempt_at, refused)
         SELECT key, 0, NULL, $2, 0 FROM unnest($1::varchar[]) AS key
         ON CONFLICT (key) DO NOTHING`,
        [keys, now],
      );
      const rows = await manager.query<ThrottleRow[]>(
        `SELECT key, failures, locked_until, last_attempt_at FROM ${this.table} WHERE key = ANY($1::varchar[]) ORDER BY key FOR UPDATE`,
        [keys],
      );
      const locked = rows.filter((row) => row.locked_until !== null && new Date(row.locked_until).getTime() > now.getTime());
      if (locked.length > 0) {
        await manager.query(`UPDATE ${this.table} SET refused = refused + 1 WHERE key = ANY($1::varchar[])`, [locked.map((row) => row.key)]);
        const longest = locked.reduce((a, b) => (new Date(a.locked_until!).getTime() >= new Date(b.locked_until!).getTime() ? a : b));
        return { lockedUntil: new Date(longest.locked_until!), kind: limits.get(longest.key)!.kind };
      }
      const counted = rows.map((row): CountedKey => {
        const { kind, limit } = limits.get(row.key)!;
        const stale = now.getTime() - new Date(row.last_attempt_at).getTime() > this.settings.windowSeconds * 1000;
        const failures = (stale ? 0 : row.failures) + 1;
        return { key: row.key, kind, failures, lockedUntil: failures >= limit ? new Date(now.getTime() + this.lockMs(failures - limit)) : null };
      });
      for (const key of counted) {
        await manager.query(`UPDATE ${this.table} SET failures = $2, locked_until = $3, last_attempt_at = $4 WHERE key = $1`, [
          key.key,
          key.failures,
          key.lockedUntil,
          now,
        ]);
      }
      return { keys: counted };
    });
    if ('keys' in outcome) return outcome;
    const retryAfterSeconds = Math.max(1, Math.ceil((outcome.lockedUntil.getTime() - now.getTime()) / 1000));
    throw new DomainError(
      ErrorCode.RATE_LIMITED,
      `too many failed sign-ins ${outcome.kind === 'account' ? 'for this account' : 'from this address'}: try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds, reason: outcome.kind === 'account' ? 'ACCOUNT_LOCKED' : 'ADDRESS_LOCKED' },
    );
  }

  /** The attempt proved the password: the account starts over, the address gets this attempt back. */
  async succeeded(admission: SignInAdmission): Promise<void> {
    const now = this.realTime.now();
    await this.dataSource.transaction(async (manager) => {
      for (const key of admission.keys) {
        if (key.kind === 'account') {
          await manager.query(`UPDATE ${this.table} SET failures = 0, locked_until = NULL, refused = 0 WHERE key = $1`, [key.key]);
        } else {
          await manager.query(
            `UPDATE ${this.table}
                SET failures = greatest(failures - 1, 0),
                    locked_until = CASE WHEN failures - 1 >= $2 THEN locked_until END
              WHERE key = $1`,
            [key.key, this.settings.addressFailures],
          );
        }
      }
      await this.prune(manager, now);
    });
  }

  /** The keys this failed attempt locked, for the audit trail and the log. */
  lockedBy(admission: SignInAdmission): CountedKey[] {
    const locked = admission.keys.filter((key) => key.lockedUntil !== null);
    for (const key of locked) {
      this.logger.warn(
        { throttle: key.kind, key: key.kind === 'address' ? key.key : `${key.key.slice(0, 20)}…`, failures: key.failures, lockedUntil: key.lockedUntil },
        'sign-in locked after repeated failures',
      );
    }
    return locked;
  }

  private lockMs(beyondLimit: number): number {
    return Math.min(this.settings.lockSeconds * 2 ** Math.min(beyondLimit, 30), this.settings.maxLockSeconds) * 1000;
  }

  private async prune(manager: EntityManager, now: Date): Promise<void> {
    const staleBefore = new Date(now.getTime() - this.settings.windowSeconds * 1000);
    await manager.query(
      `DELETE FROM ${this.table} WHERE key IN (
         SELECT key FROM ${this.table} WHERE last_attempt_at < $1 AND (locked_until IS NULL OR locked_until < $2) LIMIT ${PRUNE_BATCH})`,
      [staleBefore, now],
    );
  }

  private get table(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    return `"${schema}".sign_in_throttle`;
  }
}

/** The account an attempt names, without keeping its e-mail: unknown e-mails are throttled alike. */
export function accountKey(email: string): string {
  return `account:${createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex')}`;
}
