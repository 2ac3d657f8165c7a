import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { maskOrganizationPii, type MaskingTarget, type PurgePlan, PurgeRunner, tableOf } from '@offboarding/data-lifecycle';
import { joinTransaction, Outbox, UnitOfWork } from '@offboarding/messaging';
import { affectedRows } from '@offboarding/persistence';
import { Clock, LOGGER, MaskingKeys } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { AccountOffboardingService } from '../offboarding/account-offboarding.service';
import { PasswordSetupEntity } from '../password-setup/password-setup.entity';
import { PortalAccessEntity } from '../portal-access/portal-access.entity';
import { RefreshTokenEntity, SessionEntity } from '../sessions/session.entity';
import { SsoConnectionEntity } from '../sso/sso-connection.entity';
import { CredentialEntity, UserEntity, UserPiiEntity } from '../users/user.entity';

/**
 * What a purge deletes, children first. The local audit log stays: it holds no PII and outlives
 * the purge.
 */
export const PURGE_PLAN: PurgePlan = {
  confirmation: 'com.offboarding.identity.organization_purged.v1',
  steps: [
    { entity: RefreshTokenEntity, scope: { through: SessionEntity, foreignKey: 'session_id' } },
    { entity: SessionEntity },
    { entity: CredentialEntity, scope: { through: UserEntity, foreignKey: 'user_id' } },
    { entity: PasswordSetupEntity },
    { entity: UserPiiEntity, scope: { through: UserEntity, foreignKey: 'user_id' } },
    { entity: UserEntity },
    { entity: SsoConnectionEntity },
    { entity: PortalAccessEntity },
  ],
};

/** The users' e-mails and names (`@Pii()` on user_pii), reached through their users. */
export const MASKING_PLAN: readonly MaskingTarget[] = [{ entity: UserPiiEntity, scope: { through: UserEntity, foreignKey: 'user_id' } }];

export const MASKING_ACTOR = 'system:pii-masking';

/** Masking and purge requests from the retention service. */
@Injectable()
export class DataLifecycleService implements OnApplicationShutdown {
  readonly purge: PurgeRunner;

  constructor(
    dataSource: DataSource,
    unitOfWork: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly maskingKeys: MaskingKeys,
    private readonly auditLog: AuditLog,
    private readonly accounts: AccountOffboardingService,
    private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.purge = new PurgeRunner(PURGE_PLAN, { dataSource, unitOfWork, clock, logger, auditLog });
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }

  /**
   * Replaces the e-mail and name of every user of the organization with its keyed hash and marks
   * them masked (they can never be reactivated), then confirms. Runs in the inbox transaction. A
   * user still active is deactivated first, and open password-setup links die with the account.
   */
  async onMaskingRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.pii_masking_requested.v1'>): Promise<void> {
    const key = await this.maskingKeys.resolve(event.maskingKeyRef);
    const now = this.clock.now();
    const tx = joinTransaction(manager, this.outbox);
    // A masked user is never active: whoever the timeline's SSO shutdown left active ends here.
    await this.accounts.deactivateForMasking(tx, event.organizationId, now);
    await maskOrganizationPii(manager, MASKING_PLAN, event.organizationId, key, now);
    const stamped = affectedRows(
      await manager.query(`UPDATE ${tableOf(manager, UserEntity)} SET masked_at = $2, updated_at = $2 WHERE organization_id = $1 AND masked_at IS NULL`, [
        event.organizationId,
        now,
      ]),
    );
    await tx.publish('com.offboarding.identity.pii_masked.v1', event.organizationId, {
      organizationId: event.organizationId,
      requestId: event.requestId,
      maskedRecords: stamped,
      maskedAt: now.toISOString(),
    });
    await this.auditLog.record(tx, {
      organizationId: event.organizationId,
      actor: MASKING_ACTOR,
      action: 'users.mask_pii',
      subjectType: 'organization',
      subjectId: event.organizationId,
      afterStatus: 'MASKED',
    });
  }

  /** Accepts a purge request in the inbox transaction; the runner deletes once it has committed. */
  async onPurgeRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<void> {
    await this.purge.accept(manager, event);
  }

  /** Works off pending purges in bounded batches; safe to run concurrently. */
  purgePending(batchRows?: number): Promise<number> {
    return this.purge.runPending(batchRows);
  }
}
