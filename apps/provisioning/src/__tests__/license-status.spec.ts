import { LicenseStatus } from '@offboarding/contracts';
import { nextLicenseStatus } from '../licenses/license-status';

describe('licence lifecycle', () => {
  it('cancels an active or suspended licence and refuses to cancel twice', () => {
    expect(nextLicenseStatus(LicenseStatus.ACTIVE, 'cancel')).toBe('CANCELLED');
    expect(nextLicenseStatus(LicenseStatus.SUSPENDED, 'cancel')).toBe('CANCELLED');
    expect(() => nextLicenseStatus(LicenseStatus.CANCELLED, 'cancel')).toThrow(/cannot cancel a licence that is CANCELLED/);
  });

  it('suspends reversibly and restores a cancelled licence on reactivation', () => {
    expect(nextLicenseStatus(LicenseStatus.ACTIVE, 'suspend')).toBe('SUSPENDED');
    expect(nextLicenseStatus(LicenseStatus.SUSPENDED, 'restore')).toBe('ACTIVE');
    expect(nextLicenseStatus(LicenseStatus.CANCELLED, 'restore')).toBe('ACTIVE');
    expect(() => nextLicenseStatus(LicenseStatus.CANCELLED, 'suspend')).toThrow(/INVALID_TRANSITION|cannot suspend/);
  });
});
