import { z } from 'zod';
import {
  CancellationReason,
  EntitlementClass,
  OrganizationType,
  type ServiceName,
  SuspensionReason,
} from '../domain';

// The single source of every event contract. TypeScript payload types, the JSON Schemas in
// docs/events/ and the AsyncAPI document are all derived from this map; topic and type names
// are frozen once published.

const id = z.uuid();
const instant = z.iso.datetime({ offset: true });
const organizationType = z.enum(Object.values(OrganizationType) as [OrganizationType, ...OrganizationType[]]);
const entitlementClass = z.enum(Object.values(EntitlementClass) as [EntitlementClass, ...EntitlementClass[]]);
const cancellationReason = z.enum(
  Object.values(CancellationReason) as [CancellationReason, ...CancellationReason[]],
);

const suspensionReason = z.enum(Object.values(SuspensionReason) as [SuspensionReason, ...SuspensionReason[]]);
const actor = z.string().min(1).max(200).describe('Actor id (a user id or "system:<job>"), never a name or e-mail.');
const day = z.iso.date().describe('A calendar day (UTC), YYYY-MM-DD.');
const amountMinor = z.int().min(0).describe('Amount in minor units of the currency (cents).');
const currency = z.string().regex(/^[A-Z]{3}$/).describe('ISO 4217 currency code.');

/** The milestones of an offboarding timeline (SPEC §3.3), in timeline order. */
export const MILESTONE_KINDS = [
  'ENTITLEMENTS_CANCELLED',
  'EXPORT_WINDOW_CLOSES',
  'SSO_SHUTDOWN',
  'PII_MASKED',
  'PORTAL_HIDDEN',
  'FINAL_CONFIRMATION',
  'PURGE_ELIGIBLE',
] as const;
const milestoneKind = z.enum(MILESTONE_KINDS);

/**
 * Marks a payload field that carries a secret (a link that works as a credential). Such an event
 * is meant for one consumer (the notification service that delivers it); the audit trail keeps
 * it with the field redacted, and the schemas show `x-secret: true` on the field.
 */
function secret<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ 'x-secret': true, description });
}

/** The effective CancellationPolicy copied at cancellation; later policy edits never change it. */
export const cancellationPolicySnapshot = z.strictObject({
  portalVisibilityDays: z.int().min(0),
  dataRetentionDays: z.int().min(0),
  allowReactivation: z.boolean(),
  reactivationWindowDays: z.int().min(0),
  refundEligible: z.boolean(),
  gracePeriodDays: z.int().min(0),
});
export type CancellationPolicySnapshot = z.infer<typeof cancellationPolicySnapshot>;

/** SPEC §3.1 defaults, in force until an admin sets a global or per-organization policy. */
export const DEFAULT_CANCELLATION_POLICY: Readonly<CancellationPolicySnapshot> = Object.freeze({
  portalVisibilityDays: 90,
  dataRetentionDays: 365,
  allowReactivation: true,
  reactivationWindowDays: 90,
  refundEligible: false,
  gracePeriodDays: 30,
});

/** One audit entry: who did what to which record and why, with the status before and after. No PII. */
const auditRecorded = z.strictObject({
  entryId: id,
  organizationId: id,
  actor,
  action: z.string().min(1).max(100),
  reason: z.string().max(100).nullable(),
  subjectType: z.string().min(1).max(50),
  subjectId: z.string().min(1).max(100),
  beforeStatus: z.string().max(50).nullable(),
  afterStatus: z.string().max(50).nullable(),
  occurredAt: instant,
});

/** A service's confirmation that it masked the PII it holds for an organization. */
const piiMasked = z.strictObject({
  organizationId: id,
  requestId: id,
  maskedRecords: z.int().min(0),
  maskedAt: instant,
});

/** A service's confirmation that it deleted an organization's records, with counts per table. */
const organizationPurged = z.strictObject({
  organizationId: id,
  requestId: id,
  deleted: z.record(z.string(), z.int().min(0)).describe('Rows deleted per table.'),
  purgedAt: instant,
});

/** What an offboarding did, counted, for the final confirmation letter. */
const offboardingCounts = z.strictObject({
  entitlementsCancelled: z.int().min(0),
  usersDeactivated: z.int().min(0),
  ssoConnectionsDeleted: z.int().min(0),
  sessionsRevoked: z.int().min(0),
  recordsMasked: z.int().min(0).describe('Personal-data records masked, over every service.'),
  dataExports: z.int().min(0).describe('Data exports made ready for the organization.'),
});

interface EventDefinition<S extends z.ZodObject = z.ZodObject> {
  producer: ServiceName;
  summary: string;
  payload: S;
}

function event<S extends z.ZodObject>(producer: ServiceName, summary: string, payload: S): EventDefinition<S> {
  return { producer, summary, payload };
}

export const eventCatalog = {
  'com.offboarding.entitlements.organization_created.v1': event(
    'entitlements',
    'An organization (customer, vendor or partner) was created.',
    z.strictObject({
      organizationId: id,
      type: organizationType,
      vendorId: id.nullable().describe('The owning vendor when the organization is a partner.'),
      createdAt: instant,
    }),
  ),
  'com.offboarding.entitlements.entitlement_granted.v1': event(
    'entitlements',
    'An entitlement was granted; downstream services provision what it feeds.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      product: z.string().min(1).max(200),
      grantedAt: instant,
    }),
  ),
  'com.offboarding.entitlements.entitlement_cancelled.v1': event(
    'entitlements',
    'An entitlement was cancelled with a recorded reason; downstream resources are cleaned up.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      reason: cancellationReason,
      cancelledAt: instant,
      cancelledBy: actor,
      policy: cancellationPolicySnapshot,
      reactivatableUntil: instant.nullable().describe('Null when the policy does not allow reactivation.'),
      portalVisibleUntil: instant,
      remainingActiveEntitlements: z
        .int()
        .min(0)
        .describe('Active or suspended entitlements the organization still has after this one.'),
    }),
  ),
  'com.offboarding.entitlements.entitlement_suspended.v1': event(
    'entitlements',
    'An entitlement was suspended (non-payment or by an admin); downstream resources are suspended reversibly.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      reason: suspensionReason,
      suspendedAt: instant,
      graceEndsAt: instant.nullable().describe('When a non-payment suspension turns into a cancellation.'),
    }),
  ),
  'com.offboarding.entitlements.entitlement_resumed.v1': event(
    'entitlements',
    'A suspended entitlement is active again (payment recovered or lifted by an admin).',
    z.strictObject({ organizationId: id, entitlementId: id, class: entitlementClass, resumedAt: instant }),
  ),
  'com.offboarding.entitlements.entitlement_reactivated.v1': event(
    'entitlements',
    'A cancelled entitlement was won back inside its reactivation window; downstream resources are re-provisioned.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      product: z.string().min(1).max(200),
      reference: z.string().min(1).max(100).describe('The new order or payment reference.'),
      reactivatedAt: instant,
      reactivatedBy: actor,
    }),
  ),
  'com.offboarding.entitlements.refund_quoted.v1': event(
    'entitlements',
    'Cancelling a refund-eligible entitlement priced its unused prepaid time; billing issues the refund.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      amountMinor: z.int().min(0).describe('Refund in minor units of the currency (cents).'),
      currency: z.string().length(3),
      unusedDays: z.int().min(0),
      prepaidDays: z.int().min(1),
      quotedAt: instant,
    }),
  ),
  'com.offboarding.entitlements.organization_archived.v1': event(
    'entitlements',
    'An organization with only cancelled entitlements was archived: hidden from lists, its collaborators lose portal access.',
    z.strictObject({ organizationId: id, archivedAt: instant, archivedBy: actor }),
  ),
  'com.offboarding.entitlements.organization_unarchived.v1': event(
    'entitlements',
    'An archived organization is active again (unarchive or reactivation).',
    z.strictObject({ organizationId: id, unarchivedAt: instant, unarchivedBy: actor }),
  ),
  'com.offboarding.entitlements.offboarding_started.v1': event(
    'entitlements',
    'An admin started offboarding an organization; the retention service builds the timeline from it.',
    z.strictObject({
      organizationId: id,
      caseId: id,
      organizationType: organizationType,
      vendorId: id.nullable(),
      reason: cancellationReason,
      dayZero: day.describe('Last day of contract; entitlements are cancelled on it.'),
      policy: cancellationPolicySnapshot,
      startedAt: instant,
      startedBy: actor,
      partnerOrganizationIds: z
        .array(id)
        .describe("For a vendor: its partner organizations, offboarded with it on the vendor's timeline (each has its own offboarding_started). Empty otherwise."),
      vendorCaseId: id
        .nullable()
        .describe("For a partner offboarded with its vendor: the vendor's offboarding case, whose timeline (day 0, policy, dates) the partner follows. Null otherwise."),
    }),
  ),
  'com.offboarding.entitlements.offboarding_entitlements_cancelled.v1': event(
    'entitlements',
    "Day 0 of an offboarding case: every active or suspended entitlement of the organization is cancelled (also when it had none).",
    z.strictObject({
      organizationId: id,
      caseId: id,
      cancelledEntitlements: z.int().min(0).describe('Entitlements this case cancelled (0 when none were active).'),
      cancelledAt: instant,
    }),
  ),
  'com.offboarding.entitlements.offboarding_cancelled.v1': event(
    'entitlements',
    'An offboarding case was called off before day 0; nothing was cancelled by it.',
    z.strictObject({ organizationId: id, caseId: id, cancelledAt: instant, cancelledBy: actor }),
  ),
  'com.offboarding.entitlements.order_created.v1': event(
    'entitlements',
    'An order was recorded for the organization (billing and fulfilment act on it).',
    z.strictObject({
      organizationId: id,
      orderId: id,
      reference: z.string().min(1).max(100),
      amountMinor,
      currency,
      status: z.enum(['OPEN', 'FULFILLED', 'CANCELLED']),
      createdBy: actor,
      createdAt: instant,
    }),
  ),
  'com.offboarding.entitlements.quote_created.v1': event(
    'entitlements',
    'A quote was made out to the organization.',
    z.strictObject({
      organizationId: id,
      quoteId: id,
      reference: z.string().min(1).max(100),
      amountMinor,
      currency,
      validUntil: instant,
      createdBy: actor,
      createdAt: instant,
    }),
  ),
  'com.offboarding.entitlements.invoice_issued.v1': event(
    'entitlements',
    'An invoice was issued to the organization.',
    z.strictObject({
      organizationId: id,
      invoiceId: id,
      number: z.string().min(1).max(100),
      orderId: id.nullable(),
      amountMinor,
      currency,
      dueAt: instant,
      issuedBy: actor,
      issuedAt: instant,
    }),
  ),
  'com.offboarding.entitlements.document_added.v1': event(
    'entitlements',
    "A document (contract, notice, ...) was added to the organization's records. Its title and content stay in the service.",
    z.strictObject({
      organizationId: id,
      documentId: id,
      kind: z.string().regex(/^[A-Z_]{1,32}$/),
      contentType: z.string().min(1).max(100),
      sizeBytes: z.int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      addedBy: actor,
      addedAt: instant,
    }),
  ),
  'com.offboarding.entitlements.contact_added.v1': event(
    'entitlements',
    "A contact person was added to the organization. The person's name, e-mail, phone and address stay in the service.",
    z.strictObject({ organizationId: id, contactId: id, addedBy: actor, addedAt: instant }),
  ),
  'com.offboarding.entitlements.audit_recorded.v1': event(
    'entitlements',
    'An offboarding action of the entitlements service, for the organization-wide audit trail.',
    auditRecorded,
  ),
  'com.offboarding.entitlements.pii_masked.v1': event(
    'entitlements',
    "The organization's contacts were masked with the organization's masking key.",
    piiMasked,
  ),
  'com.offboarding.entitlements.organization_purged.v1': event(
    'entitlements',
    "The organization's records were deleted; only the tombstone remains.",
    organizationPurged,
  ),
  'com.offboarding.provisioning.license_issued.v1': event(
    'provisioning',
    'A plugin licence was issued for a PLG entitlement.',
    z.strictObject({ organizationId: id, entitlementId: id, licenseId: id, issuedAt: instant }),
  ),
  'com.offboarding.provisioning.license_cancelled.v1': event(
    'provisioning',
    'A plugin licence was cancelled: downloads refused, installed sites keep their version.',
    z.strictObject({ organizationId: id, entitlementId: id, licenseId: id, cancelledAt: instant }),
  ),
  'com.offboarding.provisioning.resources_provisioned.v1': event(
    'provisioning',
    'The downstream resources an entitlement feeds were provisioned (counts per resource type).',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      provisioned: z.record(z.string().regex(/^[a-z][A-Za-z]*$/), z.int().min(0)).describe('Resources changed per resource type (licenses, environments, campaigns, ...).'),
      provisionedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.resources_suspended.v1': event(
    'provisioning',
    "An entitlement's downstream resources were suspended reversibly (counts per resource type).",
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      reason: suspensionReason,
      suspended: z.record(z.string().regex(/^[a-z][A-Za-z]*$/), z.int().min(0)).describe('Resources changed per resource type (licenses, environments, campaigns, ...).'),
      suspendedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.resources_restored.v1': event(
    'provisioning',
    "A resumed entitlement's suspended resources are back in service (counts per resource type).",
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      restored: z.record(z.string().regex(/^[a-z][A-Za-z]*$/), z.int().min(0)).describe('Resources changed per resource type (licenses, environments, campaigns, ...).'),
      restoredAt: instant,
    }),
  ),
  'com.offboarding.provisioning.resources_deprovisioned.v1': event(
    'provisioning',
    "A cancelled entitlement's resources were cleaned up per the ProvisioningPolicy, or kept until purge when it says so.",
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      deprovisionOnCancel: z.boolean().describe('The effective ProvisioningPolicy; false means every resource stays until purge.'),
      deprovisioned: z.record(z.string().regex(/^[a-z][A-Za-z]*$/), z.int().min(0)).describe('Resources changed per resource type (licenses, environments, campaigns, ...).'),
      teardownDueAt: instant.nullable().describe('When deprovisioned environments are due for teardown (ENV only).'),
      deprovisionedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.resources_reprovisioned.v1': event(
    'provisioning',
    "A reactivated entitlement's resources were brought back (a torn-down environment is provisioned anew).",
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      class: entitlementClass,
      reprovisioned: z.record(z.string().regex(/^[a-z][A-Za-z]*$/), z.int().min(0)).describe('Resources changed per resource type (licenses, environments, campaigns, ...).'),
      reprovisionedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.environment_export_created.v1': event(
    'provisioning',
    "A hosted environment's data was exported to an artifact in object storage, ahead of its teardown.",
    z.strictObject({
      organizationId: id,
      environmentId: id,
      exportId: id,
      storageKey: z.string().min(1).max(1024).describe('Object storage key of the artifact.'),
      sizeBytes: z.int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      createdBy: actor,
      createdAt: instant,
    }),
  ),
  'com.offboarding.provisioning.environment_export_waived.v1': event(
    'provisioning',
    "An admin waived the export of a hosted environment's data, so it may be torn down without one. The reason stays in the service.",
    z.strictObject({ organizationId: id, environmentId: id, waivedBy: actor, waivedAt: instant }),
  ),
  'com.offboarding.provisioning.environment_torn_down.v1': event(
    'provisioning',
    'A deprovisioned hosted environment was torn down after its data was exported or the export was waived.',
    z.strictObject({
      organizationId: id,
      entitlementId: id,
      environmentId: id,
      exportId: id.nullable().describe('The latest export; null when the export was waived.'),
      exportWaived: z.boolean(),
      tornDownBy: actor,
      tornDownAt: instant,
    }),
  ),
  'com.offboarding.provisioning.campaign_invalidated.v1': event(
    'provisioning',
    'An affiliate campaign was invalidated: it can no longer be opened or edited, and never comes back.',
    z.strictObject({
      organizationId: id,
      campaignId: id,
      entitlementId: id,
      reason: z
        .enum(['ENTITLEMENT_CANCELLED', 'PII_MASKED'])
        .describe("ENTITLEMENT_CANCELLED: its AFL entitlement was cancelled; PII_MASKED: the organization's masking milestone invalidated what was left."),
      invalidatedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.tracking_link_disabled.v1': event(
    'provisioning',
    'A tracking link was shut down: /t/<code> answers 410 Gone from now on.',
    z.strictObject({
      organizationId: id,
      trackingLinkId: id,
      campaignId: id,
      reason: z.enum(['SUSPENDED', 'CANCELLED']).describe('SUSPENDED comes back with the entitlement; CANCELLED only when an admin enables the link again.'),
      disabledAt: instant,
    }),
  ),
  'com.offboarding.provisioning.tracking_link_enabled.v1': event(
    'provisioning',
    'A tracking link redirects again (its entitlement resumed, or an admin enabled it).',
    z.strictObject({ organizationId: id, trackingLinkId: id, campaignId: id, enabledBy: actor, enabledAt: instant }),
  ),
  'com.offboarding.provisioning.credit_balance_frozen.v1': event(
    'provisioning',
    'A prepaid credit balance was frozen: consumption is refused until it is unfrozen.',
    z.strictObject({
      organizationId: id,
      creditBalanceId: id,
      entitlementId: id,
      credits: z.int().min(0).describe('Credits left on the balance.'),
      reason: z.enum(['SUSPENDED', 'CANCELLED']),
      frozenAt: instant,
    }),
  ),
  'com.offboarding.provisioning.credit_balance_unfrozen.v1': event(
    'provisioning',
    'A frozen credit balance can be consumed again (the entitlement resumed or was reactivated).',
    z.strictObject({ organizationId: id, creditBalanceId: id, entitlementId: id, credits: z.int().min(0), unfrozenAt: instant }),
  ),
  'com.offboarding.provisioning.service_request_reviewed.v1': event(
    'provisioning',
    "An admin reviewed a service request of a cancelled service: completed or cancelled. The request's subject stays in the service.",
    z.strictObject({
      organizationId: id,
      serviceRequestId: id,
      serviceId: id,
      outcome: z.enum(['COMPLETED', 'CANCELLED']),
      reviewedBy: actor,
      reviewedAt: instant,
    }),
  ),
  'com.offboarding.provisioning.audit_recorded.v1': event(
    'provisioning',
    'An offboarding action of the provisioning service, for the organization-wide audit trail.',
    auditRecorded,
  ),
  'com.offboarding.provisioning.pii_masked.v1': event(
    'provisioning',
    'Contact names and e-mails on environments, campaigns and partner relationships were masked with the organization\'s masking key.',
    piiMasked,
  ),
  'com.offboarding.provisioning.organization_purged.v1': event(
    'provisioning',
    "The organization's licences, environments, services, campaigns, seats and fulfilments were deleted.",
    organizationPurged,
  ),
  'com.offboarding.identity.portal_access_enabled.v1': event(
    'identity',
    "The organization's collaborators may use the customer portal.",
    z.strictObject({ organizationId: id, enabledAt: instant }),
  ),
  'com.offboarding.identity.portal_access_disabled.v1': event(
    'identity',
    "The organization's collaborators lost portal access (archive, or the timeline's portal milestone); their sessions are revoked.",
    z.strictObject({
      organizationId: id,
      requestId: id.nullable().describe("The retention service's portal_hide_requested; null when the organization was archived."),
      disabledAt: instant,
    }),
  ),
  'com.offboarding.identity.sso_shutdown_completed.v1': event(
    'identity',
    "SSO shutdown done: the organization's (and, for a vendor, its partners') accounts deactivated, SSO connection strings and credentials deleted, every session revoked.",
    z.strictObject({
      organizationId: id,
      requestId: id,
      deactivatedUsers: z.int().min(0),
      deletedConnections: z.int().min(0),
      revokedSessions: z.int().min(0),
      completedAt: instant,
    }),
  ),
  'com.offboarding.identity.sessions_revoked.v1': event(
    'identity',
    "Sessions of the organization's users were revoked: their access tokens are refused at once and their refresh tokens are dead. At most 1000 sessions per event.",
    z.strictObject({
      organizationId: id,
      sessionIds: z.array(id).min(1).max(1000),
      reason: z.enum(['LOGOUT', 'ADMIN', 'ACCOUNT_DEACTIVATED', 'PORTAL_ACCESS_DISABLED', 'REFRESH_TOKEN_REUSED', 'PASSWORD_SET']),
      revokedAt: instant,
    }),
  ),
  'com.offboarding.identity.accounts_deactivated.v1': event(
    'identity',
    "The organization's user accounts were deactivated; for a vendor, its partners' users too.",
    z.strictObject({
      organizationId: id,
      affectedOrganizationIds: z.array(id).min(1).describe('The organization and, for a vendor, its partner organizations.'),
      deactivatedUsers: z.int().min(0),
      deactivatedAt: instant,
    }),
  ),
  'com.offboarding.identity.accounts_reactivated.v1': event(
    'identity',
    "Deactivated accounts whose data still exists (not masked, not purged) are active again.",
    z.strictObject({
      organizationId: id,
      affectedOrganizationIds: z.array(id).min(1),
      reactivatedUsers: z.int().min(0),
      reactivatedAt: instant,
    }),
  ),
  'com.offboarding.identity.sso_connection_deleted.v1': event(
    'identity',
    'The connection string (secret) of an SSO connection was deleted: every later SSO login through it fails.',
    z.strictObject({ organizationId: id, connectionId: id, deletedAt: instant }),
  ),
  'com.offboarding.identity.credentials_deleted.v1': event(
    'identity',
    "The password credentials of the organization's users were deleted: password login fails for them.",
    z.strictObject({
      organizationId: id,
      affectedOrganizationIds: z.array(id).min(1),
      deletedCredentials: z.int().min(0),
      deletedAt: instant,
    }),
  ),
  'com.offboarding.identity.user_created.v1': event(
    'identity',
    "A user account of the organization was created (a collaborator or a partner user). E-mail and name stay in the service.",
    z.strictObject({ organizationId: id, userId: id, role: z.enum(['COLLABORATOR', 'PARTNER_USER']), createdAt: instant }),
  ),
  'com.offboarding.identity.user_deactivated.v1': event(
    'identity',
    'A user account was deactivated: the user cannot sign in and their sessions are revoked.',
    z.strictObject({
      organizationId: id,
      userId: id,
      reason: z
        .enum(['ACCOUNTS_DEACTIVATED', 'PII_MASKED'])
        .describe("ACCOUNTS_DEACTIVATED: an admin or the SSO shutdown milestone deactivated the organization's accounts; PII_MASKED: masking ended an account still active."),
      deactivatedAt: instant,
    }),
  ),
  'com.offboarding.identity.user_reactivated.v1': event(
    'identity',
    'A deactivated user account whose data still exists is active again (win-back). The user signs in once they set a password (password_setup_issued).',
    z.strictObject({ organizationId: id, userId: id, reactivatedAt: instant }),
  ),
  'com.offboarding.identity.password_setup_issued.v1': event(
    'identity',
    'Staff issued a single-use, expiring password-setup link for a user (an invitation, a reset, or a win-back). CONTAINS A SECRET: setupUrl lets whoever holds it set the password, so this event is for the notification service that delivers it to the user; other consumers must ignore the field and never store or log it.',
    z.strictObject({
      organizationId: id,
      userId: id,
      setupId: id.describe('The link, without its secret: password_set names it when used.'),
      purpose: z.enum(['INVITATION', 'RESET', 'WIN_BACK']),
      setupUrl: secret(z.url(), 'The link to send to the user; its token works once, until expiresAt. A secret: deliver it, never store or log it.'),
      expiresAt: instant,
      issuedBy: actor,
      issuedAt: instant,
    }),
  ),
  'com.offboarding.identity.password_set.v1': event(
    'identity',
    "A user set their password with a password-setup link (which is used up); they can sign in with it.",
    z.strictObject({ organizationId: id, userId: id, setupId: id, purpose: z.enum(['INVITATION', 'RESET', 'WIN_BACK']), setAt: instant }),
  ),
  'com.offboarding.identity.audit_recorded.v1': event(
    'identity',
    'An offboarding action of the identity service, for the organization-wide audit trail.',
    auditRecorded,
  ),
  'com.offboarding.identity.pii_masked.v1': event(
    'identity',
    "The organization's users' e-mail addresses and names were masked with the organization's masking key.",
    piiMasked,
  ),
  'com.offboarding.identity.organization_purged.v1': event(
    'identity',
    "The organization's users, credentials, sessions, SSO connections and portal access were deleted.",
    organizationPurged,
  ),
  'com.offboarding.retention.pii_masking_requested.v1': event(
    'retention',
    "Every service masks the organization's PII with the keyed hash behind maskingKeyRef, then confirms with pii_masked.",
    z.strictObject({
      organizationId: id,
      requestId: id,
      maskingKeyRef: z.string().min(1).max(200).describe('Where services fetch the key; never the key itself.'),
      requestedAt: instant,
    }),
  ),
  'com.offboarding.retention.organization_purge_requested.v1': event(
    'retention',
    "Every service deletes the organization's records in bounded batches, then confirms with organization_purged.",
    z.strictObject({ organizationId: id, requestId: id, requestedAt: instant }),
  ),
  'com.offboarding.retention.sso_shutdown_requested.v1': event(
    'retention',
    "The timeline's SSO milestone: identity deactivates the organization's accounts (a vendor's partners' too), deletes SSO connection strings and credentials, revokes every session, then confirms with sso_shutdown_completed.",
    z.strictObject({ organizationId: id, requestId: id, requestedAt: instant }),
  ),
  'com.offboarding.retention.portal_hide_requested.v1': event(
    'retention',
    "The timeline's portal milestone: identity disables the organization's portal access, then confirms with portal_access_disabled.",
    z.strictObject({ organizationId: id, requestId: id, requestedAt: instant }),
  ),
  'com.offboarding.retention.retention_case_opened.v1': event(
    'retention',
    "A retention case opened (offboarding started, or the organization's last entitlement was cancelled) with its timeline computed.",
    z.strictObject({
      organizationId: id,
      caseId: id,
      origin: z.enum(['OFFBOARDING', 'CANCELLATION']).describe('Offboarding started, or the last entitlement cancelled.'),
      organizationType: organizationType,
      dayZero: day,
      exportWindowClosesAt: instant,
      purgeEligibleAt: instant,
      openedAt: instant,
    }),
  ),
  'com.offboarding.retention.retention_case_closed.v1': event(
    'retention',
    'A retention case closed before purge: the organization was won back or its offboarding called off; pending milestones were skipped.',
    z.strictObject({ organizationId: id, caseId: id, reason: z.enum(['REACTIVATED', 'UNARCHIVED', 'OFFBOARDING_CANCELLED', 'NEW_ENTITLEMENT', 'SUPERSEDED']), closedAt: instant }),
  ),
  'com.offboarding.retention.milestone_completed.v1': event(
    'retention',
    'A milestone of the offboarding timeline was confirmed done by the service that owns it.',
    z.strictObject({ organizationId: id, caseId: id, milestone: milestoneKind, completedAt: instant }),
  ),
  'com.offboarding.retention.milestone_upcoming.v1': event(
    'retention',
    'A milestone the organization must hear about is coming (export window closes, SSO shutdown, masking, portal hidden, purge): sent once per notice, a configured number of days ahead (MILESTONE_NOTICE_DAYS, default 7 and 1), so a notification service can warn the customer in time.',
    z.strictObject({
      organizationId: id,
      caseId: id,
      milestone: milestoneKind,
      dueAt: instant,
      daysLeft: z.int().min(0).describe('Whole days from now until dueAt, rounded up.'),
      noticeDays: z.int().min(1).describe('The notice this is (7 for the 7-days-ahead notice).'),
      vendorOrganizationId: id.nullable().describe("For a partner offboarded with its vendor: the vendor. Null otherwise."),
      publishedAt: instant,
    }),
  ),
  'com.offboarding.retention.offboarding_completed.v1': event(
    'retention',
    'The final confirmation of an offboarding: every milestone up to it is done (for a vendor: for the vendor and every partner). Carries what the confirmation letter says: what was done, when, and counts.',
    z.strictObject({
      organizationId: id,
      caseId: id,
      organizationType,
      dayZero: day,
      milestones: z
        .array(z.strictObject({ milestone: milestoneKind, status: z.enum(['PENDING', 'DONE', 'SKIPPED', 'BLOCKED']), dueAt: instant.nullable(), completedAt: instant.nullable() }))
        .describe('Every milestone of the timeline with its date; the ones still ahead (portal hidden on the same day, purge) are PENDING.'),
      counts: offboardingCounts.describe('What was done for this organization.'),
      partnerOrganizationIds: z.array(id).describe('For a vendor: the partners offboarded with it. Empty otherwise.'),
      partnerCounts: offboardingCounts.describe("For a vendor: the same counts summed over its partners (zeros otherwise)."),
      purgeEligibleAt: instant.describe('When the remaining data becomes eligible for purge.'),
      completedAt: instant,
    }),
  ),
  'com.offboarding.retention.legal_hold_placed.v1': event(
    'retention',
    "A legal hold was placed: nothing of the organization is masked or purged until it is released. The reason stays in the service.",
    z.strictObject({ organizationId: id, caseId: id, holdId: id, placedBy: actor, placedAt: instant }),
  ),
  'com.offboarding.retention.legal_hold_released.v1': event(
    'retention',
    'A legal hold was released; a purge then needs an approval by another admin. The reason stays in the service.',
    z.strictObject({ organizationId: id, caseId: id, holdId: id, releasedBy: actor, releasedAt: instant }),
  ),
  'com.offboarding.retention.retention_extended.v1': event(
    'retention',
    "An admin kept the organization's data longer: it becomes purge-eligible later. The reason stays in the service.",
    z.strictObject({ organizationId: id, caseId: id, previousPurgeEligibleAt: instant, purgeEligibleAt: instant, extendedBy: actor, extendedAt: instant }),
  ),
  'com.offboarding.retention.export_window_extended.v1': event(
    'retention',
    'The organization asked for a delay in deactivation: the export window closes later, and every later milestone that ends access or destroys data moved with it.',
    z.strictObject({
      organizationId: id,
      caseId: id,
      previousClosesAt: instant,
      closesAt: instant,
      rescheduled: z
        .array(z.strictObject({ milestone: milestoneKind, previousDueAt: instant.nullable(), dueAt: instant.nullable() }))
        .describe('The milestones whose due date moved.'),
      extendedBy: actor,
      extendedAt: instant,
    }),
  ),
  'com.offboarding.retention.purge_approved.v1': event(
    'retention',
    "An admin approved the organization's purge; the purge job sends it once the organization is eligible and not on hold.",
    z.strictObject({ organizationId: id, caseId: id, requestId: id, approvedBy: actor, approvedAt: instant }),
  ),
  'com.offboarding.retention.purge_approval_revoked.v1': event(
    'retention',
    'A change of the purge decision after the approval (retention extended, a hold released) voided it: another approval is needed.',
    z.strictObject({ organizationId: id, caseId: id, requestId: id, reason: z.enum(['RETENTION_EXTENDED', 'LEGAL_HOLD_RELEASED']), revokedAt: instant }),
  ),
  'com.offboarding.retention.data_export_ready.v1': event(
    'retention',
    "An export of every collection the organization has is ready to download. The signed link is a credential and never travels in events: query DataExport.downloadUrl.",
    z.strictObject({
      organizationId: id,
      exportId: id,
      sizeBytes: z.int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      requestedBy: actor,
      readyAt: instant,
    }),
  ),
  'com.offboarding.retention.deletion_certificate_issued.v1': event(
    'retention',
    "Every service confirmed the organization's purge; the deletion certificate (kept for good) records the counts and a hash over all of it.",
    z.strictObject({
      organizationId: id,
      certificateId: id,
      requestId: id,
      deleted: z.record(z.string(), z.record(z.string(), z.int().min(0))).describe('Rows deleted per service and table.'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      issuedAt: instant,
    }),
  ),
  'com.offboarding.retention.audit_recorded.v1': event(
    'retention',
    'An action of the retention service (an admin extending retention, placing a hold, approving a purge, requesting an export; a key destroyed), for the organization-wide audit trail. Reasons given in free text stay in the service.',
    auditRecorded,
  ),
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof eventCatalog;
export type EventPayload<T extends EventType> = z.infer<(typeof eventCatalog)[T]['payload']>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(eventCatalog, type);
}

/** Payload fields of an event type that carry a secret (marked with `x-secret`), e.g. a password-setup link. */
export function secretFieldsOf(type: EventType): string[] {
  const shape = eventCatalog[type].payload.shape as Record<string, z.ZodType>;
  return Object.keys(shape).filter((field) => shape[field].meta()?.['x-secret'] === true);
}

/** The payload with its secret fields replaced, for anything that keeps or shows events (the audit trail, logs). */
export function redactSecrets<T extends EventType>(type: T, data: EventPayload<T>): EventPayload<T> {
  const fields = secretFieldsOf(type);
  if (fields.length === 0) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of fields) if (field in copy) copy[field] = '[redacted]';
  return copy as EventPayload<T>;
}

/** Event types a given service publishes, in catalog order. */
export function eventTypesOf(producer: ServiceName): EventType[] {
  return (Object.keys(eventCatalog) as EventType[]).filter((type) => eventCatalog[type].producer === producer);
}

/** Validates a payload against its contract; throws a ZodError naming every bad field. */
export function parsePayload<T extends EventType>(type: T, data: unknown): EventPayload<T> {
  return eventCatalog[type].payload.parse(data) as EventPayload<T>;
}
