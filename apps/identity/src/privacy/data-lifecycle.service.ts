import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { afterCommit, joinTransaction, Outbox, UnitOfWork } from '@offboarding/messaging';
import { Clock, LOGGER, MaskingKeys, maskPii, PurgeRequestEntity } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { AccountOffboardingService } from '../offboarding/account-offboarding.service';
import { UserEntity, UserPiiEntity } from '../users/user.entity';

/**
 * What a purge deletes, children first, each with the SQL that selects one batch of keys
 * (`$1` = organization id). The local audit log stays: it holds no PII and outlives the purge.
 */
export const PURGED_TABLES: readonly { table: string; key: string; select: (s: string) => string }[] = [
  {
    table: 'refresh_tokens',
    key: 'token_hash',
    select: (s) => `SELECT r.token_hash FROM ${s}.refresh_tokens r JOIN ${s}.sessions x ON x.id = r.session_id WHERE x.organization_id = $1`,
  },
  { table: 'sessions', key: 'id', select: (s) => `SELECT id FROM ${s}.sessions WHERE organization_id = $1` },
  {
    table: 'credentials',
    key: 'user_id',
    select: (s) => `SELECT c.user_id FROM ${s}.credentials c JOIN ${s}.users u ON u.id = c.user_id WHERE u.organization_id = $1`,
  },
  { table: 'password_setups', key: 'id', select: (s) => `SELECT id FROM ${s}.password_setups WHERE organization_id = $1` },
  {
    table: 'user_pii',
    key: 'user_id',
    select: (s) => `SELECT p.user_id FROM ${s}.user_pii p JOIN ${s}.users u ON u.id = p.user_id WHERE u.organization_id = $1`,
  },
  { table: 'users', key: 'id', select: (s) => `SELECT id FROM ${s}.users WHERE organization_id = $1` },
  { table: 'sso_connections', key: 'id', select: (s) => `SELECT id FROM ${s}.sso_connections WHERE organization_id = $1` },
  { table: 'portal_access', key: 'organization_id', select: (s) => `SELECT organization_id FROM ${s}.portal_access WHERE organization_id = $1` },
];

export const PURGE_ACTOR = 'system:organization-purge';
export const MASKING_ACTOR = 'system:pii-masking';

/** Masking and purge requests from the retention service. */
@Injectable()
export class DataLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly maskingKeys: MaskingKeys,
    private readonly auditLog: AuditLog,
    private readonly accounts: AccountOffboardingService,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

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
    const users = await manager.find(UserEntity, { where: { organizationId: event.organizationId, maskedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    for (const user of users) {
      const pii = await manager.findOneBy(UserPiiEntity, { userId: user.id });
      if (pii) await manager.update(UserPiiEntity, { userId: user.id }, { email: maskPii(key, pii.email), displayName: maskPii(key, pii.displayName) });
      await manager.update(UserEntity, { id: user.id }, { maskedAt: now, updatedAt: now });
    }
    await tx.publish('com.offboarding.identity.pii_masked.v1', event.organizationId, {
      organizationId: event.organizationId,
      requestId: event.requestId,
      maskedRecords: users.length,
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

  /** Accepts a purge request in the inbox transaction; `purgePending` deletes in bounded batches. */
  async onPurgeRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>): Promise<void> {
    if (await manager.findOneBy(PurgeRequestEntity, { requestId: event.requestId })) return;
    await manager.insert(PurgeRequestEntity, {
      requestId: event.requestId,
      organizationId: event.organizationId,
      status: 'PENDING',
      deleted: {},
      requestedAt: this.clock.now(),
      completedAt: null,
    });
    // Starts once the inbox transaction has committed, so the request is there to be found.
    afterCommit(manager, () => {
      this.purgePending().catch((error: unknown) => this.logger.error({ err: error }, 'purge failed; the purge job retries'));
    });
  }

  /** Works off pending purges, at most `batchSize` rows per transaction; safe to run concurrently. */
  async purgePending(batchSize = 500): Promise<number> {
    let completed = 0;
    for (;;) {
      const request = await this.dataSource.getRepository(PurgeRequestEntity).findOne({ where: { status: 'PENDING' }, order: { requestedAt: 'ASC' } });
      if (!request) return completed;
      if (await this.purgeOne(request.requestId, batchSize)) completed += 1;
    }
  }

  private async purgeOne(requestId: string, batchSize: number): Promise<boolean> {
    const schema = `"${(this.dataSource.options as { schema?: string }).schema ?? 'public'}"`;
    for (const { table, key, select } of PURGED_TABLES) {
      for (;;) {
        const deleted = await this.unitOfWork.run(async ({ manager }) => {
          const request = await manager.findOne(PurgeRequestEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
          if (!request || request.status !== 'PENDING') return -1;
          const [{ n }] = await manager.query<{ n: number }[]>(
            `WITH gone AS (
               DELETE FROM ${schema}.${table} WHERE ${key} IN (${select(schema)} LIMIT ${Number(batchSize)}) RETURNING 1
             ) SELECT count(*)::int AS n FROM gone`,
            [request.organizationId],
          );
          if (n > 0) {
            request.deleted = { ...request.deleted, [table]: (request.deleted[table] ?? 0) + n };
            await manager.save(PurgeRequestEntity, request);
          }
          return n;
        });
        if (deleted < 0) return false;
        if (deleted < batchSize) break;
      }
    }
    return this.unitOfWork.run(async (tx) => {
      const request = await tx.manager.findOne(PurgeRequestEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request || request.status !== 'PENDING') return false;
      const now = this.clock.now();
      request.status = 'DONE';
      request.completedAt = now;
      await tx.manager.save(PurgeRequestEntity, request);
      await tx.publish('com.offboarding.identity.organization_purged.v1', request.organizationId, {
        organizationId: request.organizationId,
        requestId,
        deleted: Object.fromEntries(PURGED_TABLES.map(({ table }) => [table, request.deleted[table] ?? 0])),
        purgedAt: now.toISOString(),
      });
      await this.auditLog.record(tx, {
        organizationId: request.organizationId,
        actor: PURGE_ACTOR,
        action: 'organization.purge',
        subjectType: 'organization',
        subjectId: request.organizationId,
        afterStatus: 'PURGED',
      });
      return true;
    });
  }
}
