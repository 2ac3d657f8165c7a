import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, DomainError, ErrorCode, InvalidInputError, InvalidTransitionError, NotFoundError } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import type { IdentityConfig } from '../keys/identity-config';
import { IDENTITY_CONFIG } from '../keys/identity-providers';
import { RevocationReason } from '../sessions/session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { hashPassword } from '../users/password-hasher';
import { CredentialEntity, UserEntity, UserStatus } from '../users/user.entity';
import { MIN_PASSWORD_LENGTH } from '../users/users.service';
import { PasswordSetupEntity, PasswordSetupPurpose } from './password-setup.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const HOUR_MS = 3_600_000;

export interface IssuePasswordSetupCommand {
  userId: string;
  purpose: PasswordSetupPurpose;
  actor: string;
}

/** What staff learn of an issued link: never the link itself (it goes to the user through the event). */
export interface IssuedPasswordSetup {
  setupId: string;
  userId: string;
  organizationId: string;
  purpose: PasswordSetupPurpose;
  expiresAt: Date;
}

export function hashSetupToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Password-setup links (SPEC §3.5): staff issue a single-use, expiring link for a user (an
 * invitation, a reset, the way back after a win-back); the user sets a password with it. The token
 * is 256 random bits; only its SHA-256 is stored; it travels once, inside `password_setup_issued`,
 * to the notification service that delivers it, and is never logged. A newer link replaces an
 * older unused one.
 */
@Injectable()
export class PasswordSetupService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly sessions: SessionsService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async issue(command: IssuePasswordSetupCommand): Promise<IssuedPasswordSetup> {
    if (!UUID.test(command.userId)) throw new InvalidInputError('userId', 'must be an id (a UUID)');
    return this.unitOfWork.run(async (tx) => {
      const user = await tx.manager.findOne(UserEntity, { where: { id: command.userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new NotFoundError('user', command.userId);
      if (user.organizationId === null) throw new InvalidInputError('userId', 'staff accounts are not set up through password-setup links');
      if (user.maskedAt !== null) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `user ${user.id} was masked with their organization's personal data: the account cannot come back`, {
          entity: 'user',
          currentStatus: 'MASKED',
          action: 'issue a password-setup link for',
        });
      }
      if (user.status !== UserStatus.ACTIVE) {
        throw new DomainError(
          ErrorCode.INVALID_TRANSITION,
          `user ${user.id} is ${user.status}: reactivate their organization (unarchive, or reactivate an entitlement) before issuing a password-setup link`,
          { entity: 'user', currentStatus: user.status, action: 'issue a password-setup link for' },
        );
      }
      const now = this.clock.now();
      await tx.manager.update(PasswordSetupEntity, { userId: user.id, usedAt: IsNull(), replacedAt: IsNull() }, { replacedAt: now });
      const token = randomBytes(32).toString('base64url');
      const setup: PasswordSetupEntity = {
        id: randomUUID(),
        userId: user.id,
        organizationId: user.organizationId,
        tokenHash: hashSetupToken(token),
        purpose: command.purpose,
        expiresAt: new Date(now.getTime() + this.config.passwordSetupTtlHours * HOUR_MS),
        usedAt: null,
        replacedAt: null,
        issuedBy: command.actor,
        createdAt: now,
      };
      await tx.manager.insert(PasswordSetupEntity, setup);
      // The fragment never reaches a server's logs: the page reads it and sends the token in the mutation's body.
      await tx.publish('com.offboarding.identity.password_setup_issued.v1', user.organizationId, {
        organizationId: user.organizationId,
        userId: user.id,
        setupId: setup.id,
        purpose: setup.purpose,
        setupUrl: `${this.config.publicBaseUrl}/set-password#token=${token}`,
        expiresAt: setup.expiresAt.toISOString(),
        issuedBy: command.actor,
        issuedAt: now.toISOString(),
      });
      await this.auditLog.record(tx, {
        organizationId: user.organizationId,
        actor: command.actor,
        action: 'user.issue_password_setup',
        reason: setup.purpose,
        subjectType: 'user',
        subjectId: user.id,
        beforeStatus: user.status,
        afterStatus: user.status,
      });
      return { setupId: setup.id, userId: user.id, organizationId: user.organizationId, purpose: setup.purpose, expiresAt: setup.expiresAt };
    });
  }

  /**
   * The user sets their password with the link's token: once, before it expires, while their
   * account is active and unmasked. Their other sessions end (a reset must lock out whoever knew
   * the old password).
   */
  async setPassword(token: string, password: string): Promise<{ userId: string }> {
    if (!TOKEN.test(token)) throw refused('INVALID', 'this password-setup link is not valid');
    if (password.length < MIN_PASSWORD_LENGTH) throw new InvalidInputError('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    if (password.length > 1024) throw new InvalidInputError('password', 'must be at most 1024 characters');
    const tokenHash = hashSetupToken(token);
    // Checked before the (deliberately slow) hashing, and again under the lock below.
    this.assertUsable(await this.dataSource.getRepository(PasswordSetupEntity).findOneBy({ tokenHash }));
    const passwordHash = await hashPassword(password);
    return this.unitOfWork.run(async (tx) => {
      const setup = this.assertUsable(await tx.manager.findOne(PasswordSetupEntity, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } }));
      const user = await tx.manager.findOne(UserEntity, { where: { id: setup.userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.maskedAt !== null || user.status !== UserStatus.ACTIVE) {
        throw new InvalidTransitionError('user', user?.maskedAt ? 'MASKED' : (user?.status ?? 'PURGED'), 'set a password for');
      }
      const now = this.clock.now();
      await tx.manager.update(PasswordSetupEntity, { id: setup.id }, { usedAt: now });
      await tx.manager.upsert(CredentialEntity, { userId: user.id, passwordHash, createdAt: now }, ['userId']);
      await this.sessions.revoke(tx, { userIds: [user.id] }, RevocationReason.PASSWORD_SET);
      await tx.publish('com.offboarding.identity.password_set.v1', setup.organizationId, {
        organizationId: setup.organizationId,
        userId: user.id,
        setupId: setup.id,
        purpose: setup.purpose,
        setAt: now.toISOString(),
      });
      await this.auditLog.record(tx, {
        organizationId: setup.organizationId,
        actor: user.id,
        action: 'user.set_password',
        reason: setup.purpose,
        subjectType: 'user',
        subjectId: user.id,
        beforeStatus: user.status,
        afterStatus: user.status,
      });
      return { userId: user.id };
    });
  }

  private assertUsable(setup: PasswordSetupEntity | null): PasswordSetupEntity {
    if (!setup) throw refused('INVALID', 'this password-setup link is not valid');
    if (setup.usedAt !== null) throw refused('USED', 'this password-setup link was already used; ask for a new one');
    if (setup.replacedAt !== null) throw refused('REPLACED', 'a newer password-setup link replaced this one; use the latest');
    if (setup.expiresAt.getTime() <= this.clock.now().getTime()) throw refused('EXPIRED', 'this password-setup link has expired; ask for a new one');
    return setup;
  }
}

function refused(reason: 'INVALID' | 'USED' | 'REPLACED' | 'EXPIRED', message: string): DomainError {
  return new DomainError(ErrorCode.BAD_USER_INPUT, message, { field: 'token', reason });
}
