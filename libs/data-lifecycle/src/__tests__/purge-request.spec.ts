import { InvalidTransitionError } from '@offboarding/platform';
import { nextPurgeRequestStatus, PURGE_REQUEST_TRANSITIONS, PurgeRequestStatus } from '../purge-request';

describe('purge request transitions', () => {
  it('completes a pending request and refuses to complete one twice', () => {
    expect(nextPurgeRequestStatus(PurgeRequestStatus.PENDING, 'complete')).toBe(PurgeRequestStatus.COMPLETED);
    expect(() => nextPurgeRequestStatus(PurgeRequestStatus.COMPLETED, 'complete')).toThrow(InvalidTransitionError);
    expect(Object.keys(PURGE_REQUEST_TRANSITIONS)).toEqual(['complete']);
  });
});
