import { randomUUID } from 'node:crypto';
import type { Transaction } from '@offboarding/messaging';
import type { Clock } from '../time/clock';
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

/** The services that keep an audit log of their own and publish each entry. */
export type AuditRecordedEvent = 'com.offboarding.entitlements.audit_recorded.v1' | 'com.offboarding.identity.audit_recorded.v1';

/**
 * Writes an audit entry and its `audit_recorded` event in the caller's transaction, so an
 * action and its record commit or fail together. Entries carry ids, codes and statuses only:
 * never names, e-mails or free text. Each service subclasses it with its own event type.
 */
export abstract class ServiceAuditLog {
  protected constructor(
    private readonly clock: Clock,
    private readonly eventType: AuditRecordedEvent,
  ) {}

  async record(tx: Transaction, entry: AuditEntry): Promise<AuditLogEntity> {
    const row = this.prepare(entry);
    await tx.manager.insert(AuditLogEntity, row);
    await this.publish(tx, row);
    return row;
  }

  /**
   * `record` for several entries with one insert. `between(index)` runs before entry `index`'s
   * event is published, so the caller's own events keep their places among the audit events.
   */
  async recordAll(tx: Transaction, entries: readonly AuditEntry[], between: (index: number) => Promise<void>): Promise<AuditLogEntity[]> {
    const rows = entries.map((entry) => this.prepare(entry));
    if (rows.length > 0) await tx.manager.insert(AuditLogEntity, rows);
    for (const [index, row] of rows.entries()) {
      await between(index);
      await this.publish(tx, row);
    }
    return rows;
  }

  private prepare(entry: AuditEntry): AuditLogEntity {
    return {
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
  }

  private async publish(tx: Transaction, row: AuditLogEntity): Promise<void> {
    await tx.publish(this.eventType, row.organizationId, {
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
  }
}
