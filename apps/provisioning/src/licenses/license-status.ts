import { LicenseStatus } from '@offboarding/contracts';
import { InvalidTransitionError } from '@offboarding/platform';

export type LicenseAction = 'suspend' | 'restore' | 'cancel';

/** The licence lifecycle: the only place that says which status change is allowed. */
export const LICENSE_TRANSITIONS: Readonly<Record<LicenseAction, { from: readonly LicenseStatus[]; to: LicenseStatus }>> = {
  suspend: { from: [LicenseStatus.ACTIVE], to: LicenseStatus.SUSPENDED },
  restore: { from: [LicenseStatus.SUSPENDED, LicenseStatus.CANCELLED], to: LicenseStatus.ACTIVE },
  cancel: { from: [LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED], to: LicenseStatus.CANCELLED },
};

export function nextLicenseStatus(current: LicenseStatus, action: LicenseAction): LicenseStatus {
  const transition = LICENSE_TRANSITIONS[action];
  if (!transition.from.includes(current)) throw new InvalidTransitionError('licence', current, action);
  return transition.to;
}
