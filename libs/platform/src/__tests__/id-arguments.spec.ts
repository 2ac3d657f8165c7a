import { buildSchema, type GraphQLInputType } from 'graphql';
import { withArticle } from '../errors/domain-error';
import { checkIds } from '../graphql/id-arguments.interceptor';

const schema = buildSchema(`
  input Inner { id: ID, ids: [ID!], note: String }
  input Outer { organizationId: ID!, inner: Inner, list: [Inner!] }
  type Query { one(id: ID!, input: Outer, free: String): Int }
`);
const args = Object.fromEntries(schema.getQueryType()!.getFields().one.args.map((arg) => [arg.name, arg.type])) as Record<string, GraphQLInputType>;
const id = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';

const refusal = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  return null;
};

describe('ID arguments', () => {
  it('accepts UUIDs and leaves other scalars alone', () => {
    expect(refusal(() => checkIds(args.id, id.toUpperCase(), 'id'))).toBeNull();
    expect(refusal(() => checkIds(args.free, 'anything at all', 'free'))).toBeNull();
    expect(refusal(() => checkIds(args.input, { organizationId: id, inner: { id, ids: [id], note: 'x' }, list: [{ id: null }] }, 'input'))).toBeNull();
    expect(refusal(() => checkIds(args.input, null, 'input'))).toBeNull();
  });

  it('refuses a malformed id anywhere with BAD_USER_INPUT naming where', () => {
    expect(refusal(() => checkIds(args.id, 'nope', 'id'))).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'id' }, message: 'id: must be an id (a UUID), got "nope"' });
    expect(refusal(() => checkIds(args.input, { organizationId: `${id}x` }, 'input'))).toMatchObject({ details: { field: 'input.organizationId' } });
    expect(refusal(() => checkIds(args.input, { organizationId: id, list: [{ ids: [id, '42'] }] }, 'input'))).toMatchObject({ details: { field: 'input.list[0].ids[1]' } });
  });
});

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
