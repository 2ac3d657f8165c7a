import { OrganizationStatus } from '@offboarding/contracts';
import { Role } from '@offboarding/platform';
import { isVisibleTo } from '../entitlements/portal-visibility';
import { prorateRefund } from '../entitlements/refund';
import { nextOrganizationStatus, ORGANIZATION_TRANSITIONS, type OrganizationAction } from '../organizations/organization-status';

describe('organization lifecycle', () => {
  const allowed: Record<string, OrganizationStatus> = {
    'ACTIVE startOffboarding': 'OFFBOARDING',
    'OFFBOARDING cancelOffboarding': 'ACTIVE',
    'ACTIVE archive': 'ARCHIVED',
    'OFFBOARDING archive': 'ARCHIVED',
    'ARCHIVED unarchive': 'ACTIVE',
    'ACTIVE reactivate': 'ACTIVE',
    'OFFBOARDING reactivate': 'ACTIVE',
    'ARCHIVED reactivate': 'ACTIVE',
    'OFFBOARDING purge': 'PURGED',
    'ARCHIVED purge': 'PURGED',
  };
  const cases = Object.values(OrganizationStatus).flatMap((status) =>
    (Object.keys(ORGANIZATION_TRANSITIONS) as OrganizationAction[]).map((action) => [status, action] as const),
  );

  it.each(cases)('%s --%s-->', (status, action) => {
    const expected = allowed[`${status} ${action}`];
    if (expected) expect(nextOrganizationStatus(status, action)).toBe(expected);
    else {
      let refusal: unknown;
      try {
        nextOrganizationStatus(status, action);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: status, action } });
    }
  });

  it('never leaves PURGED', () => {
    for (const action of Object.keys(ORGANIZATION_TRANSITIONS) as OrganizationAction[]) {
      expect(() => nextOrganizationStatus('PURGED', action)).toThrow(/PURGED/);
    }
  });
});

describe('portal visibility', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const cancelled = (until: string | null) => ({ status: 'CANCELLED' as const, portalVisibleUntil: until ? new Date(until) : null });

  it.each([
    [Role.ADMIN, cancelled('2026-01-01T00:00:00Z'), true],
    [Role.ADMIN, cancelled(null), true],
    [Role.COLLABORATOR, cancelled('2026-06-01T00:00:00Z'), true],
    [Role.COLLABORATOR, cancelled('2026-05-31T23:59:59Z'), false],
    [Role.COLLABORATOR, cancelled(null), false],
    [Role.PARTNER_USER, cancelled('2026-06-02T00:00:00Z'), true],
    [Role.PARTNER_USER, cancelled('2026-05-01T00:00:00Z'), false],
    [Role.COLLABORATOR, { status: 'ACTIVE' as const, portalVisibleUntil: null }, true],
    [Role.COLLABORATOR, { status: 'SUSPENDED' as const, portalVisibleUntil: null }, true],
  ])('%s sees %p: %s', (role, entitlement, visible) => {
    expect(isVisibleTo(entitlement, role, now)).toBe(visible);
  });
});

describe('prorated refund', () => {
  const term = { amountMinor: 12_000, currency: 'EUR', from: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-12-31T00:00:00Z') };

  it('refunds whole unused days, rounded down', () => {
    expect(prorateRefund(term, new Date('2026-07-01T12:00:00Z'))).toEqual({ amountMinor: 6_000, currency: 'EUR', unusedDays: 182, prepaidDays: 364 });
  });

  it('refunds everything before the term starts and nothing after it ends', () => {
    expect(prorateRefund(term, new Date('2025-12-01T00:00:00Z'))).toMatchObject({ amountMinor: 12_000, unusedDays: 364 });
    expect(prorateRefund(term, new Date('2026-12-30T12:00:00Z'))).toBeNull();
    expect(prorateRefund(term, new Date('2027-02-01T00:00:00Z'))).toBeNull();
  });
});
