import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In } from 'typeorm';
import { EntitlementStatus, type EventPayload } from '@offboarding/contracts';
import { afterCommit, joinTransaction, Outbox, UnitOfWork } from '@offboarding/messaging';
import { Clock, LOGGER, MaskingKeys, maskNullable, maskPii, PurgeRequestEntity } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { EntitlementEntity } from '../entitlements/entitlement.entity';
import { OrganizationEntity } from './organization.entity';
import { OrganizationAction, nextOrganizationStatus } from './organization-status';

/**
 * What a purge deletes, children first. The organization row stays as the tombstone (id, name,
 * tax id, key dates); the local audit log stays too: it holds no PII and, like the
 * organization-wide trail, outlives the purge.
 */
export const PURGED_TABLES = [
  'organization_contacts',
  'documents',
  'invoices',
  'orders',
  'quotes',
  'entitlements',
  'offboarding_cases',
  'cancellation_policies',
] as const;

export const PURGE_ACTOR = 'system:organization-purge';

/**
 * Rows deleted per transaction. Bounded so no purge transaction holds locks for long (about
 * 230 ms per batch at most on PostgreSQL 15 on two cores; `npm run bench` reports the longest), large
 * enough that per-transaction overhead does not dominate.
 */
export const PURGE_BATCH_ROWS = 20000;
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
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Replaces every contact's PII with its keyed hash and marks the organization masked (which
   * closes reactivation for good), then confirms. Runs in the inbox transaction: applied once.
   */
  async onMaskingRequested(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.retention.pii_masking_requested.v1'>,
  ): Promise<void> {
    const organization = await manager.findOne(OrganizationEntity, { where: { id: event.organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!organization) throw new Error(`masking requested for unknown organization ${event.organizationId}`);
    const key = await this.maskingKeys.resolve(event.maskingKeyRef);
    const now = this.clock.now();
    const masked = await maskContacts(manager, organization.id, key, now);
    if (organization.piiMaskedAt === null) await manager.update(OrganizationEntity, { id: organization.id }, { piiMaskedAt: now, updatedAt: now });
    const tx = joinTransaction(manager, this.outbox);
    await tx.publish('com.offboarding.entitlements.pii_masked.v1', organization.id, {
      organizationId: organization.id,
      requestId: event.requestId,
      maskedRecords: masked,
      maskedAt: now.toISOString(),
    });
    await this.auditLog.record(tx, {
      organizationId: organization.id,
      actor: MASKING_ACTOR,
      action: 'organization.mask_pii',
      subjectType: 'organization',
      subjectId: organization.id,
      beforeStatus: organization.status,
      afterStatus: organization.status,
    });
  }

  /**
   * Accepts a purge request in the inbox transaction (refusing one that would purge early), and
   * leaves the deleting to `purgePending`, which works in bounded batches of their own.
   */
  async onPurgeRequested(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.retention.organization_purge_requested.v1'>,
  ): Promise<void> {
    const organization = await manager.findOne(OrganizationEntity, { where: { id: event.organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!organization) throw new Error(`purge requested for unknown organization ${event.organizationId}`);
    if (await manager.findOneBy(PurgeRequestEntity, { requestId: event.requestId })) return;
    const open = await manager.countBy(EntitlementEntity, {
      organizationId: organization.id,
      status: In([EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED]),
    });
    if (open > 0) throw new Error(`refusing to purge organization ${organization.id}: ${open} entitlement(s) are not cancelled`);
    if (organization.status !== 'PURGED') nextOrganizationStatus(organization.status, OrganizationAction.purge);
    await manager.insert(PurgeRequestEntity, {
      requestId: event.requestId,
      organizationId: organization.id,
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

  /**
   * Works off pending purges: deletes at most `batchSize` rows per transaction, recording the
   * counts as it goes, and when nothing is left turns the organization into its tombstone and
   * publishes `organization_purged` with the counts. Safe to run concurrently and repeatedly.
   */
  async purgePending(batchSize = PURGE_BATCH_ROWS): Promise<number> {
    let completed = 0;
    for (;;) {
      const request = await this.dataSource.getRepository(PurgeRequestEntity).findOne({
        where: { status: 'PENDING' },
        order: { requestedAt: 'ASC' },
      });
      if (!request) return completed;
      if (await this.purgeOne(request.requestId, batchSize)) completed += 1;
    }
  }

  private async hasRows(schema: string, table: string, organizationId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [row] = await manager.query<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM "${schema}".${table} WHERE organization_id = $1) AS found`,
      [organizationId],
    );
    return row?.found === true;
  }

  private async purgeOne(requestId: string, batchSize: number): Promise<boolean> {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    const request = await this.dataSource.getRepository(PurgeRequestEntity).findOneBy({ requestId });
    if (!request || request.status !== 'PENDING') return false;
    for (const table of PURGED_TABLES) {
      for (;;) {
        // One statement, its own transaction: delete a batch and add its count to the request,
        // which only a PENDING request accepts. Concurrent workers take disjoint rows.
        const [row] = await this.dataSource.query<{ n: number }[]>(
          `WITH gone AS (
             DELETE FROM "${schema}".${table} WHERE ctid = ANY (ARRAY(
               SELECT ctid FROM "${schema}".${table} WHERE organization_id = $1 LIMIT ${Number(batchSize)}
             )) RETURNING 1
           ), counted AS (SELECT count(*)::int AS n FROM gone), recorded AS (
             UPDATE "${schema}".purge_requests AS r
                SET deleted = jsonb_set(r.deleted, ARRAY[$3::text], to_jsonb(coalesce((r.deleted ->> $3)::int, 0) + counted.n))
               FROM counted
              WHERE r.request_id = $2 AND r.status = 'PENDING'
             RETURNING counted.n
           ) SELECT n FROM recorded`,
          [request.organizationId, requestId, table],
        );
        if (!row) return false;
        // A short batch may only mean a concurrent worker took the same rows: stop at an empty table.
        if (row.n < batchSize && !(await this.hasRows(schema, table, request.organizationId))) break;
      }
    }
    return this.unitOfWork.run(async (tx) => {
      const request = await tx.manager.findOne(PurgeRequestEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request || request.status !== 'PENDING') return false;
      const organization = await tx.manager.findOne(OrganizationEntity, { where: { id: request.organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!organization) throw new Error(`organization ${request.organizationId} vanished during its purge`);
      for (const table of PURGED_TABLES) {
        if (await this.hasRows(schema, table, organization.id, tx.manager)) throw new Error(`purge of ${organization.id} is not complete: ${table} still has rows`);
      }
      const now = this.clock.now();
      const before = organization.status;
      if (organization.status !== 'PURGED') {
        const status = nextOrganizationStatus(organization.status, OrganizationAction.purge);
        await tx.manager.update(OrganizationEntity, { id: organization.id }, { status, purgedAt: now, updatedAt: now });
      }
      request.status = 'DONE';
      request.completedAt = now;
      await tx.manager.save(PurgeRequestEntity, request);
      await tx.publish('com.offboarding.entitlements.organization_purged.v1', organization.id, {
        organizationId: organization.id,
        requestId,
        deleted: Object.fromEntries(PURGED_TABLES.map((table) => [table, request.deleted[table] ?? 0])),
        purgedAt: now.toISOString(),
      });
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor: PURGE_ACTOR,
        action: 'organization.purge',
        subjectType: 'organization',
        subjectId: organization.id,
        beforeStatus: before,
        afterStatus: 'PURGED',
      });
      return true;
    });
  }
}

const MASKING_BATCH = 1000;

/**
 * Masks an organization's unmasked contacts a thousand at a time: one read and one UPDATE …
 * FROM unnest(…) per batch, instead of a statement per contact.
 */
async function maskContacts(manager: EntityManager, organizationId: string, key: Buffer, now: Date): Promise<number> {
  const table = `"${(manager.connection.options as { schema?: string }).schema ?? 'public'}".organization_contacts`;
  let masked = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await manager.query<{ id: string; name: string; email: string; phone: string | null; address: string | null }[]>(
      `SELECT id, name, email, phone, address FROM ${table}
        WHERE organization_id = $1 AND masked_at IS NULL AND id > $2 ORDER BY id LIMIT ${MASKING_BATCH} FOR UPDATE`,
      [organizationId, after],
    );
    if (batch.length === 0) return masked;
    await manager.query(
      `UPDATE ${table} AS c SET name = v.name, email = v.email, phone = v.phone, address = v.address, masked_at = $6, updated_at = $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, name, email, phone, address)
        WHERE c.id = v.id`,
      [
        batch.map((row) => row.id),
        batch.map((row) => maskPii(key, row.name)),
        batch.map((row) => maskPii(key, row.email)),
        batch.map((row) => maskNullable(key, row.phone)),
        batch.map((row) => maskNullable(key, row.address)),
        now,
      ],
    );
    masked += batch.length;
    after = batch[batch.length - 1].id;
  }
}
