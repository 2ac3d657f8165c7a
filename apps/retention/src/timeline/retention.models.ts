import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection } from '@offboarding/platform';
import { DataExportStatus } from '../exports/data-export.entity';
import { ExtensionKind, PurgeRequestStatus } from '../purge/purge.entities';
import { CaseStatus } from './case-status';
import { CaseCloseReason, CaseOrigin } from './retention.entities';
import { Milestone, MilestoneStatus } from './timeline';

registerEnumType(Milestone, { name: 'TimelineMilestoneKind', description: 'The milestones of an offboarding timeline (SPEC §3.3).' });
registerEnumType(MilestoneStatus, { name: 'MilestoneStatus' });
registerEnumType(CaseStatus, { name: 'RetentionCaseStatus' });
registerEnumType(CaseOrigin, { name: 'RetentionCaseOrigin' });
registerEnumType(CaseCloseReason, { name: 'RetentionCaseCloseReason' });
registerEnumType(DataExportStatus, { name: 'DataExportStatus' });
registerEnumType(PurgeRequestStatus, { name: 'PurgeRequestStatus' });
registerEnumType(ExtensionKind, { name: 'RetentionExtensionKind' });

@ObjectType('PartnerMilestone', { description: "One partner's side of a vendor's milestone: the vendor's is DONE only when every partner's is settled." })
export class PartnerMilestoneModel {
  @Field(() => ID, { description: 'The partner organization.' })
  organizationId!: string;

  @Field(() => ID, { nullable: true, description: "The partner's retention case; null for the moment its offboarding_started is still on its way." })
  caseId!: string | null;

  @Field(() => MilestoneStatus, { description: "The partner's status of this milestone; BLOCKED says why in blockedReason." })
  status!: MilestoneStatus;

  @Field(() => Date, { nullable: true, description: "When it is due for the partner (the vendor's date)." })
  dueAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was done for the partner.' })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why the partner's milestone is BLOCKED." })
  blockedReason!: string | null;
}

@ObjectType('TimelineMilestone')
export class TimelineMilestoneModel {
  @Field(() => Milestone)
  milestone!: Milestone;

  @Field(() => MilestoneStatus, { description: 'BLOCKED: overdue and unconfirmed (see blockedReason), or held.' })
  status!: MilestoneStatus;

  @Field(() => Date, { nullable: true, description: 'Null while its event has not happened (SSO shutdown "at archive").' })
  dueAt!: Date | null;

  @Field({ description: 'How the date was derived: "day 30", "at archive", "end of retention", "extended".' })
  dueRule!: string;

  @Field({ description: 'The service whose confirmation marks it done.' })
  owner!: string;

  @Field(() => Date, { nullable: true, description: 'When its request went to the owning service.' })
  requestedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true })
  blockedReason!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: "When the owner confirmed this organization's own part. For a vendor the milestone stays PENDING after it until every partner's is settled.",
  })
  ownCompletedAt!: Date | null;

  @Field(() => [PartnerMilestoneModel], { description: "For a vendor: each partner's progress on this milestone. Empty for anyone else." })
  partners!: PartnerMilestoneModel[];
}

@ObjectType('OffboardingTimeline')
export class OffboardingTimelineModel {
  @Field(() => ID, { nullable: true, description: 'The retention case; null in a preview.' })
  caseId!: string | null;

  @Field(() => ID)
  organizationId!: string;

  @Field()
  organizationType!: string;

  @Field({ description: 'Day 0, YYYY-MM-DD.' })
  dayZero!: string;

  @Field()
  exportWindowClosesAt!: Date;

  @Field()
  purgeEligibleAt!: Date;

  @Field(() => [TimelineMilestoneModel])
  milestones!: TimelineMilestoneModel[];

  @Field(() => ID, { nullable: true, description: "For a partner offboarded with its vendor: the vendor, whose timeline this is. Null otherwise." })
  vendorOrganizationId!: string | null;

  @Field(() => [ID], { description: 'For a vendor: the partners offboarded with it, on this same timeline. Empty otherwise.' })
  partnerOrganizationIds!: string[];
}

@ObjectType('LegalHold')
export class LegalHoldModel {
  @Field(() => ID)
  id!: string;

  @Field()
  reason!: string;

  @Field()
  placedBy!: string;

  @Field()
  placedAt!: Date;

  @Field(() => String, { nullable: true })
  releasedBy!: string | null;

  @Field(() => Date, { nullable: true })
  releasedAt!: Date | null;

  @Field(() => String, { nullable: true })
  releaseReason!: string | null;
}

@ObjectType('RetentionExtension')
export class RetentionExtensionModel {
  @Field(() => ExtensionKind)
  kind!: ExtensionKind;

  @Field()
  previousUntil!: Date;

  @Field()
  until!: Date;

  @Field()
  reason!: string;

  @Field()
  actor!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType('CollectionCount')
export class CollectionCountModel {
  @Field({ description: 'The service holding the collection.' })
  service!: string;

  @Field({ description: 'The table name.' })
  collection!: string;

  @Field(() => Int)
  rows!: number;
}

@ObjectType('PurgeConfirmation')
export class PurgeConfirmationModel {
  @Field()
  service!: string;

  @Field()
  purgedAt!: Date;

  @Field(() => [CollectionCountModel])
  deleted!: CollectionCountModel[];
}

@ObjectType('PurgeRequest', { description: 'An approved purge and its progress.' })
export class PurgeRequestModel {
  @Field(() => ID, { description: 'The requestId every service confirms with.' })
  requestId!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => PurgeRequestStatus)
  status!: PurgeRequestStatus;

  @Field()
  approvedBy!: string;

  @Field()
  approvedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Who last extended retention or released a hold before the approval (never the approver).' })
  lastChangeBy!: string | null;

  @Field(() => String, { nullable: true })
  lastChange!: string | null;

  @Field(() => Date, { nullable: true })
  requestedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => [PurgeConfirmationModel])
  confirmations!: PurgeConfirmationModel[];
}

@ObjectType('RetentionCase', { description: "An organization's way from offboarding (or its last cancellation) to purge." })
export class RetentionCaseModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => CaseOrigin)
  origin!: CaseOrigin;

  @Field(() => ID, { nullable: true, description: "For a partner offboarded with its vendor: the vendor (its dates, holds and purge approval govern this case). Null otherwise." })
  vendorOrganizationId!: string | null;

  @Field(() => [ID], { description: 'For a vendor: the partners offboarded, masked, archived and purged with it. Empty otherwise.' })
  partnerOrganizationIds!: string[];

  @Field(() => CaseStatus)
  status!: CaseStatus;

  @Field()
  organizationType!: string;

  @Field()
  dayZero!: string;

  @Field()
  openedAt!: Date;

  @Field(() => Date, { nullable: true })
  archivedAt!: Date | null;

  @Field()
  exportWindowClosesAt!: Date;

  @Field({ description: 'When the organization enters the purge queue (after any extension).' })
  purgeEligibleAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Retention extended until, when an admin extended it.' })
  retainedUntil!: Date | null;

  @Field(() => String, { nullable: true })
  lastDecisionChange!: string | null;

  @Field(() => String, { nullable: true })
  lastDecisionChangeBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the masking key was destroyed: masked PII can no longer be matched.' })
  maskingKeyDestroyedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Final confirmation sent.' })
  completedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;

  @Field(() => CaseCloseReason, { nullable: true })
  closeReason!: CaseCloseReason | null;

  @Field(() => Date, { nullable: true })
  purgedAt!: Date | null;
}

@ObjectType('DataExport')
export class DataExportModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => DataExportStatus)
  status!: DataExportStatus;

  @Field()
  requestedBy!: string;

  @Field()
  requestedAt!: Date;

  @Field(() => Date, { nullable: true })
  readyAt!: Date | null;

  @Field(() => Float, { nullable: true })
  sizeBytes!: number | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the ZIP.' })
  sha256!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => [CollectionCountModel], { description: 'Rows per collection, as in manifest.json.' })
  collections!: CollectionCountModel[];

  @Field(() => Int, {
    description:
      'Progress: collections whose JSON and CSV files are written so far; rises while RUNNING and equals collectionsTotal once READY. 0 while PENDING (and again when a run restarts).',
  })
  collectionsDone!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Progress: how many collections the export holds (every service\'s, plus the audit trail); null until the services have said what they hold.',
  })
  collectionsTotal!: number | null;

  @Field(() => Int, {
    description: 'Progress: rows written into the archive so far, each row once (it is in both the JSON and the CSV file); rises while RUNNING. Updated a few times a second at most.',
  })
  rowsWritten!: number;
}

@ObjectType('DeletionCertificate', { description: "Proof of an organization's purge, kept for good." })
export class DeletionCertificateModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  requestId!: string;

  @Field()
  issuedAt!: Date;

  @Field(() => [CollectionCountModel], { description: 'Rows deleted per service and table.' })
  deleted!: CollectionCountModel[];

  @Field({ description: 'The certified content as canonical JSON (sorted keys): tombstone, approval, timestamps, counts.' })
  content!: string;

  @Field({ description: 'SHA-256 over `content`; recompute it to check the certificate.' })
  sha256!: string;
}

@ObjectType('AuditTrailVerification')
export class AuditTrailVerificationModel {
  @Field()
  intact!: boolean;

  @Field(() => Int)
  checkedEntries!: number;

  @Field(() => Int, { nullable: true })
  firstBrokenSequence!: number | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType('OffboardingPolicy', { description: 'Days after day 0; null means the SPEC rule (see each field).' })
export class OffboardingPolicyModel {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String, { nullable: true })
  organizationType!: string | null;

  @Field(() => Int, { nullable: true, description: 'null: until the end of retention.' })
  exportWindowDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'null: at archive.' })
  ssoShutdownDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'null: at purge.' })
  piiMaskingDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'null: when portal visibility and the reactivation window end.' })
  portalHiddenDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'null: with the portal hidden.' })
  finalConfirmationDays!: number | null;

  @Field(() => Int, { nullable: true, description: "null: the cancellation policy's dataRetentionDays." })
  retentionDays!: number | null;
}

@ObjectType('PurgeQueueEntry')
export class PurgeQueueEntryModel {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  caseId!: string;

  @Field()
  organizationType!: string;

  @Field(() => CaseStatus)
  status!: CaseStatus;

  @Field()
  purgeEligibleAt!: Date;

  @Field(() => String, { nullable: true })
  lastDecisionChange!: string | null;

  @Field(() => String, { nullable: true })
  lastDecisionChangeBy!: string | null;
}

@ObjectType()
export class PurgeQueueConnection extends Connection(PurgeQueueEntryModel, 'PurgeQueueEntry') {}

@InputType()
export class ExtendRetentionInput {
  @Field(() => ID)
  organizationId!: string;

  @Field({ description: 'YYYY-MM-DD: purge-eligible from the start of that day.' })
  until!: string;

  @Field({ description: 'Why (kept in the retention service, never in events).' })
  reason!: string;
}

@InputType()
export class LegalHoldInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  reason!: string;
}

@InputType()
export class SetOffboardingPolicyInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => Int, { nullable: true, description: 'Omit to keep; null for the default.' })
  exportWindowDays?: number | null;

  @Field(() => Int, { nullable: true })
  ssoShutdownDays?: number | null;

  @Field(() => Int, { nullable: true })
  piiMaskingDays?: number | null;

  @Field(() => Int, { nullable: true })
  portalHiddenDays?: number | null;

  @Field(() => Int, { nullable: true })
  finalConfirmationDays?: number | null;

  @Field(() => Int, { nullable: true })
  retentionDays?: number | null;
}
