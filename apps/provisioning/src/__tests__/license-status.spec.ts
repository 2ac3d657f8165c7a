import { LicenseStatus } from '@offboarding/contracts';
import { nextLicenseStatus } from '../licenses/license-status';

describe('licence lifecycle', () => {
  it('cancels an active or suspended licence and refuses to cancel twice', () => {
    expect(nextLicenseStatus(LicenseStatus.ACTIVE, 'cancel')).toBe('CANCELLED');
    expect(nextLicenseStatus(LicenseStatus.SUSPENDED, 'cancel')).toBe('CANCELLED');
    expect(() => nextLicenseStatus(LicenseStatus.CANCELLED, 'cancel')).toThrow(/cannot cancel a licence that is CANCELLED/);
  });

  it('suspends reversibly and brings a cancelled licence back only by reactivation', () => {
    expect(nextLicenseStatus(LicenseStatus.ACTIVE, 'suspend')).toBe('SUSPENDED');
    expect(nextLicenseStatus(LicenseStatus.SUSPENDED, 'resume')).toBe('ACTIVE');
    expect(() => nextLicenseStatus(LicenseStatus.CANCELLED, 'resume')).toThrow(/cannot resume a licence that is CANCELLED/);
    expect(nextLicenseStatus(LicenseStatus.CANCELLED, 'reactivate')).toBe('ACTIVE');
    expect(() => nextLicenseStatus(LicenseStatus.CANCELLED, 'suspend')).toThrow(/cannot suspend/);
  });
});
