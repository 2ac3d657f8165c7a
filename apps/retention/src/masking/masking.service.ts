import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import type { Transaction } from '@offboarding/messaging';
import { Clock, LOGGER } from '@offboarding/platform';
import { isConfirmingService, missingConfirmations } from '../shared/confirming-services';
import { RetentionJournal } from '../shared/retention-journal';
import { MilestoneProgress } from '../timeline/milestones';
import { MilestoneEntity, RetentionCaseEntity } from '../timeline/retention.entities';
import { Milestone } from '../timeline/timeline';
import { MaskingKeyEntity } from './masking-key.entity';

export const MASKING_ACTOR = 'system:pii-masking';
const KEY_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type MaskingKeyLookup = { kind: 'found'; key: Buffer } | { kind: 'destroyed' } | { kind: 'unknown' };

/**
 * The per-organization masking key: created when the masking milestone falls due, served to the
 * services over the internal endpoint while they mask, destroyed when all of them confirmed.
 */
@Injectable()
export class MaskingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly journal: RetentionJournal,
    private readonly progress: MilestoneProgress,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Creates the key and publishes `pii_masking_requested` with its reference (never the key). */
  async requestMasking(tx: Transaction, milestone: MilestoneEntity, now: Date): Promise<void> {
    const requestId = randomUUID();
    // The reference is the request id: it travels in the same event anyway, and the endpoint that
    // answers it wants the internal token; the key itself never leaves this service otherwise.
    const ref = requestId;
    await tx.manager.insert(MaskingKeyEntity, { ref, organizationId: milestone.organizationId, requestId, key: randomBytes(KEY_BYTES), createdAt: now });
    milestone.requestId = requestId;
    milestone.requestedAt = now;
    milestone.updatedAt = now;
    await tx.manager.save(MilestoneEntity, milestone);
    await this.journal.publish(tx, 'com.offboarding.retention.pii_masking_requested.v1', milestone.organizationId, {
      organizationId: milestone.organizationId,
      requestId,
      maskingKeyRef: ref,
      requestedAt: now.toISOString(),
    });
  }

  async lookup(ref: string): Promise<MaskingKeyLookup> {
    if (!UUID.test(ref)) return { kind: 'unknown' };
    const row = await this.dataSource.getRepository(MaskingKeyEntity).findOneBy({ ref });
    if (row) return { kind: 'found', key: row.key };
    const milestone = await this.dataSource.getRepository(MilestoneEntity).findOneBy({ requestId: ref, milestone: Milestone.PII_MASKED });
    if (!milestone) return { kind: 'unknown' };
    const retentionCase = await this.dataSource.getRepository(RetentionCaseEntity).findOneBy({ id: milestone.caseId });
    return retentionCase?.maskingKeyDestroyedAt ? { kind: 'destroyed' } : { kind: 'unknown' };
  }

  /**
   * A service's `pii_masked`: recorded on the milestone; when every service has confirmed, the
   * key is destroyed in the same transaction and the milestone is done. Campaigns and tracking
   * links were invalidated by provisioning when the AFL entitlement was cancelled, so the
   * milestone "PII masked, campaigns and links invalidated" needs nothing more than these.
   */
  async onMasked(tx: Transaction, service: string, data: EventPayload<'com.offboarding.entitlements.pii_masked.v1'>): Promise<void> {
    if (!isConfirmingService(service)) return;
    const milestone = await tx.manager.findOne(MilestoneEntity, { where: { requestId: data.requestId }, lock: { mode: 'pessimistic_write' } });
    if (!milestone || milestone.milestone !== Milestone.PII_MASKED) {
      this.logger.warn({ requestId: data.requestId, service }, 'pii_masked for an unknown masking request: ignored');
      return;
    }
    const now = this.clock.now();
    milestone.confirmations = { ...milestone.confirmations, [service]: { at: data.maskedAt, records: data.maskedRecords } };
    milestone.updatedAt = now;
    await tx.manager.save(MilestoneEntity, milestone);
    if (missingConfirmations(milestone.confirmations).length > 0) return;
    await this.destroyKey(tx, milestone, now);
    await this.progress.settle(tx, milestone, now);
  }

  /**
   * Destroys an organization's masking key: the bytes are overwritten with zeros in place, then
   * the row is deleted, in one transaction. What PostgreSQL may still hold (the dead row version
   * until vacuum, WAL segments, backups) rotates out with them; the key was never logged, sent in
   * an event or written anywhere else, and the services keep it only in memory while masking.
   */
  async destroyKey(tx: Transaction, milestone: MilestoneEntity, now: Date): Promise<void> {
    const key = await tx.manager.findOne(MaskingKeyEntity, { where: { requestId: milestone.requestId ?? undefined }, lock: { mode: 'pessimistic_write' } });
    if (!key) return;
    await tx.manager.update(MaskingKeyEntity, { ref: key.ref }, { key: Buffer.alloc(KEY_BYTES) });
    await tx.manager.delete(MaskingKeyEntity, { ref: key.ref });
    await tx.manager.update(RetentionCaseEntity, { id: milestone.caseId }, { maskingKeyDestroyedAt: now, updatedAt: now });
    await this.journal.action(tx, {
      organizationId: milestone.organizationId,
      actor: MASKING_ACTOR,
      action: 'masking_key.destroy',
      subjectType: 'masking_request',
      subjectId: milestone.requestId ?? key.requestId,
    });
  }

  /** Keys of a case that ends before masking finished (won back): destroyed, never used again. */
  async destroyOpenKeys(tx: Transaction, caseId: string, now: Date): Promise<void> {
    const milestone = await tx.manager.findOneBy(MilestoneEntity, { caseId, milestone: Milestone.PII_MASKED });
    if (milestone?.requestId) await this.destroyKey(tx, milestone, now);
  }
}
