import type { CancellationPolicySnapshot, OrganizationType } from '@offboarding/contracts';

/**
 * When each milestone falls, in days after day 0. `null` means the SPEC §3.3 rule instead of a
 * day: export window until the end of retention, SSO shutdown at archive, PII masked at purge,
 * portal hidden / final confirmation when the cancellation policy's portal visibility and
 * reactivation window end, purge after its data retention days.
 */
export interface OffboardingPolicyValues {
  exportWindowDays: number | null;
  ssoShutdownDays: number | null;
  piiMaskingDays: number | null;
  portalHiddenDays: number | null;
  finalConfirmationDays: number | null;
  retentionDays: number | null;
}

export const POLICY_FIELDS = [
  'exportWindowDays',
  'ssoShutdownDays',
  'piiMaskingDays',
  'portalHiddenDays',
  'finalConfirmationDays',
  'retentionDays',
] as const satisfies readonly (keyof OffboardingPolicyValues)[];

const CUSTOMER_DEFAULT: Readonly<OffboardingPolicyValues> = Object.freeze({
  exportWindowDays: null,
  ssoShutdownDays: null,
  piiMaskingDays: null,
  portalHiddenDays: null,
  finalConfirmationDays: null,
  retentionDays: null,
});

/** SPEC §3.3 defaults per organization type; a partner follows the customer column. */
export const DEFAULT_OFFBOARDING_POLICIES: Readonly<Record<OrganizationType, Readonly<OffboardingPolicyValues>>> = Object.freeze({
  CUSTOMER: CUSTOMER_DEFAULT,
  PARTNER: CUSTOMER_DEFAULT,
  VENDOR: Object.freeze({ ...CUSTOMER_DEFAULT, exportWindowDays: 7, ssoShutdownDays: 30, piiMaskingDays: 30 }),
});

/** The organization's override field by field over its type's default. */
export function effectivePolicy(type: OrganizationType, override: Partial<OffboardingPolicyValues> | null): OffboardingPolicyValues {
  const base = DEFAULT_OFFBOARDING_POLICIES[type];
  const result = { ...base };
  if (override) for (const field of POLICY_FIELDS) if (override[field] !== undefined && override[field] !== null) result[field] = override[field];
  return result;
}

/** What a case keeps: the policy in force at opening plus the cancellation policy snapshot. */
export interface CasePolicy {
  offboarding: OffboardingPolicyValues;
  cancellation: CancellationPolicySnapshot;
}
