import { withArticle } from '../errors/domain-error';

describe('messages read as English', () => {
  it('puts the right article before a noun or a code', () => {
    expect(['entitlement', 'organization', 'offboarding case', 'user', 'contract', 'SSO connection', 'ENV', 'PLG', 'ADMIN', 'PARTNER'].map(withArticle)).toEqual([
      'an entitlement',
      'an organization',
      'an offboarding case',
      'a user',
      'a contract',
      'an SSO connection',
      'an ENV',
      'a PLG',
      'an ADMIN',
      'a PARTNER',
    ]);
  });
});
