import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@offboarding/contracts';

export interface AuditFacts {
  organizationId: string;
  actor: string;
  /** `<subject>.<verb>`, e.g. `environment.tear_down`. */
  action: string;
  /** A reason code when there is one; free text never goes into events. */
  reason?: string | null;
  subjectType: string;
  subjectId: string;
  beforeStatus: string | null;
  afterStatus: string | null;
}

/** The audit entry an admin action publishes with its change, for the organization-wide trail. */
export function auditEntry(facts: AuditFacts, now: Date): EventPayload<'com.offboarding.provisioning.audit_recorded.v1'> {
  return {
    entryId: randomUUID(),
    organizationId: facts.organizationId,
    actor: facts.actor,
    action: facts.action,
    reason: facts.reason ?? null,
    subjectType: facts.subjectType,
    subjectId: facts.subjectId,
    beforeStatus: facts.beforeStatus,
    afterStatus: facts.afterStatus,
    occurredAt: now.toISOString(),
  };
}
