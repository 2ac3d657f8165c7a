import { buildSchema, parse, validate } from 'graphql';
import { queryLimitRules } from '../query-limits';
import { RateLimiter } from '../rate-limiter';

const schema = buildSchema(`
  type Query { organization(id: ID!): Organization, organizations(first: Int): OrganizationConnection! }
  type Organization { id: ID!, name: String!, vendor: Organization, users(first: Int): [User!]! }
  type User { id: ID!, email: String! }
  type OrganizationConnection { edges: [OrganizationEdge!]! }
  type OrganizationEdge { node: Organization! }
`);

const limits = { maxDepth: 5, maxAliases: 2, maxCost: 200 };
const codes = (query: string) => validate(schema, parse(query), queryLimitRules(limits)).map((error) => error.extensions.code);

describe('GraphQL limits', () => {
  it('counts depth through fragments, ignoring introspection fields', () => {
    expect(codes('{ organization(id: 1) { vendor { vendor { vendor { id } } } } }')).toEqual([]);
    expect(codes('{ organization(id: 1) { vendor { vendor { vendor { vendor { id } } } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(codes('{ organization(id: 1) { ...F } } fragment F on Organization { vendor { vendor { vendor { vendor { id } } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(codes('{ organization(id: 1) { vendor { vendor { vendor { __typename id } } } } }')).toEqual([]);
  });

  it('multiplies the cost of fields below a list by its page size', () => {
    expect(codes('{ organizations(first: 5) { edges { node { users(first: 5) { id email } } } } }')).toEqual([]);
    expect(codes('{ organizations(first: 50) { edges { node { users(first: 50) { id } } } } }')).toEqual(['QUERY_TOO_COMPLEX']);
    // A page size from a variable is assumed to be the largest page.
    expect(codes('query($n: Int) { organizations(first: $n) { edges { node { id name users { id } } } } }')).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('limits aliases per document', () => {
    expect(codes('{ a: organization(id: 1) { id } b: organization(id: 2) { id } }')).toEqual([]);
    expect(codes('{ a: organization(id: 1) { id } b: organization(id: 2) { id } c: organization(id: 3) { id } }')).toEqual(['TOO_MANY_ALIASES']);
  });
});

describe('per-caller rate limit', () => {
  it('allows a burst, then refills at the configured rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 2, () => now);
    expect([limiter.take('a'), limiter.take('a')].every((result) => result.allowed)).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 1_000;
    expect(limiter.take('a').allowed).toBe(true);
  });
});
