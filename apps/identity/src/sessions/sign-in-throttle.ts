import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode, LOGGER } from '@offboarding/platform';
import type { IdentityConfig, SignInThrottleConfig } from '../keys/identity-config';
import { IDENTITY_CONFIG, RealTime } from '../keys/identity-providers';
import { normalizeEmail } from '../users/users.service';

type ThrottleKind = 'account' | 'address';

/** A key an attempt is throttled under: its account, and its client address when known. */
interface ThrottleKey {
  key: string;
  kind: ThrottleKind;
  limit: number;
}

/** An attempt let through to the password check; it holds a place under each of its keys until it ends. */
export interface SignInAdmission {
  attemptId: string;
  keys: ThrottleKey[];
}

/** A key a failed attempt locked: its failures and the end of the lock. */
export interface SignInLock {
  kind: ThrottleKind;
  failures: number;
  lockedUntil: Date;
}

interface ThrottleRow {
  key: string;
  failures: number;
  locked_until: Date | null;
  last_attempt_at: Date;
}

type Decision = { admitted: true } | { admitted: false; lockedUntil: Date; kind: ThrottleKind } | { admitted: false; busy: true; ahead: string[] };

/** Stale rows removed per successful sign-in, so the table does not grow with every address ever seen. */
const PRUNE_BATCH = 100;
/** An attempt that has not ended after this long (its replica died) no longer holds its place. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/**
 * How long an attempt waits for a place without any attempt ahead of it ending, and how often it
 * looks: a burst of right passwords on a slow machine gets through as long as the queue moves.
 */
const WAIT_FOR_PLACE_MS = 10_000;
const WAIT_STEP_MS = 50;

/**
 * Throttles password sign-ins per account (its e-mail) and per client address, across every
 * identity replica: the counts live in the database. A key allows `limit` attempts — failed ones
 * plus those whose password is being checked right now — so a burst, however concurrent, gets no
 * more password checks than a patient guesser; the rest wait for a place (a burst of right
 * passwords gets through, a little later). The failure that reaches the limit locks the key;
 * while it is locked every attempt is refused without a password check, the right password too.
 * After a lock one attempt at a time is let through, and each further failure locks the key
 * again for twice as long (exponential back-off up to a maximum). A success starts the account
 * over.
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
   * Takes a place for an attempt on `email` from `address`; RATE_LIMITED with the seconds to wait
   * when the account or the address is locked (or no place frees up in time).
   */
  async admit(email: string, address: string | null): Promise<SignInAdmission> {
    const keys: ThrottleKey[] = [{ key: accountKey(email), kind: 'account', limit: this.settings.accountFailures }];
    if (address) keys.push({ key: `address:${address}`, kind: 'address', limit: this.settings.addressFailures });
    keys.sort((a, b) => a.key.localeCompare(b.key));
    const admission: SignInAdmission = { attemptId: randomUUID(), keys };
    let deadline = performance.now() + WAIT_FOR_PLACE_MS;
    let ahead = new Set<string>();
    for (;;) {
      const decision = await this.dataSource.transaction((manager) => this.decide(manager, admission));
      if (decision.admitted) return admission;
      if ('lockedUntil' in decision) throw this.locked(decision.kind, decision.lockedUntil);
      // An attempt ahead ended since the last look: the queue moves, so the wait starts over.
      if ([...ahead].some((id) => !decision.ahead.includes(id))) deadline = performance.now() + WAIT_FOR_PLACE_MS;
      ahead = new Set(decision.ahead);
      if (performance.now() >= deadline) {
        throw new DomainError(ErrorCode.RATE_LIMITED, 'too many sign-ins in progress for this account: try again in 1 s', {
          retryAfterSeconds: 1,
          reason: 'SIGN_INS_IN_PROGRESS',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** The attempt proved the password: the account starts over; its places are freed. */
  async succeeded(admission: SignInAdmission): Promise<void> {
    const now = this.realTime.now();
    await this.dataSource.transaction(async (manager) => {
      await this.release(manager, admission);
      const account = admission.keys.find((key) => key.kind === 'account')!;
      await manager.query(`UPDATE ${this.table('sign_in_throttle')} SET failures = 0, locked_until = NULL, refused = 0 WHERE key = $1`, [account.key]);
      await this.prune(manager, now);
    });
  }

  /** The attempt ended without an answer (an error): its places are freed, nothing is counted. */
  async abandon(admission: SignInAdmission): Promise<void> {
    await this.dataSource.transaction((manager) => this.release(manager, admission));
  }

  /** The attempt's password was wrong: counted under each key; returns the locks it started. */
  async failed(admission: SignInAdmission): Promise<SignInLock[]> {
    const now = this.realTime.now();
    const locks = await this.dataSource.transaction(async (manager) => {
      const rows = await this.lockRows(manager, admission.keys);
      await this.release(manager, admission);
      const started: SignInLock[] = [];
      for (const key of admission.keys) {
        const row = rows.get(key.key)!;
        const failures = this.freshFailures(row, now) + 1;
        const lockedUntil = failures >= key.limit ? new Date(now.getTime() + this.lockMs(failures - key.limit)) : null;
        await manager.query(`UPDATE ${this.table('sign_in_throttle')} SET failures = $2, locked_until = $3, last_attempt_at = $4 WHERE key = $1`, [
          key.key,
          failures,
          lockedUntil,
          now,
        ]);
        if (lockedUntil) started.push({ kind: key.kind, failures, lockedUntil });
      }
      return started;
    });
    for (const lock of locks) this.logger.warn({ throttle: lock.kind, failures: lock.failures, lockedUntil: lock.lockedUntil }, 'sign-in locked after repeated failures');
    return locks;
  }

  private async decide(manager: EntityManager, admission: SignInAdmission): Promise<Decision> {
    const now = this.realTime.now();
    const rows = await this.lockRows(manager, admission.keys);
    const locked = [...rows.values()].filter((row) => row.locked_until !== null && new Date(row.locked_until).getTime() > now.getTime());
    if (locked.length > 0) {
      await manager.query(`UPDATE ${this.table('sign_in_throttle')} SET refused = refused + 1 WHERE key = ANY($1::varchar[])`, [locked.map((row) => row.key)]);
      const longest = locked.reduce((a, b) => (new Date(a.locked_until!).getTime() >= new Date(b.locked_until!).getTime() ? a : b));
      return { admitted: false, lockedUntil: new Date(longest.locked_until!), kind: admission.keys.find((key) => key.key === longest.key)!.kind };
    }
    const inProgress = await manager.query<{ id: string; key: string }[]>(
      `SELECT id, key FROM ${this.table('sign_in_attempts')} WHERE key = ANY($1::varchar[]) AND started_at > $2`,
      [admission.keys.map((key) => key.key), new Date(now.getTime() - ATTEMPT_TIMEOUT_MS)],
    );
    // Places left under a key: what its failures leave of the limit; after a lock ended, one.
    const busy = admission.keys.some((key) => {
      const attempts = inProgress.filter((row) => row.key === key.key).length;
      return attempts >= Math.max(key.limit - this.freshFailures(rows.get(key.key)!, now), 1);
    });
    if (busy) return { admitted: false, busy: true, ahead: [...new Set(inProgress.map((row) => row.id))] };
    for (const key of admission.keys) {
      await manager.query(`INSERT INTO ${this.table('sign_in_attempts')} (id, key, started_at) VALUES ($1, $2, $3)`, [admission.attemptId, key.key, now]);
    }
    return { admitted: true };
  }

  /** The keys' rows, created when missing, locked in key order so concurrent attempts queue instead of deadlocking. */
  private async lockRows(manager: EntityManager, keys: ThrottleKey[]): Promise<Map<string, ThrottleRow>> {
    const names = keys.map((key) => key.key);
    await manager.query(
      `INSERT INTO ${this.table('sign_in_throttle')} (key, failures, locked_until, last_attempt_at, refused)
       SELECT key, 0, NULL, $2, 0 FROM unnest($1::varchar[]) AS key
       ON CONFLICT (key) DO NOTHING`,
      [names, this.realTime.now()],
    );
    const rows = await manager.query<ThrottleRow[]>(
      `SELECT key, failures, locked_until, last_attempt_at FROM ${this.table('sign_in_throttle')} WHERE key = ANY($1::varchar[]) ORDER BY key FOR UPDATE`,
      [names],
    );
    return new Map(rows.map((row) => [row.key, row]));
  }

  private async release(manager: EntityManager, admission: SignInAdmission): Promise<void> {
    await manager.query(`DELETE FROM ${this.table('sign_in_attempts')} WHERE id = $1`, [admission.attemptId]);
  }

  /** Failures still counting: forgotten after the window without an attempt, unless locked. */
  private freshFailures(row: ThrottleRow, now: Date): number {
    const stale = now.getTime() - new Date(row.last_attempt_at).getTime() > this.settings.windowSeconds * 1000;
    return stale ? 0 : row.failures;
  }

  private locked(kind: ThrottleKind, lockedUntil: Date): DomainError {
    const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil.getTime() - this.realTime.now().getTime()) / 1000));
    return new DomainError(
      ErrorCode.RATE_LIMITED,
      `too many failed sign-ins ${kind === 'account' ? 'for this account' : 'from this address'}: try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds, reason: kind === 'account' ? 'ACCOUNT_LOCKED' : 'ADDRESS_LOCKED' },
    );
  }

  private lockMs(beyondLimit: number): number {
    return Math.min(this.settings.lockSeconds * 2 ** Math.min(beyondLimit, 30), this.settings.maxLockSeconds) * 1000;
  }

  private async prune(manager: EntityManager, now: Date): Promise<void> {
    const staleBefore = new Date(now.getTime() - this.settings.windowSeconds * 1000);
    await manager.query(
      // The condition again outside the subquery: a row another attempt just used is re-checked, not deleted.
      `DELETE FROM ${this.table('sign_in_throttle')}
        WHERE key IN (SELECT key FROM ${this.table('sign_in_throttle')} WHERE last_attempt_at < $1 AND (locked_until IS NULL OR locked_until < $2) LIMIT ${PRUNE_BATCH})
          AND last_attempt_at < $1 AND (locked_until IS NULL OR locked_until < $2)`,
      [staleBefore, now],
    );
    await manager.query(`DELETE FROM ${this.table('sign_in_attempts')} WHERE started_at < $1`, [new Date(now.getTime() - ATTEMPT_TIMEOUT_MS)]);
  }

  private table(name: 'sign_in_throttle' | 'sign_in_attempts'): string {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    return `"${schema}".${name}`;
  }
}

/** The account an attempt names, without keeping its e-mail: unknown e-mails are throttled alike. */
export function accountKey(email: string): string {
  return `account:${createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex')}`;
}
