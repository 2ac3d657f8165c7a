import { EntitlementStatus } from '@offboarding/contracts';
import { DomainError } from '@offboarding/platform';
import { ENTITLEMENT_TRANSITIONS, type EntitlementAction, nextEntitlementStatus } from '../entitlements/entitlement-status';

const statuses = Object.values(EntitlementStatus);
const actions = Object.keys(ENTITLEMENT_TRANSITIONS) as EntitlementAction[];

describe('entitlement lifecycle', () => {
  const allowed: Record<string, EntitlementStatus> = {
    'ACTIVE suspend': 'SUSPENDED',
    'SUSPENDED resume': 'ACTIVE',
    'ACTIVE cancel': 'CANCELLED',
    'SUSPENDED cancel': 'CANCELLED',
    'CANCELLED reactivate': 'ACTIVE',
  };

  it.each(statuses.flatMap((status) => actions.map((action) => [status, action] as const)))('%s --%s-->', (status, action) => {
    const expected = allowed[`${status} ${action}`];
    if (expected) {
      expect(nextEntitlementStatus(status, action)).toBe(expected);
    } else {
      let refusal: unknown;
      try {
        nextEntitlementStatus(status, action);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: status, action } });
    }
  });
});
