/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CampaignStatus =
  | 'COMPLETED'
  | 'INVALIDATED'
  | 'IN_PROGRESS'
  | 'SUSPENDED';

export type CancelEntitlementInput = {
  entitlementId: string | number;
  /** Free text, at most 2000 characters. */
  notes?: string | null | undefined;
  reason: CancellationReason;
};

export type CancellationReason =
  | 'BUSINESS_CLOSURE'
  | 'CONTRACT_END'
  | 'CUSTOMER_REQUEST'
  | 'NON_PAYMENT'
  | 'OTHER'
  | 'SWITCHING_PROVIDER';

export type ContactInput = {
  address?: string | null | undefined;
  email: string;
  name: string;
  phone?: string | null | undefined;
  /** E.g. billing, technical, legal. */
  role?: string | null | undefined;
};

export type CourseSeatStatus =
  | 'ASSIGNED'
  | 'AVAILABLE'
  | 'RELEASED';

export type CreateOrganizationInput = {
  /** At most 50. */
  contacts?: Array<ContactInput> | null | undefined;
  /** Legal name, 1 to 200 characters. */
  name: string;
  /** Tax or VAT id, 2 to 64 letters, digits, dashes or dots. */
  taxId?: string | null | undefined;
  type: OrganizationType;
  /** Required for a PARTNER: the vendor it belongs to. */
  vendorId?: string | number | null | undefined;
};

export type CreateUserInput = {
  displayName: string;
  email: string;
  /** Required for COLLABORATOR (customer or vendor) and PARTNER_USER (partner organization). */
  organizationId?: string | number | null | undefined;
  /** At least 12 characters; omit for SSO-only users. */
  password?: string | null | undefined;
  role: Role;
};

export type CreditBalanceStatus =
  | 'ACTIVE'
  | 'FROZEN';

export type DataExportStatus =
  | 'FAILED'
  | 'PENDING'
  | 'PURGED'
  | 'READY'
  | 'RUNNING';

export type EnrollmentStatus =
  | 'ACTIVE'
  | 'CLOSED'
  | 'SUSPENDED';

/** PLG plugin licence, ENV hosted environment, SVC service contract, ORD order, AFL affiliate programme, EDU education seats. */
export type EntitlementClass =
  | 'AFL'
  | 'EDU'
  | 'ENV'
  | 'ORD'
  | 'PLG'
  | 'SVC';

export type EntitlementStatus =
  | 'ACTIVE'
  | 'CANCELLED'
  | 'SUSPENDED';

export type EnvironmentStatus =
  | 'ACTIVE'
  | 'DEPROVISIONED'
  | 'PROVISIONING'
  | 'SUSPENDED'
  | 'TORN_DOWN';

export type ExtendRetentionInput = {
  organizationId: string | number;
  /** Why (kept in the retention service, never in events). */
  reason: string;
  /** YYYY-MM-DD: purge-eligible from the start of that day. */
  until: string;
};

export type FulfilmentStatus =
  | 'CLOSED'
  | 'FULFILLED'
  | 'ON_HOLD'
  | 'OPEN';

export type GrantEntitlementInput = {
  class: EntitlementClass;
  orderReference?: string | null | undefined;
  organizationId: string | number;
  prepaid?: PrepaidTermInput | null | undefined;
  /** Product or plan name, 1 to 200 characters. */
  product: string;
};

export type LegalHoldInput = {
  organizationId: string | number;
  reason: string;
};

export type LicenseStatus =
  | 'ACTIVE'
  | 'CANCELLED'
  | 'SUSPENDED';

export type MilestoneStatus =
  | 'BLOCKED'
  | 'DONE'
  | 'PENDING'
  | 'SKIPPED';

/** Where an offboarding case stands. */
export type OffboardingCaseStatus =
  /** Called off before day 0 (for a partner: with its vendor). */
  | 'CANCELLED'
  /** Day 0 came: every entitlement was cancelled; the retention timeline runs. */
  | 'ENTITLEMENTS_CANCELLED'
  /** Day 0 is ahead: the entitlements are cancelled on it. */
  | 'SCHEDULED'
  /** A partner's own offboarding, replaced by the one it follows with its vendor. */
  | 'SUPERSEDED'
  /** Closed because the organization won an entitlement back. */
  | 'WITHDRAWN';

export type OrderStatus =
  | 'CANCELLED'
  | 'FULFILLED'
  | 'OPEN';

export type OrganizationFilter = {
  /** Archived organizations are hidden unless this is true. */
  includeArchived?: boolean;
  type?: OrganizationType | null | undefined;
};

export type OrganizationStatus =
  | 'ACTIVE'
  | 'ARCHIVED'
  | 'OFFBOARDING'
  | 'PURGED';

export type OrganizationType =
  | 'CUSTOMER'
  | 'PARTNER'
  | 'VENDOR';

export type PartnerRelationshipStatus =
  | 'ACTIVE'
  | 'ENDED'
  | 'SUSPENDED';

/** Where a policy comes from: built-in defaults, the global policy, or an organization override. */
export type PolicyScope =
  | 'DEFAULT'
  | 'GLOBAL'
  | 'ORGANIZATION';

/** A prepaid term: what was paid for which period, for prorated refunds. */
export type PrepaidTermInput = {
  /** Minor units (cents). */
  amountMinor: number;
  /** ISO 4217, e.g. EUR. */
  currency: string;
  from: string;
  until: string;
};

export type ProvisioningPolicySource =
  | 'DEFAULT'
  | 'GLOBAL'
  | 'ORGANIZATION';

export type PurgeRequestStatus =
  | 'APPROVED'
  | 'COMPLETED'
  | 'REQUESTED'
  | 'REVOKED';

export type ReactivateEntitlementInput = {
  entitlementId: string | number;
  /** The new order or payment reference the customer comes back with. */
  reference: string;
};

export type RetentionCaseStatus =
  | 'CLOSED'
  | 'OPEN'
  | 'PURGED'
  | 'PURGE_QUEUED'
  | 'PURGING';

export type RetentionExtensionKind =
  | 'EXPORT_WINDOW'
  | 'RETENTION';

/** ADMIN: staff, every organization. COLLABORATOR: reads their own organization. PARTNER_USER: reads their own partner organization. */
export type Role =
  | 'ADMIN'
  | 'COLLABORATOR'
  | 'PARTNER_USER';

export type ServiceRequestStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'IN_REVIEW'
  | 'OPEN';

/** Lifecycle of services and their contracts. */
export type ServiceStatus =
  | 'ACTIVE'
  | 'CANCELLED'
  | 'SUSPENDED';

export type SetCancellationPolicyInput = {
  allowReactivation?: boolean;
  dataRetentionDays?: number;
  gracePeriodDays?: number;
  /** The organization to override; omit to set the global policy. */
  organizationId?: string | number | null | undefined;
  portalVisibilityDays?: number;
  reactivationWindowDays?: number;
  refundEligible?: boolean;
};

export type SetOffboardingPolicyInput = {
  /** Omit to keep; null for the default. */
  exportWindowDays?: number | null | undefined;
  finalConfirmationDays?: number | null | undefined;
  organizationId: string | number;
  piiMaskingDays?: number | null | undefined;
  portalHiddenDays?: number | null | undefined;
  retentionDays?: number | null | undefined;
  ssoShutdownDays?: number | null | undefined;
};

export type SetProvisioningPolicyInput = {
  class: EntitlementClass;
  deprovisionOnCancel: boolean;
  /** Null (or left out) sets the global policy. */
  organizationId?: string | number | null | undefined;
};

export type SsoProtocol =
  | 'OIDC'
  | 'SAML';

export type StartOffboardingInput = {
  /** Last day of contract, YYYY-MM-DD; today or past cancels at once, a future day on that day. */
  dayZero: string;
  notes?: string | null | undefined;
  organizationId: string | number;
  /** The account manager handling the case. */
  pointOfContact: string;
  reason: CancellationReason;
};

export type SuspensionReason =
  | 'ADMIN'
  | 'NON_PAYMENT';

/** The milestones of an offboarding timeline (SPEC §3.3). */
export type TimelineMilestoneKind =
  | 'ENTITLEMENTS_CANCELLED'
  | 'EXPORT_WINDOW_CLOSES'
  | 'FINAL_CONFIRMATION'
  | 'PII_MASKED'
  | 'PORTAL_HIDDEN'
  | 'PURGE_ELIGIBLE'
  | 'SSO_SHUTDOWN';

export type TrackingLinkDisabledReason =
  | 'CANCELLED'
  | 'SUSPENDED';

export type TrackingLinkStatus =
  | 'ACTIVE'
  | 'DISABLED';

export type UserStatus =
  | 'ACTIVE'
  | 'DEACTIVATED';

export type SessionTokensFragment = { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, displayName: string, email: string, role: Role, organizationId: string | null } };

export type SignInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type SignInMutation = { login: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, displayName: string, email: string, role: Role, organizationId: string | null } } };

export type RefreshSessionMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshSessionMutation = { refreshSession: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, displayName: string, email: string, role: Role, organizationId: string | null } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { logout: boolean };

export type OrganizationAuditTrailQueryVariables = Exact<{
  id: string | number;
  first: number;
  after?: string | null | undefined;
}>;


export type OrganizationAuditTrailQuery = { organization: { id: string, auditTrail: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { sequence: number, eventType: string, source: string, occurredAt: string, details: string, hash: string } }> } } | null };

export type VerifyAuditTrailQueryVariables = Exact<{
  organizationId: string | number;
}>;


export type VerifyAuditTrailQuery = { verifyAuditTrail: { intact: boolean, checkedEntries: number, firstBrokenSequence: number | null, reason: string | null } };

export type OrganizationDataExportsQueryVariables = Exact<{
  id: string | number;
}>;


export type OrganizationDataExportsQuery = { organization: { id: string, dataExports: Array<{ id: string, status: DataExportStatus, requestedAt: string, readyAt: string | null, sizeBytes: number | null, sha256: string | null, error: string | null, downloadUrl: string | null, collections: Array<{ service: string, collection: string, rows: number }> }> } | null };

export type RequestDataExportMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type RequestDataExportMutation = { requestDataExport: { id: string, status: DataExportStatus } };

export type OrganizationEntitlementsQueryVariables = Exact<{
  id: string | number;
}>;


export type OrganizationEntitlementsQuery = { organization: { id: string, status: OrganizationStatus, entitlements: { totalCount: number, edges: Array<{ node: { id: string, class: EntitlementClass, product: string, status: EntitlementStatus, grantedAt: string, orderReference: string | null, prepaidUntil: string | null, cancelledAt: string | null, cancellationReason: CancellationReason | null, cancellationNotes: string | null, suspendedAt: string | null, suspensionReason: SuspensionReason | null, graceEndsAt: string | null, reactivatableUntil: string | null, portalVisibleUntil: string | null, reactivatedAt: string | null, refundQuote: { amountMinor: number, currency: string, unusedDays: number } | null, policySnapshot: { portalVisibilityDays: number, dataRetentionDays: number, allowReactivation: boolean, reactivationWindowDays: number, refundEligible: boolean } | null } }> }, cancellationPolicy: { scope: PolicyScope, portalVisibilityDays: number, dataRetentionDays: number, allowReactivation: boolean, reactivationWindowDays: number, refundEligible: boolean, gracePeriodDays: number } } | null };

export type GrantEntitlementMutationVariables = Exact<{
  input: GrantEntitlementInput;
}>;


export type GrantEntitlementMutation = { grantEntitlement: { id: string, status: EntitlementStatus } };

export type CancelEntitlementMutationVariables = Exact<{
  input: CancelEntitlementInput;
}>;


export type CancelEntitlementMutation = { cancelEntitlement: { id: string, status: EntitlementStatus, cancelledAt: string | null } };

export type ReactivateEntitlementMutationVariables = Exact<{
  input: ReactivateEntitlementInput;
}>;


export type ReactivateEntitlementMutation = { reactivateEntitlement: { id: string, status: EntitlementStatus } };

export type SuspendEntitlementMutationVariables = Exact<{
  id: string | number;
}>;


export type SuspendEntitlementMutation = { suspendEntitlement: { id: string, status: EntitlementStatus } };

export type ResumeEntitlementMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeEntitlementMutation = { resumeEntitlement: { id: string, status: EntitlementStatus } };

export type RecordPaymentFailureMutationVariables = Exact<{
  id: string | number;
}>;


export type RecordPaymentFailureMutation = { recordPaymentFailure: { id: string, status: EntitlementStatus, graceEndsAt: string | null } };

export type RecordPaymentRecoveredMutationVariables = Exact<{
  id: string | number;
}>;


export type RecordPaymentRecoveredMutation = { recordPaymentRecovered: { id: string, status: EntitlementStatus } };

export type OrganizationOffboardingQueryVariables = Exact<{
  id: string | number;
  staff: boolean;
}>;


export type OrganizationOffboardingQuery = { organization: { id: string, type: OrganizationType, status: OrganizationStatus, offboarding: { id: string, status: OffboardingCaseStatus, dayZero: string, reason: CancellationReason, pointOfContact: string, notes: string | null, startedAt: string, entitlementsCancelledAt: string | null, closedAt: string | null } | null, timeline: { dayZero: string, organizationType: string, exportWindowClosesAt: string, purgeEligibleAt: string, milestones: Array<{ milestone: TimelineMilestoneKind, status: MilestoneStatus, dueAt: string | null, dueRule: string, owner: string, blockedReason: string | null, requestedAt: string | null, completedAt: string | null }> } | null, retention: { id: string, status: RetentionCaseStatus, exportWindowClosesAt: string, purgeEligibleAt: string, retainedUntil: string | null, onLegalHold: boolean, extensions?: Array<{ kind: RetentionExtensionKind, until: string, previousUntil: string, reason: string, createdAt: string }> | null } | null } | null };

export type TimelineFieldsFragment = { dayZero: string, organizationType: string, exportWindowClosesAt: string, purgeEligibleAt: string, milestones: Array<{ milestone: TimelineMilestoneKind, status: MilestoneStatus, dueAt: string | null, dueRule: string, owner: string, blockedReason: string | null, requestedAt: string | null, completedAt: string | null }> };

export type PreviewOffboardingTimelineQueryVariables = Exact<{
  organizationId: string | number;
  dayZero: string;
}>;


export type PreviewOffboardingTimelineQuery = { previewOffboardingTimeline: { dayZero: string, organizationType: string, exportWindowClosesAt: string, purgeEligibleAt: string, milestones: Array<{ milestone: TimelineMilestoneKind, status: MilestoneStatus, dueAt: string | null, dueRule: string, owner: string, blockedReason: string | null, requestedAt: string | null, completedAt: string | null }> } };

export type StartOffboardingMutationVariables = Exact<{
  input: StartOffboardingInput;
}>;


export type StartOffboardingMutation = { startOffboarding: { id: string, status: OffboardingCaseStatus } };

export type CancelOffboardingMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type CancelOffboardingMutation = { cancelOffboarding: { id: string, status: OffboardingCaseStatus } };

export type ExtendExportWindowMutationVariables = Exact<{
  organizationId: string | number;
  days: number;
  reason: string;
}>;


export type ExtendExportWindowMutation = { extendExportWindow: { id: string, exportWindowClosesAt: string } };

export type OrganizationOverviewQueryVariables = Exact<{
  id: string | number;
  staff: boolean;
}>;


export type OrganizationOverviewQuery = { organization: { id: string, name: string, type: OrganizationType, status: OrganizationStatus, taxId: string | null, createdAt: string, cancelledAt: string | null, archivedAt: string | null, piiMaskedAt: string | null, purgedAt: string | null, vendor?: { id: string, name: string } | null, partners?: { totalCount: number, edges: Array<{ node: { id: string, name: string, status: OrganizationStatus } }> } | null, portalAccess: { enabled: boolean, changedAt: string } | null, deletionCertificate?: { id: string, issuedAt: string, sha256: string, deleted: Array<{ service: string, collection: string, rows: number }> } | null } | null };

export type ArchiveOrganizationMutationVariables = Exact<{
  id: string | number;
}>;


export type ArchiveOrganizationMutation = { archiveOrganization: { id: string, status: OrganizationStatus, archivedAt: string | null } };

export type UnarchiveOrganizationMutationVariables = Exact<{
  id: string | number;
}>;


export type UnarchiveOrganizationMutation = { unarchiveOrganization: { id: string, status: OrganizationStatus, archivedAt: string | null } };

export type PluginResourcesQueryVariables = Exact<{
  id: string | number;
}>;


export type PluginResourcesQuery = { organization: { id: string, licenses: Array<{ id: string, product: string, licenseKey: string, status: LicenseStatus, issuedAt: string, cancelledAt: string | null, siteActivations: Array<{ id: string, siteUrl: string, installedVersion: string, lastCheckInAt: string }> }> } | null };

export type EnvironmentResourcesQueryVariables = Exact<{
  id: string | number;
}>;


export type EnvironmentResourcesQuery = { organization: { id: string, environments: Array<{ id: string, name: string, region: string, url: string, status: EnvironmentStatus, deprovisionedAt: string | null, teardownDueAt: string | null, teardownBlockedAt: string | null, teardownCleared: boolean, tornDownAt: string | null, exportWaivedAt: string | null, exportWaiverReason: string | null, exports: Array<{ id: string, createdAt: string, sha256: string, sizeBytes: number }> }> } | null };

export type ServiceResourcesQueryVariables = Exact<{
  id: string | number;
  staff: boolean;
}>;


export type ServiceResourcesQuery = { organization: { id: string, services: Array<{ id: string, name: string, status: ServiceStatus, cancelledAt: string | null, requests: Array<{ id: string, subject: string, status: ServiceRequestStatus, createdAt: string, reviewSince: string | null, resolvedAt: string | null }> }>, contracts: Array<{ id: string, reference: string, status: ServiceStatus, startsAt: string, cancelledAt: string | null }>, creditBalances: Array<{ id: string, credits: number, status: CreditBalanceStatus, frozenAt: string | null }> } | null, serviceRequestReviewQueue?: { totalCount: number, edges: Array<{ node: { id: string, organizationId: string, subject: string, status: ServiceRequestStatus, reviewSince: string | null } }> } };

export type AffiliateResourcesQueryVariables = Exact<{
  id: string | number;
  staff: boolean;
}>;


export type AffiliateResourcesQuery = { organization: { id: string, campaigns?: Array<{ id: string, name: string, status: CampaignStatus, invalidatedAt: string | null, trackingLinks: Array<{ id: string, code: string, targetUrl: string, status: TrackingLinkStatus, disabledReason: TrackingLinkDisabledReason | null }> }> | null, partnerRelationships: Array<{ id: string, programme: string, status: PartnerRelationshipStatus, endedAt: string | null }> } | null };

export type EducationResourcesQueryVariables = Exact<{
  id: string | number;
}>;


export type EducationResourcesQuery = { organization: { id: string, courseSeats: Array<{ id: string, status: CourseSeatStatus, releasedAt: string | null }>, enrollments: Array<{ id: string, course: string, learnerRef: string, status: EnrollmentStatus, enrolledAt: string, closedAt: string | null }> } | null };

export type OrderResourcesQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderResourcesQuery = { organization: { id: string, fulfilments: Array<{ id: string, product: string, status: FulfilmentStatus, closedAt: string | null }>, orders: { totalCount: number, edges: Array<{ node: { id: string, reference: string, description: string, amountMinor: number, currency: string, status: OrderStatus, createdAt: string } }> } } | null };

export type ExportEnvironmentDataMutationVariables = Exact<{
  id: string | number;
}>;


export type ExportEnvironmentDataMutation = { exportEnvironmentData: { id: string, sha256: string } };

export type WaiveEnvironmentExportMutationVariables = Exact<{
  id: string | number;
  reason: string;
}>;


export type WaiveEnvironmentExportMutation = { waiveEnvironmentExport: { id: string, exportWaivedAt: string | null } };

export type TearDownEnvironmentMutationVariables = Exact<{
  id: string | number;
}>;


export type TearDownEnvironmentMutation = { tearDownEnvironment: { id: string, status: EnvironmentStatus, tornDownAt: string | null } };

export type CompleteServiceRequestMutationVariables = Exact<{
  id: string | number;
}>;


export type CompleteServiceRequestMutation = { completeServiceRequest: { id: string, status: ServiceRequestStatus } };

export type CancelServiceRequestMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelServiceRequestMutation = { cancelServiceRequest: { id: string, status: ServiceRequestStatus } };

export type OrganizationUsersQueryVariables = Exact<{
  id: string | number;
}>;


export type OrganizationUsersQuery = { organization: { id: string, users: { totalCount: number, edges: Array<{ node: { id: string, displayName: string, email: string, role: Role, status: UserStatus, createdAt: string, deactivatedAt: string | null } }> }, ssoConnections: Array<{ id: string, protocol: SsoProtocol, issuer: string, clientId: string, active: boolean, secretDeletedAt: string | null, createdAt: string }>, portalAccess: { enabled: boolean, changedAt: string } | null } | null };

export type IdentityActionFieldsFragment = { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null };

export type DeactivateAccountsMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type DeactivateAccountsMutation = { deactivateAccounts: { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null } };

export type ReactivateAccountsMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type ReactivateAccountsMutation = { reactivateAccounts: { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null } };

export type DeleteSsoConnectionSecretsMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type DeleteSsoConnectionSecretsMutation = { deleteSsoConnectionSecrets: { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null } };

export type RevokeSessionsMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type RevokeSessionsMutation = { revokeSessions: { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null } };

export type DeleteCredentialsMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type DeleteCredentialsMutation = { deleteCredentials: { deactivatedUsers: number, reactivatedUsers: number, deletedConnections: number, deletedCredentials: number, revokedSessions: number, portalAccessEnabled: boolean | null } };

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { createUser: { id: string, email: string } };

export type OrganizationsQueryVariables = Exact<{
  filter?: OrganizationFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type OrganizationsQuery = { organizations: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, type: OrganizationType, status: OrganizationStatus, taxId: string | null, createdAt: string, archivedAt: string | null, vendor: { id: string, name: string } | null } }> } };

export type VendorChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type VendorChoicesQuery = { organizations: { edges: Array<{ node: { id: string, name: string } }> } };

export type CreateOrganizationMutationVariables = Exact<{
  input: CreateOrganizationInput;
}>;


export type CreateOrganizationMutation = { createOrganization: { id: string, name: string } };

export type PurgeQueueQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type PurgeQueueQuery = { purgeQueue: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { organizationId: string, organizationType: string, status: RetentionCaseStatus, purgeEligibleAt: string, onLegalHold: boolean, lastDecisionChange: string | null, lastDecisionChangeBy: string | null, deletionPreview: Array<{ service: string, collection: string, rows: number }>, purgeRequest: { status: PurgeRequestStatus, approvedAt: string, approvedBy: string, completedAt: string | null } | null } }> } };

export type OrganizationNameQueryVariables = Exact<{
  id: string | number;
}>;


export type OrganizationNameQuery = { organization: { id: string, name: string, status: OrganizationStatus } | null };

export type ExtendRetentionMutationVariables = Exact<{
  input: ExtendRetentionInput;
}>;


export type ExtendRetentionMutation = { extendRetention: { id: string, retainedUntil: string | null } };

export type PlaceLegalHoldMutationVariables = Exact<{
  input: LegalHoldInput;
}>;


export type PlaceLegalHoldMutation = { placeLegalHold: { id: string, onLegalHold: boolean } };

export type ReleaseLegalHoldMutationVariables = Exact<{
  input: LegalHoldInput;
}>;


export type ReleaseLegalHoldMutation = { releaseLegalHold: { id: string, onLegalHold: boolean } };

export type ApprovePurgeMutationVariables = Exact<{
  organizationId: string | number;
}>;


export type ApprovePurgeMutation = { approvePurge: { status: PurgeRequestStatus, approvedBy: string } };

export type CancellationPolicyFieldsFragment = { scope: PolicyScope, organizationId: string | null, portalVisibilityDays: number, dataRetentionDays: number, allowReactivation: boolean, reactivationWindowDays: number, refundEligible: boolean, gracePeriodDays: number };

export type CancellationPolicyQueryVariables = Exact<{
  organizationId?: string | number | null | undefined;
}>;


export type CancellationPolicyQuery = { cancellationPolicy: { scope: PolicyScope, organizationId: string | null, portalVisibilityDays: number, dataRetentionDays: number, allowReactivation: boolean, reactivationWindowDays: number, refundEligible: boolean, gracePeriodDays: number }, effectiveProvisioningPolicies: Array<{ class: EntitlementClass, deprovisionOnCancel: boolean, source: ProvisioningPolicySource }> };

export type SetCancellationPolicyMutationVariables = Exact<{
  input: SetCancellationPolicyInput;
}>;


export type SetCancellationPolicyMutation = { setCancellationPolicy: { scope: PolicyScope, organizationId: string | null, portalVisibilityDays: number, dataRetentionDays: number, allowReactivation: boolean, reactivationWindowDays: number, refundEligible: boolean, gracePeriodDays: number } };

export type SetProvisioningPolicyMutationVariables = Exact<{
  input: SetProvisioningPolicyInput;
}>;


export type SetProvisioningPolicyMutation = { setProvisioningPolicy: { class: EntitlementClass, deprovisionOnCancel: boolean, source: ProvisioningPolicySource } };

export type OffboardingPolicyQueryVariables = Exact<{
  organizationId: string | number;
}>;


export type OffboardingPolicyQuery = { offboardingPolicy: { organizationType: string | null, exportWindowDays: number | null, ssoShutdownDays: number | null, piiMaskingDays: number | null, portalHiddenDays: number | null, finalConfirmationDays: number | null, retentionDays: number | null } };

export type SetOffboardingPolicyMutationVariables = Exact<{
  input: SetOffboardingPolicyInput;
}>;


export type SetOffboardingPolicyMutation = { setOffboardingPolicy: { organizationType: string | null, exportWindowDays: number | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SessionTokensFragmentDoc = new TypedDocumentString(`
    fragment SessionTokens on AuthPayload {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    displayName
    email
    role
    organizationId
  }
}
    `, {"fragmentName":"SessionTokens"}) as unknown as TypedDocumentString<SessionTokensFragment, unknown>;
export const TimelineFieldsFragmentDoc = new TypedDocumentString(`
    fragment TimelineFields on OffboardingTimeline {
  dayZero
  organizationType
  exportWindowClosesAt
  purgeEligibleAt
  milestones {
    milestone
    status
    dueAt
    dueRule
    owner
    blockedReason
    requestedAt
    completedAt
  }
}
    `, {"fragmentName":"TimelineFields"}) as unknown as TypedDocumentString<TimelineFieldsFragment, unknown>;
export const IdentityActionFieldsFragmentDoc = new TypedDocumentString(`
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}
    `, {"fragmentName":"IdentityActionFields"}) as unknown as TypedDocumentString<IdentityActionFieldsFragment, unknown>;
export const CancellationPolicyFieldsFragmentDoc = new TypedDocumentString(`
    fragment CancellationPolicyFields on CancellationPolicy {
  scope
  organizationId
  portalVisibilityDays
  dataRetentionDays
  allowReactivation
  reactivationWindowDays
  refundEligible
  gracePeriodDays
}
    `, {"fragmentName":"CancellationPolicyFields"}) as unknown as TypedDocumentString<CancellationPolicyFieldsFragment, unknown>;
export const SignInDocument = new TypedDocumentString(`
    mutation SignIn($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    ...SessionTokens
  }
}
    fragment SessionTokens on AuthPayload {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    displayName
    email
    role
    organizationId
  }
}`) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const RefreshSessionDocument = new TypedDocumentString(`
    mutation RefreshSession($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) {
    ...SessionTokens
  }
}
    fragment SessionTokens on AuthPayload {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    displayName
    email
    role
    organizationId
  }
}`) as unknown as TypedDocumentString<RefreshSessionMutation, RefreshSessionMutationVariables>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  logout
}
    `) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const OrganizationAuditTrailDocument = new TypedDocumentString(`
    query OrganizationAuditTrail($id: ID!, $first: Int!, $after: String) {
  organization(id: $id) {
    id
    auditTrail(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          sequence
          eventType
          source
          occurredAt
          details
          hash
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationAuditTrailQuery, OrganizationAuditTrailQueryVariables>;
export const VerifyAuditTrailDocument = new TypedDocumentString(`
    query VerifyAuditTrail($organizationId: ID!) {
  verifyAuditTrail(organizationId: $organizationId) {
    intact
    checkedEntries
    firstBrokenSequence
    reason
  }
}
    `) as unknown as TypedDocumentString<VerifyAuditTrailQuery, VerifyAuditTrailQueryVariables>;
export const OrganizationDataExportsDocument = new TypedDocumentString(`
    query OrganizationDataExports($id: ID!) {
  organization(id: $id) {
    id
    dataExports {
      id
      status
      requestedAt
      readyAt
      sizeBytes
      sha256
      error
      downloadUrl
      collections {
        service
        collection
        rows
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationDataExportsQuery, OrganizationDataExportsQueryVariables>;
export const RequestDataExportDocument = new TypedDocumentString(`
    mutation RequestDataExport($organizationId: ID!) {
  requestDataExport(organizationId: $organizationId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<RequestDataExportMutation, RequestDataExportMutationVariables>;
export const OrganizationEntitlementsDocument = new TypedDocumentString(`
    query OrganizationEntitlements($id: ID!) {
  organization(id: $id) {
    id
    status
    entitlements(first: 100) {
      totalCount
      edges {
        node {
          id
          class
          product
          status
          grantedAt
          orderReference
          prepaidUntil
          cancelledAt
          cancellationReason
          cancellationNotes
          suspendedAt
          suspensionReason
          graceEndsAt
          reactivatableUntil
          portalVisibleUntil
          reactivatedAt
          refundQuote {
            amountMinor
            currency
            unusedDays
          }
          policySnapshot {
            portalVisibilityDays
            dataRetentionDays
            allowReactivation
            reactivationWindowDays
            refundEligible
          }
        }
      }
    }
    cancellationPolicy {
      scope
      portalVisibilityDays
      dataRetentionDays
      allowReactivation
      reactivationWindowDays
      refundEligible
      gracePeriodDays
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationEntitlementsQuery, OrganizationEntitlementsQueryVariables>;
export const GrantEntitlementDocument = new TypedDocumentString(`
    mutation GrantEntitlement($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<GrantEntitlementMutation, GrantEntitlementMutationVariables>;
export const CancelEntitlementDocument = new TypedDocumentString(`
    mutation CancelEntitlement($input: CancelEntitlementInput!) {
  cancelEntitlement(input: $input) {
    id
    status
    cancelledAt
  }
}
    `) as unknown as TypedDocumentString<CancelEntitlementMutation, CancelEntitlementMutationVariables>;
export const ReactivateEntitlementDocument = new TypedDocumentString(`
    mutation ReactivateEntitlement($input: ReactivateEntitlementInput!) {
  reactivateEntitlement(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ReactivateEntitlementMutation, ReactivateEntitlementMutationVariables>;
export const SuspendEntitlementDocument = new TypedDocumentString(`
    mutation SuspendEntitlement($id: ID!) {
  suspendEntitlement(entitlementId: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<SuspendEntitlementMutation, SuspendEntitlementMutationVariables>;
export const ResumeEntitlementDocument = new TypedDocumentString(`
    mutation ResumeEntitlement($id: ID!) {
  resumeEntitlement(entitlementId: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ResumeEntitlementMutation, ResumeEntitlementMutationVariables>;
export const RecordPaymentFailureDocument = new TypedDocumentString(`
    mutation RecordPaymentFailure($id: ID!) {
  recordPaymentFailure(entitlementId: $id) {
    id
    status
    graceEndsAt
  }
}
    `) as unknown as TypedDocumentString<RecordPaymentFailureMutation, RecordPaymentFailureMutationVariables>;
export const RecordPaymentRecoveredDocument = new TypedDocumentString(`
    mutation RecordPaymentRecovered($id: ID!) {
  recordPaymentRecovered(entitlementId: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<RecordPaymentRecoveredMutation, RecordPaymentRecoveredMutationVariables>;
export const OrganizationOffboardingDocument = new TypedDocumentString(`
    query OrganizationOffboarding($id: ID!, $staff: Boolean!) {
  organization(id: $id) {
    id
    type
    status
    offboarding {
      id
      status
      dayZero
      reason
      pointOfContact
      notes
      startedAt
      entitlementsCancelledAt
      closedAt
    }
    timeline {
      ...TimelineFields
    }
    retention {
      id
      status
      exportWindowClosesAt
      purgeEligibleAt
      retainedUntil
      onLegalHold
      extensions @include(if: $staff) {
        kind
        until
        previousUntil
        reason
        createdAt
      }
    }
  }
}
    fragment TimelineFields on OffboardingTimeline {
  dayZero
  organizationType
  exportWindowClosesAt
  purgeEligibleAt
  milestones {
    milestone
    status
    dueAt
    dueRule
    owner
    blockedReason
    requestedAt
    completedAt
  }
}`) as unknown as TypedDocumentString<OrganizationOffboardingQuery, OrganizationOffboardingQueryVariables>;
export const PreviewOffboardingTimelineDocument = new TypedDocumentString(`
    query PreviewOffboardingTimeline($organizationId: ID!, $dayZero: String!) {
  previewOffboardingTimeline(organizationId: $organizationId, dayZero: $dayZero) {
    ...TimelineFields
  }
}
    fragment TimelineFields on OffboardingTimeline {
  dayZero
  organizationType
  exportWindowClosesAt
  purgeEligibleAt
  milestones {
    milestone
    status
    dueAt
    dueRule
    owner
    blockedReason
    requestedAt
    completedAt
  }
}`) as unknown as TypedDocumentString<PreviewOffboardingTimelineQuery, PreviewOffboardingTimelineQueryVariables>;
export const StartOffboardingDocument = new TypedDocumentString(`
    mutation StartOffboarding($input: StartOffboardingInput!) {
  startOffboarding(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<StartOffboardingMutation, StartOffboardingMutationVariables>;
export const CancelOffboardingDocument = new TypedDocumentString(`
    mutation CancelOffboarding($organizationId: ID!) {
  cancelOffboarding(organizationId: $organizationId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<CancelOffboardingMutation, CancelOffboardingMutationVariables>;
export const ExtendExportWindowDocument = new TypedDocumentString(`
    mutation ExtendExportWindow($organizationId: ID!, $days: Int!, $reason: String!) {
  extendExportWindow(
    organizationId: $organizationId
    days: $days
    reason: $reason
  ) {
    id
    exportWindowClosesAt
  }
}
    `) as unknown as TypedDocumentString<ExtendExportWindowMutation, ExtendExportWindowMutationVariables>;
export const OrganizationOverviewDocument = new TypedDocumentString(`
    query OrganizationOverview($id: ID!, $staff: Boolean!) {
  organization(id: $id) {
    id
    name
    type
    status
    taxId
    createdAt
    cancelledAt
    archivedAt
    piiMaskedAt
    purgedAt
    vendor @include(if: $staff) {
      id
      name
    }
    partners(first: 50) @include(if: $staff) {
      totalCount
      edges {
        node {
          id
          name
          status
        }
      }
    }
    portalAccess {
      enabled
      changedAt
    }
    deletionCertificate @include(if: $staff) {
      id
      issuedAt
      sha256
      deleted {
        service
        collection
        rows
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationOverviewQuery, OrganizationOverviewQueryVariables>;
export const ArchiveOrganizationDocument = new TypedDocumentString(`
    mutation ArchiveOrganization($id: ID!) {
  archiveOrganization(id: $id) {
    id
    status
    archivedAt
  }
}
    `) as unknown as TypedDocumentString<ArchiveOrganizationMutation, ArchiveOrganizationMutationVariables>;
export const UnarchiveOrganizationDocument = new TypedDocumentString(`
    mutation UnarchiveOrganization($id: ID!) {
  unarchiveOrganization(id: $id) {
    id
    status
    archivedAt
  }
}
    `) as unknown as TypedDocumentString<UnarchiveOrganizationMutation, UnarchiveOrganizationMutationVariables>;
export const PluginResourcesDocument = new TypedDocumentString(`
    query PluginResources($id: ID!) {
  organization(id: $id) {
    id
    licenses {
      id
      product
      licenseKey
      status
      issuedAt
      cancelledAt
      siteActivations {
        id
        siteUrl
        installedVersion
        lastCheckInAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<PluginResourcesQuery, PluginResourcesQueryVariables>;
export const EnvironmentResourcesDocument = new TypedDocumentString(`
    query EnvironmentResources($id: ID!) {
  organization(id: $id) {
    id
    environments {
      id
      name
      region
      url
      status
      deprovisionedAt
      teardownDueAt
      teardownBlockedAt
      teardownCleared
      tornDownAt
      exportWaivedAt
      exportWaiverReason
      exports {
        id
        createdAt
        sha256
        sizeBytes
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EnvironmentResourcesQuery, EnvironmentResourcesQueryVariables>;
export const ServiceResourcesDocument = new TypedDocumentString(`
    query ServiceResources($id: ID!, $staff: Boolean!) {
  organization(id: $id) {
    id
    services {
      id
      name
      status
      cancelledAt
      requests {
        id
        subject
        status
        createdAt
        reviewSince
        resolvedAt
      }
    }
    contracts {
      id
      reference
      status
      startsAt
      cancelledAt
    }
    creditBalances {
      id
      credits
      status
      frozenAt
    }
  }
  serviceRequestReviewQueue(first: 50) @include(if: $staff) {
    totalCount
    edges {
      node {
        id
        organizationId
        subject
        status
        reviewSince
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ServiceResourcesQuery, ServiceResourcesQueryVariables>;
export const AffiliateResourcesDocument = new TypedDocumentString(`
    query AffiliateResources($id: ID!, $staff: Boolean!) {
  organization(id: $id) {
    id
    campaigns @include(if: $staff) {
      id
      name
      status
      invalidatedAt
      trackingLinks {
        id
        code
        targetUrl
        status
        disabledReason
      }
    }
    partnerRelationships {
      id
      programme
      status
      endedAt
    }
  }
}
    `) as unknown as TypedDocumentString<AffiliateResourcesQuery, AffiliateResourcesQueryVariables>;
export const EducationResourcesDocument = new TypedDocumentString(`
    query EducationResources($id: ID!) {
  organization(id: $id) {
    id
    courseSeats {
      id
      status
      releasedAt
    }
    enrollments {
      id
      course
      learnerRef
      status
      enrolledAt
      closedAt
    }
  }
}
    `) as unknown as TypedDocumentString<EducationResourcesQuery, EducationResourcesQueryVariables>;
export const OrderResourcesDocument = new TypedDocumentString(`
    query OrderResources($id: ID!) {
  organization(id: $id) {
    id
    fulfilments {
      id
      product
      status
      closedAt
    }
    orders(first: 20) {
      totalCount
      edges {
        node {
          id
          reference
          description
          amountMinor
          currency
          status
          createdAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrderResourcesQuery, OrderResourcesQueryVariables>;
export const ExportEnvironmentDataDocument = new TypedDocumentString(`
    mutation ExportEnvironmentData($id: ID!) {
  exportEnvironmentData(id: $id) {
    id
    sha256
  }
}
    `) as unknown as TypedDocumentString<ExportEnvironmentDataMutation, ExportEnvironmentDataMutationVariables>;
export const WaiveEnvironmentExportDocument = new TypedDocumentString(`
    mutation WaiveEnvironmentExport($id: ID!, $reason: String!) {
  waiveEnvironmentExport(id: $id, reason: $reason) {
    id
    exportWaivedAt
  }
}
    `) as unknown as TypedDocumentString<WaiveEnvironmentExportMutation, WaiveEnvironmentExportMutationVariables>;
export const TearDownEnvironmentDocument = new TypedDocumentString(`
    mutation TearDownEnvironment($id: ID!) {
  tearDownEnvironment(id: $id) {
    id
    status
    tornDownAt
  }
}
    `) as unknown as TypedDocumentString<TearDownEnvironmentMutation, TearDownEnvironmentMutationVariables>;
export const CompleteServiceRequestDocument = new TypedDocumentString(`
    mutation CompleteServiceRequest($id: ID!) {
  completeServiceRequest(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<CompleteServiceRequestMutation, CompleteServiceRequestMutationVariables>;
export const CancelServiceRequestDocument = new TypedDocumentString(`
    mutation CancelServiceRequest($id: ID!) {
  cancelServiceRequest(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<CancelServiceRequestMutation, CancelServiceRequestMutationVariables>;
export const OrganizationUsersDocument = new TypedDocumentString(`
    query OrganizationUsers($id: ID!) {
  organization(id: $id) {
    id
    users(first: 100) {
      totalCount
      edges {
        node {
          id
          displayName
          email
          role
          status
          createdAt
          deactivatedAt
        }
      }
    }
    ssoConnections {
      id
      protocol
      issuer
      clientId
      active
      secretDeletedAt
      createdAt
    }
    portalAccess {
      enabled
      changedAt
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationUsersQuery, OrganizationUsersQueryVariables>;
export const DeactivateAccountsDocument = new TypedDocumentString(`
    mutation DeactivateAccounts($organizationId: ID!) {
  deactivateAccounts(organizationId: $organizationId) {
    ...IdentityActionFields
  }
}
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}`) as unknown as TypedDocumentString<DeactivateAccountsMutation, DeactivateAccountsMutationVariables>;
export const ReactivateAccountsDocument = new TypedDocumentString(`
    mutation ReactivateAccounts($organizationId: ID!) {
  reactivateAccounts(organizationId: $organizationId) {
    ...IdentityActionFields
  }
}
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}`) as unknown as TypedDocumentString<ReactivateAccountsMutation, ReactivateAccountsMutationVariables>;
export const DeleteSsoConnectionSecretsDocument = new TypedDocumentString(`
    mutation DeleteSsoConnectionSecrets($organizationId: ID!) {
  deleteSsoConnectionSecrets(organizationId: $organizationId) {
    ...IdentityActionFields
  }
}
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}`) as unknown as TypedDocumentString<DeleteSsoConnectionSecretsMutation, DeleteSsoConnectionSecretsMutationVariables>;
export const RevokeSessionsDocument = new TypedDocumentString(`
    mutation RevokeSessions($organizationId: ID!) {
  revokeSessions(organizationId: $organizationId) {
    ...IdentityActionFields
  }
}
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}`) as unknown as TypedDocumentString<RevokeSessionsMutation, RevokeSessionsMutationVariables>;
export const DeleteCredentialsDocument = new TypedDocumentString(`
    mutation DeleteCredentials($organizationId: ID!) {
  deleteCredentials(organizationId: $organizationId) {
    ...IdentityActionFields
  }
}
    fragment IdentityActionFields on IdentityActionResult {
  deactivatedUsers
  reactivatedUsers
  deletedConnections
  deletedCredentials
  revokedSessions
  portalAccessEnabled
}`) as unknown as TypedDocumentString<DeleteCredentialsMutation, DeleteCredentialsMutationVariables>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    id
    email
  }
}
    `) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const OrganizationsDocument = new TypedDocumentString(`
    query Organizations($filter: OrganizationFilter, $first: Int!, $after: String) {
  organizations(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        type
        status
        taxId
        createdAt
        archivedAt
        vendor {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrganizationsQuery, OrganizationsQueryVariables>;
export const VendorChoicesDocument = new TypedDocumentString(`
    query VendorChoices {
  organizations(filter: {type: VENDOR}, first: 100) {
    edges {
      node {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<VendorChoicesQuery, VendorChoicesQueryVariables>;
export const CreateOrganizationDocument = new TypedDocumentString(`
    mutation CreateOrganization($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<CreateOrganizationMutation, CreateOrganizationMutationVariables>;
export const PurgeQueueDocument = new TypedDocumentString(`
    query PurgeQueue($after: String) {
  purgeQueue(first: 20, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        organizationId
        organizationType
        status
        purgeEligibleAt
        onLegalHold
        lastDecisionChange
        lastDecisionChangeBy
        deletionPreview {
          service
          collection
          rows
        }
        purgeRequest {
          status
          approvedAt
          approvedBy
          completedAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<PurgeQueueQuery, PurgeQueueQueryVariables>;
export const OrganizationNameDocument = new TypedDocumentString(`
    query OrganizationName($id: ID!) {
  organization(id: $id) {
    id
    name
    status
  }
}
    `) as unknown as TypedDocumentString<OrganizationNameQuery, OrganizationNameQueryVariables>;
export const ExtendRetentionDocument = new TypedDocumentString(`
    mutation ExtendRetention($input: ExtendRetentionInput!) {
  extendRetention(input: $input) {
    id
    retainedUntil
  }
}
    `) as unknown as TypedDocumentString<ExtendRetentionMutation, ExtendRetentionMutationVariables>;
export const PlaceLegalHoldDocument = new TypedDocumentString(`
    mutation PlaceLegalHold($input: LegalHoldInput!) {
  placeLegalHold(input: $input) {
    id
    onLegalHold
  }
}
    `) as unknown as TypedDocumentString<PlaceLegalHoldMutation, PlaceLegalHoldMutationVariables>;
export const ReleaseLegalHoldDocument = new TypedDocumentString(`
    mutation ReleaseLegalHold($input: LegalHoldInput!) {
  releaseLegalHold(input: $input) {
    id
    onLegalHold
  }
}
    `) as unknown as TypedDocumentString<ReleaseLegalHoldMutation, ReleaseLegalHoldMutationVariables>;
export const ApprovePurgeDocument = new TypedDocumentString(`
    mutation ApprovePurge($organizationId: ID!) {
  approvePurge(organizationId: $organizationId) {
    status
    approvedBy
  }
}
    `) as unknown as TypedDocumentString<ApprovePurgeMutation, ApprovePurgeMutationVariables>;
export const CancellationPolicyDocument = new TypedDocumentString(`
    query CancellationPolicy($organizationId: ID) {
  cancellationPolicy(organizationId: $organizationId) {
    ...CancellationPolicyFields
  }
  effectiveProvisioningPolicies(organizationId: $organizationId) {
    class
    deprovisionOnCancel
    source
  }
}
    fragment CancellationPolicyFields on CancellationPolicy {
  scope
  organizationId
  portalVisibilityDays
  dataRetentionDays
  allowReactivation
  reactivationWindowDays
  refundEligible
  gracePeriodDays
}`) as unknown as TypedDocumentString<CancellationPolicyQuery, CancellationPolicyQueryVariables>;
export const SetCancellationPolicyDocument = new TypedDocumentString(`
    mutation SetCancellationPolicy($input: SetCancellationPolicyInput!) {
  setCancellationPolicy(input: $input) {
    ...CancellationPolicyFields
  }
}
    fragment CancellationPolicyFields on CancellationPolicy {
  scope
  organizationId
  portalVisibilityDays
  dataRetentionDays
  allowReactivation
  reactivationWindowDays
  refundEligible
  gracePeriodDays
}`) as unknown as TypedDocumentString<SetCancellationPolicyMutation, SetCancellationPolicyMutationVariables>;
export const SetProvisioningPolicyDocument = new TypedDocumentString(`
    mutation SetProvisioningPolicy($input: SetProvisioningPolicyInput!) {
  setProvisioningPolicy(input: $input) {
    class
    deprovisionOnCancel
    source
  }
}
    `) as unknown as TypedDocumentString<SetProvisioningPolicyMutation, SetProvisioningPolicyMutationVariables>;
export const OffboardingPolicyDocument = new TypedDocumentString(`
    query OffboardingPolicy($organizationId: ID!) {
  offboardingPolicy(organizationId: $organizationId) {
    organizationType
    exportWindowDays
    ssoShutdownDays
    piiMaskingDays
    portalHiddenDays
    finalConfirmationDays
    retentionDays
  }
}
    `) as unknown as TypedDocumentString<OffboardingPolicyQuery, OffboardingPolicyQueryVariables>;
export const SetOffboardingPolicyDocument = new TypedDocumentString(`
    mutation SetOffboardingPolicy($input: SetOffboardingPolicyInput!) {
  setOffboardingPolicy(input: $input) {
    organizationType
    exportWindowDays
  }
}
    `) as unknown as TypedDocumentString<SetOffboardingPolicyMutation, SetOffboardingPolicyMutationVariables>;