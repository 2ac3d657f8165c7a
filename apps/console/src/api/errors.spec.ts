import { ApiError, describe as describeError, errorMessage } from './errors';

describe('errors in words', () => {
  it('says what a refusal means and keeps the API detail that names the problem', () => {
    expect(describeError('INVALID_TRANSITION', 'every entitlement must be cancelled before archiving.')).toBe(
      'This is not possible in the current state: every entitlement must be cancelled before archiving',
    );
    expect(describeError('BAD_USER_INPUT', 'reason: required')).toBe('Please check what you entered: reason: required');
    expect(describeError('FOUR_EYES_REQUIRED', 'you released the last hold')).toBe('A second admin must approve this: you released the last hold');
  });

  it('never shows a bare code, and hides internal details', () => {
    for (const code of ['UNAUTHENTICATED', 'RATE_LIMITED', 'QUERY_TOO_COMPLEX', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']) {
      const sentence = describeError(code, 'stack: at Foo (bar.ts:1)');
      expect(sentence).not.toContain(code);
      expect(sentence).not.toContain('bar.ts');
      expect(sentence).toMatch(/^[A-Z].*\.$/);
    }
    expect(describeError('SOMETHING_NEW', 'what happened')).toBe('The request failed: what happened');
  });

  it('turns anything thrown into a message: API errors, an unreachable server', () => {
    expect(errorMessage(new ApiError('NOT_FOUND', 'organization 42'))).toBe('It no longer exists or was never there (organization 42).');
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe('The server cannot be reached. Check your connection and try again.');
  });
});
