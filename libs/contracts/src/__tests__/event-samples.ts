import type { EventPayload, EventType } from '../events/catalog';

// One valid payload per event type. The mapped type makes a new catalog entry a compile error
// here until it has a sample, and the specs also check the keys at run time (jest skips tsc).

const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
const entitlementId = '5e0f8c2a-9b7d-4e1f-8a3c-6d2b1f0e9a8c';

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
};
