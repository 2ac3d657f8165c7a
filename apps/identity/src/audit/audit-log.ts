import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Transaction } from '@offboarding/messaging';
import { Clock } from '@offboarding/platform';
import { AuditLogEntity } from './audit-log.entity';

export interface AuditEntry {
  organizationId: string;
  actor: string;
  /** `<subject>.<verb>`, e.g. `entitlement.cancel`. */
  action: string;
  reason?: string | null;
  subjectType: string;
  subjectId: string;
  beforeStatus?: string | null;
  afterStatus?: string | null;
}

/**
 * Writes an audit entry and its `audit_recorded` event in the caller's transaction, so an
 * action and its record commit or fail together. Entries carry ids, codes and statuses only:
 * never names, e-mails or free text.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly clock: Clock) {}

  async record(tx: Transaction, entry: AuditEntry): Promise<AuditLogEntity> {
    const row: AuditLogEntity = {
      id: randomUUID(),
      organizationId: entry.organizationId,
      actor: entry.actor,
      action: entry.action,
      reason: entry.reason ?? null,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      beforeStatus: entry.beforeStatus ?? null,
      afterStatus: entry.afterStatus ?? null,
      occurredAt: this.clock.now(),
    };
    await tx.manager.insert(AuditLogEntity, row);
    await tx.publish('com.offboarding.identity.audit_recorded.v1', row.organizationId, {
      entryId: row.id,
      organizationId: row.organizationId,
      actor: row.actor,
      action: row.action,
      reason: row.reason,
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      beforeStatus: row.beforeStatus,
      afterStatus: row.afterStatus,
      occurredAt: row.occurredAt.toISOString(),
    });
    return row;
  }
}
