import type { DataExportEntity } from '../exports/data-export.entity';
import type { DeletionCertificateEntity, PurgeRequestEntity } from '../purge/purge.entities';
import { canonicalJson } from '../audit-trail/audit-chain';
import type { CollectionCountModel, DataExportModel, DeletionCertificateModel, PurgeRequestModel, RetentionCaseModel, TimelineMilestoneModel } from './retention.models';
import type { MilestoneEntity, RetentionCaseEntity } from './retention.entities';
import type { PartnerProgress } from './milestones';
import { MILESTONE_OWNER, type MilestoneDue } from './timeline';

export function toMilestoneModel(row: MilestoneEntity, partners: PartnerProgress[] = []): TimelineMilestoneModel {
  return {
    ownCompletedAt: row.ownCompletedAt,
    partners,
    milestone: row.milestone,
    status: row.status,
    dueAt: row.dueAt,
    dueRule: row.dueRule,
    owner: MILESTONE_OWNER[row.milestone],
    requestedAt: row.requestedAt,
    completedAt: row.completedAt,
    blockedReason: row.blockedReason,
  };
}

export function toPreviewMilestone(due: MilestoneDue): TimelineMilestoneModel {
  return {
    milestone: due.milestone,
    status: 'PENDING',
    dueAt: due.dueAt,
    dueRule: due.rule,
    owner: MILESTONE_OWNER[due.milestone],
    requestedAt: null,
    completedAt: null,
    blockedReason: null,
    ownCompletedAt: null,
    partners: [],
  };
}

export function toCaseModel(row: RetentionCaseEntity): RetentionCaseModel {
  return {
    id: row.id,
    organizationId: row.organizationId,
    origin: row.origin,
    vendorOrganizationId: row.vendorOrganizationId,
    partnerOrganizationIds: row.partnerOrganizationIds,
    status: row.status,
    organizationType: row.organizationType,
    dayZero: row.dayZero,
    openedAt: row.openedAt,
    archivedAt: row.archivedAt,
    exportWindowClosesAt: row.exportWindowClosesAt,
    purgeEligibleAt: row.purgeEligibleAt,
    retainedUntil: row.retainedUntil,
    lastDecisionChange: row.lastDecisionChange,
    lastDecisionChangeBy: row.lastDecisionChangeBy,
    maskingKeyDestroyedAt: row.maskingKeyDestroyedAt,
    completedAt: row.completedAt,
    closedAt: row.closedAt,
    closeReason: row.closeReason,
    purgedAt: row.purgedAt,
  };
}

export function toPurgeRequestModel(row: PurgeRequestEntity): PurgeRequestModel {
  return {
    requestId: row.requestId,
    organizationId: row.organizationId,
    status: row.status,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt,
    lastChangeBy: row.counterpartActor,
    lastChange: row.counterpartChange,
    requestedAt: row.requestedAt,
    completedAt: row.completedAt,
    confirmations: Object.entries(row.confirmations)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([service, confirmation]) => ({ service, purgedAt: new Date(confirmation.purgedAt), deleted: counts(service, confirmation.deleted) })),
  };
}

export function toExportModel(row: DataExportEntity): DataExportModel {
  return {
    id: row.id,
    organizationId: row.organizationId,
    status: row.status,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    readyAt: row.readyAt,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    error: row.error,
    collections: Object.entries(row.collections ?? {}).map(([path, rows]) => {
      const [service, collection] = path.split('/');
      return { service, collection, rows };
    }),
    collectionsDone: row.collectionsDone,
    collectionsTotal: row.collectionsTotal,
    // A row just inserted carries the database default as TypeORM read it back (bigint: a string).
    rowsWritten: Number(row.rowsWritten),
  };
}

export function toCertificateModel(row: DeletionCertificateEntity): DeletionCertificateModel {
  const confirmations = (row.content.confirmations ?? {}) as Record<string, { deleted?: Record<string, number> } | undefined>;
  return {
    id: row.id,
    organizationId: row.organizationId,
    requestId: row.requestId,
    issuedAt: row.issuedAt,
    deleted: Object.entries(confirmations).flatMap(([service, confirmation]) => counts(service, confirmation?.deleted ?? {})),
    content: canonicalJson(row.content),
    sha256: row.sha256,
  };
}

function counts(service: string, deleted: Record<string, number>): CollectionCountModel[] {
  return Object.entries(deleted)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([collection, rows]) => ({ service, collection, rows }));
}
