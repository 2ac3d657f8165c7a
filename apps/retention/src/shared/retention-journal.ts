import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EventPayload, EventType } from '@offboarding/contracts';
import type { EventEnvelope, Transaction } from '@offboarding/messaging';
import { Clock } from '@offboarding/platform';
import { AuditTrailService } from '../audit-trail/audit-trail.service';

export interface RetentionAction {
  organizationId: string;
  actor: string;
  /** `<subject>.<verb>`, e.g. `retention.extend`. */
  action: string;
  /** A code, never free text (free-text reasons stay in retention's tables). */
  reason?: string | null;
  subjectType: string;
  subjectId: string;
  beforeStatus?: string | null;
  afterStatus?: string | null;
}

/**
 * The retention service's own events: written to the outbox and appended to the organization's
 * trail in the caller's transaction. The trail records the other services' events as they arrive;
 * retention's own never come back to it, so they are chained here.
 */
@Injectable()
export class RetentionJournal {
  constructor(
    private readonly auditTrail: AuditTrailService,
    private readonly clock: Clock,
  ) {}

  async publish<T extends EventType>(tx: Transaction, type: T, organizationId: string, data: EventPayload<T>): Promise<EventEnvelope<T>> {
    const envelope = await tx.publish(type, organizationId, data);
    await this.auditTrail.record(tx.manager, envelope);
    return envelope;
  }

  /** An admin's or a job's action, as `retention.audit_recorded`. */
  async action(tx: Transaction, entry: RetentionAction): Promise<void> {
    await this.publish(tx, 'com.offboarding.retention.audit_recorded.v1', entry.organizationId, {
      entryId: randomUUID(),
      organizationId: entry.organizationId,
      actor: entry.actor,
      action: entry.action,
      reason: entry.reason ?? null,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      beforeStatus: entry.beforeStatus ?? null,
      afterStatus: entry.afterStatus ?? null,
      occurredAt: this.clock.now().toISOString(),
    });
  }
}
