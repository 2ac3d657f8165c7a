// Enumerations shared by every context's API and events. They are part of the public
// contract (GraphQL enums and event payloads): add values, never rename or remove them.

export const OrganizationType = { CUSTOMER: 'CUSTOMER', VENDOR: 'VENDOR', PARTNER: 'PARTNER' } as const;
export type OrganizationType = (typeof OrganizationType)[keyof typeof OrganizationType];

export const OrganizationStatus = {
  ACTIVE: 'ACTIVE',
  OFFBOARDING: 'OFFBOARDING',
  ARCHIVED: 'ARCHIVED',
  PURGED: 'PURGED',
} as const;
export type OrganizationStatus = (typeof OrganizationStatus)[keyof typeof OrganizationStatus];

export const EntitlementClass = { PLG: 'PLG', ENV: 'ENV', SVC: 'SVC', ORD: 'ORD', AFL: 'AFL', EDU: 'EDU' } as const;
export type EntitlementClass = (typeof EntitlementClass)[keyof typeof EntitlementClass];

export const EntitlementStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', CANCELLED: 'CANCELLED' } as const;
export type EntitlementStatus = (typeof EntitlementStatus)[keyof typeof EntitlementStatus];

export const CancellationReason = {
  CUSTOMER_REQUEST: 'CUSTOMER_REQUEST',
  BUSINESS_CLOSURE: 'BUSINESS_CLOSURE',
  SWITCHING_PROVIDER: 'SWITCHING_PROVIDER',
  NON_PAYMENT: 'NON_PAYMENT',
  CONTRACT_END: 'CONTRACT_END',
  OTHER: 'OTHER',
} as const;
export type CancellationReason = (typeof CancellationReason)[keyof typeof CancellationReason];

export const SuspensionReason = { NON_PAYMENT: 'NON_PAYMENT', ADMIN: 'ADMIN' } as const;
export type SuspensionReason = (typeof SuspensionReason)[keyof typeof SuspensionReason];

export const LicenseStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', CANCELLED: 'CANCELLED' } as const;
export type LicenseStatus = (typeof LicenseStatus)[keyof typeof LicenseStatus];

export const ServiceName = {
  entitlements: 'entitlements',
  provisioning: 'provisioning',
  identity: 'identity',
  retention: 'retention',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];
