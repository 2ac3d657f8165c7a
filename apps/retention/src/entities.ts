import { AuditEntryEntity } from './audit-trail/audit-entry.entity';
import { DataExportEntity } from './exports/data-export.entity';
import { MaskingKeyEntity } from './masking/masking-key.entity';
import { DeletionCertificateEntity, LegalHoldEntity, PurgeRequestEntity, RetentionExtensionEntity } from './purge/purge.entities';
import { KnownOrganizationEntity, MilestoneEntity, MilestoneNoticeEntity, OffboardingPolicyEntity, RetentionCaseEntity } from './timeline/retention.entities';

export const entities = [
  AuditEntryEntity,
  KnownOrganizationEntity,
  OffboardingPolicyEntity,
  RetentionCaseEntity,
  MilestoneEntity,
  MilestoneNoticeEntity,
  RetentionExtensionEntity,
  LegalHoldEntity,
  PurgeRequestEntity,
  DeletionCertificateEntity,
  MaskingKeyEntity,
  DataExportEntity,
];
