import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, IsNull, Not, type SelectQueryBuilder } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { Clock, type ConnectionShape, keysetPage, LOGGER, type PageRequest } from '@offboarding/platform';
import { ObjectStorage } from '@offboarding/storage';
import { DataExportEntity } from '../exports/data-export.entity';
import { CONFIRMING_SERVICES, isConfirmingService, missingConfirmations } from '../shared/confirming-services';
import { RetentionJournal } from '../shared/retention-journal';
import { CaseAction, CaseStatus, nextCaseStatus } from '../timeline/case-status';
import { KnownOrganizationEntity, RetentionCaseEntity } from '../timeline/retention.entities';
import { certificateHash } from './certificate';
import { activeHoldFor } from './legal-holds';
import { DeletionCertificateEntity, LegalHoldEntity, PurgeRequestEntity, PurgeRequestStatus } from './purge.entities';

export const PURGE_ACTOR = 'system:purge';

/**
 * Retention's own rows of a purged organization, deleted before the certificate is issued. The
 * audit trail stays (no PII, it outlives purge), and so do the case, its purge request and the
 * certificate: ids, dates and actor ids that prove what happened.
 */
export const RETENTION_PURGED_TABLES = [
  'data_exports',
  'retention_extensions',
  'legal_holds',
  'timeline_milestones',
  'milestone_notices',
  'masking_keys',
  'offboarding_policies',
  'known_organizations',
] as const;

/**
 * The purge job: sends `organization_purge_requested` for approved, unheld, eligible
 * organizations only; collects every service's confirmation with counts; then deletes
 * retention's own rows and export files and issues the deletion certificate.
 */
@Injectable()
export class PurgeService implements OnApplicationShutdown {
  private wake: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly journal: RetentionJournal,
    private readonly storage: ObjectStorage,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(now: Date): Promise<number> {
    return (await this.requestDuePurges(now)) + (await this.issueCertificates());
  }

  /** Approved purges whose organization is eligible by `now` and not on hold go out, one per transaction. */
  async requestDuePurges(now: Date): Promise<number> {
    const candidates = await this.dataSource
      .getRepository(PurgeRequestEntity)
      .createQueryBuilder('p')
      .innerJoin(RetentionCaseEntity, 'c', 'c.id = p.case_id')
      .where('p.status = :approved', { approved: PurgeRequestStatus.APPROVED })
      .andWhere('c.status = :queued AND c.purge_eligible_at <= :now', { queued: CaseStatus.PURGE_QUEUED, now })
      .orderBy('p.approved_at', 'ASC')
      .getMany();
    let sent = 0;
    for (const candidate of candidates) {
      const done = await this.unitOfWork.run(async (tx) => {
        const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { id: candidate.caseId }, lock: { mode: 'pessimistic_write' } });
        const request = await tx.manager.findOne(PurgeRequestEntity, { where: { requestId: candidate.requestId }, lock: { mode: 'pessimistic_write' } });
        if (!retentionCase || !request || request.status !== PurgeRequestStatus.APPROVED) return false;
        // Checked again under the lock: nothing is purged early, on hold or unapproved.
        if (retentionCase.status !== CaseStatus.PURGE_QUEUED || retentionCase.purgeEligibleAt > now) return false;
        if (await activeHoldFor(tx.manager, retentionCase)) return false;
        const current = this.clock.now();
        retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.requestPurge);
        retentionCase.updatedAt = current;
        await tx.manager.save(RetentionCaseEntity, retentionCase);
        Object.assign(request, { status: PurgeRequestStatus.REQUESTED, requestedAt: current, updatedAt: current });
        await tx.manager.save(PurgeRequestEntity, request);
        await this.journal.publish(tx, 'com.offboarding.retention.organization_purge_requested.v1', retentionCase.organizationId, {
          organizationId: retentionCase.organizationId,
          requestId: request.requestId,
          requestedAt: current.toISOString(),
        });
        return true;
      });
      if (done) sent += 1;
    }
    return sent;
  }

  /** A service's `organization_purged`: its counts are recorded; the last one wakes the certificate. */
  async onPurged(tx: Transaction, service: string, data: EventPayload<'com.offboarding.entitlements.organization_purged.v1'>): Promise<void> {
    if (!isConfirmingService(service)) return;
    const request = await tx.manager.findOne(PurgeRequestEntity, { where: { requestId: data.requestId }, lock: { mode: 'pessimistic_write' } });
    if (!request || request.status !== PurgeRequestStatus.REQUESTED) {
      this.logger.warn({ requestId: data.requestId, service }, 'organization_purged for no open purge request: ignored');
      return;
    }
    request.confirmations = { ...request.confirmations, [service]: { purgedAt: data.purgedAt, deleted: data.deleted } };
    request.updatedAt = this.clock.now();
    await tx.manager.save(PurgeRequestEntity, request);
    if (missingConfirmations(request.confirmations).length === 0) this.wakeSoon();
  }

  /** Runs the certificate step shortly after the inbox transaction commits; the job catches up otherwise. */
  wakeSoon(): void {
    if (this.wake) return;
    this.wake = setTimeout(() => {
      this.wake = null;
      this.running = this.issueCertificates().catch((error: unknown) => this.logger.error({ err: error }, 'issuing deletion certificates failed; the purge job retries'));
    }, 50);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.wake) clearTimeout(this.wake);
    await this.running;
  }

  /** Every fully confirmed purge: retention's own data goes, the certificate is issued. */
  async issueCertificates(): Promise<number> {
    const requested = await this.dataSource.getRepository(PurgeRequestEntity).findBy({ status: PurgeRequestStatus.REQUESTED });
    let issued = 0;
    for (const request of requested) {
      if (missingConfirmations(request.confirmations).length > 0) continue;
      // Export files first (outside the transaction; deleting a missing file is not an error),
      // then the rows and the certificate together.
      const exports = await this.dataSource.getRepository(DataExportEntity).findBy({ organizationId: request.organizationId, storageKey: Not(IsNull()) });
      let files = 0;
      for (const file of exports) if (file.storageKey && (await this.storage.delete(file.storageKey))) files += 1;
      if (await this.certify(request.requestId, files)) issued += 1;
    }
    return issued;
  }

  private async certify(requestId: string, exportFiles: number): Promise<boolean> {
    return this.unitOfWork.run(async (tx) => {
      const request = await tx.manager.findOne(PurgeRequestEntity, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
      if (!request || request.status !== PurgeRequestStatus.REQUESTED) return false;
      const retentionCase = await tx.manager.findOne(RetentionCaseEntity, { where: { id: request.caseId }, lock: { mode: 'pessimistic_write' } });
      if (!retentionCase) throw new Error(`retention case ${request.caseId} of purge request ${requestId} vanished`);
      const known = await tx.manager.findOneBy(KnownOrganizationEntity, { organizationId: request.organizationId });
      const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
      const deleted: Record<string, number> = {};
      for (const table of RETENTION_PURGED_TABLES) {
        const column = 'organization_id';
        const [{ n }] = await tx.manager.query<{ n: number }[]>(
          `WITH gone AS (DELETE FROM "${schema}".${table} WHERE ${column} = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
          [request.organizationId],
        );
        deleted[table] = n;
      }
      deleted.data_export_files = exportFiles;
      const now = this.clock.now();
      const confirmations = {
        ...Object.fromEntries(CONFIRMING_SERVICES.map((service) => [service, request.confirmations[service]])),
        retention: { purgedAt: now.toISOString(), deleted },
      };
      const certificateId = randomUUID();
      const content: Record<string, unknown> = {
        certificateId,
        organizationId: request.organizationId,
        // The tombstone as the retention service knows it; the entitlements service keeps the
        // organization's own (name, tax id and the same key dates).
        tombstone: {
          organizationId: request.organizationId,
          organizationType: retentionCase.organizationType,
          createdAt: known?.createdAt.toISOString() ?? null,
          dayZero: retentionCase.dayZero,
          archivedAt: retentionCase.archivedAt?.toISOString() ?? null,
          purgedAt: now.toISOString(),
        },
        caseId: retentionCase.id,
        requestId,
        purgeEligibleAt: retentionCase.purgeEligibleAt.toISOString(),
        approval: {
          approvedBy: request.approvedBy,
          approvedAt: request.approvedAt.toISOString(),
          lastChangeBy: request.counterpartActor,
          lastChange: request.counterpartChange,
        },
        requestedAt: request.requestedAt?.toISOString() ?? null,
        confirmations,
        totals: Object.fromEntries(
          Object.entries(confirmations).map(([service, confirmation]) => [service, Object.values(confirmation?.deleted ?? {}).reduce((sum, n) => sum + n, 0)]),
        ),
        issuedAt: now.toISOString(),
      };
      const sha256 = certificateHash(content);
      const certificate: DeletionCertificateEntity = { id: certificateId, organizationId: request.organizationId, requestId, content, sha256, issuedAt: now };
      await tx.manager.save(DeletionCertificateEntity, certificate);
      Object.assign(request, { status: PurgeRequestStatus.COMPLETED, completedAt: now, updatedAt: now });
      await tx.manager.save(PurgeRequestEntity, request);
      retentionCase.status = nextCaseStatus(retentionCase.status, CaseAction.completePurge);
      Object.assign(retentionCase, { purgedAt: now, updatedAt: now });
      await tx.manager.save(RetentionCaseEntity, retentionCase);
      await this.journal.publish(tx, 'com.offboarding.retention.deletion_certificate_issued.v1', request.organizationId, {
        organizationId: request.organizationId,
        certificateId,
        requestId,
        deleted: Object.fromEntries(Object.entries(confirmations).map(([service, confirmation]) => [service, confirmation?.deleted ?? {}])),
        sha256,
        issuedAt: now.toISOString(),
      });
      return true;
    });
  }

  async certificate(organizationId: string): Promise<DeletionCertificateEntity | null> {
    return this.dataSource.getRepository(DeletionCertificateEntity).findOneBy({ organizationId });
  }

  async liveRequest(caseId: string): Promise<PurgeRequestEntity | null> {
    return this.dataSource.getRepository(PurgeRequestEntity).findOne({ where: { caseId }, order: { approvedAt: 'DESC' } });
  }

  async activeHold(organizationId: string): Promise<LegalHoldEntity | null> {
    return this.dataSource.getRepository(LegalHoldEntity).findOneBy({ organizationId, releasedAt: IsNull() });
  }

  async holds(organizationId: string): Promise<LegalHoldEntity[]> {
    return this.dataSource.getRepository(LegalHoldEntity).find({ where: { organizationId }, order: { placedAt: 'ASC' } });
  }

  /** Organizations whose retention ended, oldest first in creation order: waiting for approval or being purged. */
  async queue(page: PageRequest): Promise<ConnectionShape<RetentionCaseEntity>> {
    const query: SelectQueryBuilder<RetentionCaseEntity> = this.dataSource
      .getRepository(RetentionCaseEntity)
      .createQueryBuilder('c')
      .where('c.status IN (:...statuses)', { statuses: [CaseStatus.PURGE_QUEUED, CaseStatus.PURGING] });
    return keysetPage(query, page);
  }
}
