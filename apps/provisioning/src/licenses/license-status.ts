import { LicenseStatus } from '@offboarding/contracts';
import { nextStatus, type TransitionTable } from '../shared/transitions';

export type LicenseAction = 'suspend' | 'resume' | 'cancel' | 'reactivate';

/** The licence lifecycle: the only place that says which status change is allowed. */
export const LICENSE_TRANSITIONS: TransitionTable<LicenseStatus, LicenseAction> = {
  suspend: { from: [LicenseStatus.ACTIVE], to: LicenseStatus.SUSPENDED },
  resume: { from: [LicenseStatus.SUSPENDED], to: LicenseStatus.ACTIVE },
  cancel: { from: [LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED], to: LicenseStatus.CANCELLED },
  reactivate: { from: [LicenseStatus.CANCELLED], to: LicenseStatus.ACTIVE },
};

export function nextLicenseStatus(current: LicenseStatus, action: LicenseAction): LicenseStatus {
  return nextStatus('licence', LICENSE_TRANSITIONS, current, action);
}
