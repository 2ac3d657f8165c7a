import type { EventPayload, EventType } from '../events/catalog';

// One valid payload per event type. The mapped type makes a new catalog entry a compile error
// here until it has a sample, and the specs also check the keys at run time (jest skips tsc).

const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
const entitlementId = '5e0f8c2a-9b7d-4e1f-8a3c-6d2b1f0e9a8c';
const requestId = '7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const userId = 'e1d2c3b4-a5f6-4e7d-8c9b-0a1f2e3d4c5b';
const policy = {
  portalVisibilityDays: 90,
  dataRetentionDays: 365,
  allowReactivation: true,
  reactivationWindowDays: 90,
  refundEligible: false,
  gracePeriodDays: 30,
};

export const validPayloads: { [T in EventType]: EventPayload<T> } = {
  'com.offboarding.entitlements.organization_created.v1': {
    organizationId,
    type: 'PARTNER',
    vendorId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    createdAt: '2024-03-01T09:30:00Z',
  },
  'com.offboarding.entitlements.entitlement_granted.v1': {
    organizationId,
    entitlementId,
    class: 'PLG',
    product: 'Forms Pro',
    grantedAt: '2024-03-01T09:31:00.123+01:00',
  },
  'com.offboarding.entitlements.entitlement_cancelled.v1': {
    organizationId,
    entitlementId,
    class: 'ENV',
    reason: 'SWITCHING_PROVIDER',
    cancelledAt: '2024-06-30T23:59:59Z',
    cancelledBy: 'system:contract-end-job',
    policy,
    reactivatableUntil: '2024-09-28T23:59:59Z',
    portalVisibleUntil: '2024-09-28T23:59:59Z',
    remainingActiveEntitlements: 2,
  },
  'com.offboarding.entitlements.entitlement_suspended.v1': {
    organizationId,
    entitlementId,
    class: 'SVC',
    reason: 'NON_PAYMENT',
    suspendedAt: '2024-05-01T00:00:00Z',
    graceEndsAt: '2024-05-31T00:00:00Z',
  },
  'com.offboarding.entitlements.entitlement_resumed.v1': {
    organizationId,
    entitlementId,
    class: 'SVC',
    resumedAt: '2024-05-10T08:00:00Z',
  },
  'com.offboarding.entitlements.entitlement_reactivated.v1': {
    organizationId,
    entitlementId,
    class: 'PLG',
    product: 'Forms Pro',
    reference: 'ORDER-2024-0042',
    reactivatedAt: '2024-07-15T10:00:00Z',
    reactivatedBy: userId,
  },
  'com.offboarding.entitlements.refund_quoted.v1': {
    organizationId,
    entitlementId,
    amountMinor: 4932,
    currency: 'EUR',
    unusedDays: 150,
    prepaidDays: 365,
    quotedAt: '2024-08-04T00:00:00Z',
  },
  'com.offboarding.entitlements.organization_archived.v1': {
    organizationId,
    archivedAt: '2024-07-02T00:00:00Z',
    archivedBy: userId,
  },
  'com.offboarding.entitlements.organization_unarchived.v1': {
    organizationId,
    unarchivedAt: '2024-07-15T10:00:00Z',
    unarchivedBy: 'system:reactivation',
  },
  'com.offboarding.entitlements.offboarding_started.v1': {
    organizationId,
    caseId: requestId,
    organizationType: 'VENDOR',
    vendorId: null,
    reason: 'CONTRACT_END',
    dayZero: '2024-06-30',
    policy,
    startedAt: '2024-06-01T09:00:00Z',
    startedBy: userId,
  },
  'com.offboarding.entitlements.offboarding_cancelled.v1': {
    organizationId,
    caseId: requestId,
    cancelledAt: '2024-06-10T09:00:00Z',
    cancelledBy: userId,
  },
  'com.offboarding.entitlements.audit_recorded.v1': {
    entryId: requestId,
    organizationId,
    actor: userId,
    action: 'entitlement.cancel',
    reason: 'CONTRACT_END',
    subjectType: 'entitlement',
    subjectId: entitlementId,
    beforeStatus: 'ACTIVE',
    afterStatus: 'CANCELLED',
    occurredAt: '2024-06-30T23:59:59Z',
  },
  'com.offboarding.entitlements.pii_masked.v1': {
    organizationId,
    requestId,
    maskedRecords: 3,
    maskedAt: '2025-06-30T00:00:00Z',
  },
  'com.offboarding.entitlements.organization_purged.v1': {
    organizationId,
    requestId,
    deleted: { contacts: 3, orders: 12 },
    purgedAt: '2025-07-01T00:00:00Z',
  },
  'com.offboarding.provisioning.license_issued.v1': {
    organizationId,
    entitlementId,
    licenseId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    issuedAt: '2024-03-01T09:32:00Z',
  },
  'com.offboarding.provisioning.license_cancelled.v1': {
    organizationId,
    entitlementId,
    licenseId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    cancelledAt: '2024-07-01T00:00:00Z',
  },
  'com.offboarding.identity.portal_access_enabled.v1': {
    organizationId,
    enabledAt: '2024-03-01T09:33:00-05:00',
  },
  'com.offboarding.retention.pii_masking_requested.v1': {
    organizationId,
    requestId,
    maskingKeyRef: `masking-key/${requestId}`,
    requestedAt: '2025-06-30T00:00:00Z',
  },
  'com.offboarding.retention.organization_purge_requested.v1': {
    organizationId,
    requestId,
    requestedAt: '2025-07-01T00:00:00Z',
  },
};
