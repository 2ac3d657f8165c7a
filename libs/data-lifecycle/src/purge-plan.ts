import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Transaction } from '@offboarding/messaging';
import type { OrganizationScope } from './organization-scope';

/** The events that confirm a purge; their payloads are one shape (`organizationPurged` in the catalog). */
export type PurgeConfirmationEvent =
  | 'com.offboarding.entitlements.organization_purged.v1'
  | 'com.offboarding.identity.organization_purged.v1'
  | 'com.offboarding.provisioning.organization_purged.v1';

/** One table a purge empties of an organization's rows. */
export interface PurgeStep {
  entity: EntityTarget<ObjectLiteral>;
  /** How its rows belong to the organization; `organization_id` on the table itself unless given. */
  scope?: OrganizationScope;
  /** Files in object storage named by a column of the rows, deleted with them and counted under `counted`. */
  files?: { column: string; counted: string };
}

/**
 * What a service's purge deletes, declared once: the tables in the order they are emptied
 * (children before the parents they reference), the files that go with them, and the event that
 * confirms it. The shared PurgeRunner does the rest.
 */
export interface PurgePlan {
  confirmation: PurgeConfirmationEvent;
  steps: readonly PurgeStep[];
  /** Refuses a request (by throwing) before it is recorded, e.g. an organization that still has open entitlements. */
  accept?(manager: EntityManager, organizationId: string): Promise<void>;
  /**
   * Runs in the completing transaction, before the confirmation: the service's own end of the purge
   * (a tombstone). Returns the organization's status before, for the audit entry.
   */
  finish?(tx: Transaction, organizationId: string, now: Date): Promise<string | null>;
}

/** The confirmation's counts: every table of the plan and every kind of file, zero when there was nothing. */
export function confirmedCounts(manager: EntityManager, plan: PurgePlan, deleted: Record<string, number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const step of plan.steps) {
    const table = manager.connection.getMetadata(step.entity).tableName;
    counts[table] = deleted[table] ?? 0;
    if (step.files) counts[step.files.counted] = deleted[step.files.counted] ?? 0;
  }
  return counts;
}
