import { buildSchema, getOperationAST, parse } from 'graphql';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS, DocumentLimits, measureOperation, type QueryLimits } from '../query-limits';
import { RateLimiter } from '../rate-limiter';

const schema = buildSchema(`
  type Query { organization(id: ID!): Organization, organizations(first: Int): OrganizationConnection! }
  type Organization {
    id: ID!, name: String!, vendor: Organization
    users(first: Int): [User!]!
    licenses: [License!]!
    partners(first: Int, after: String): OrganizationConnection!
  }
  type User { id: ID!, email: String! }
  type License { id: ID! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type OrganizationConnection { edges: [OrganizationEdge!]!, pageInfo: PageInfo!, totalCount: Int! }
  type OrganizationEdge { cursor: String!, node: Organization! }
`);

const limits: QueryLimits = { maxTokens: 60, maxDepth: 5, maxAliases: 2, maxDirectives: 3, maxFragmentSpreads: 3, maxRepeatedFields: 2, maxCost: 200 };

function refusal(query: string, variables: Record<string, unknown> = {}, operationName?: string): string | null {
  try {
    checkQueryLimits(schema, parse(query), operationName, variables, limits);
    return null;
  } catch (error) {
    return String((error as { extensions?: { code?: unknown } }).extensions?.code);
  }
}

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return measureOperation(schema, document, operation, variables);
}

describe('GraphQL limits', () => {
  it('counts depth through fragments, ignoring introspection fields', () => {
    expect(refusal('{ organization(id: 1) { vendor { vendor { vendor { id } } } } }')).toBeNull();
    expect(refusal('{ organization(id: 1) { vendor { vendor { vendor { vendor { id } } } } } }')).toBe('QUERY_TOO_DEEP');
    expect(refusal('{ organization(id: 1) { ...F } } fragment F on Organization { vendor { vendor { vendor { vendor { id } } } } }')).toBe('QUERY_TOO_DEEP');
    expect(refusal('{ organization(id: 1) { vendor { vendor { vendor { __typename id } } } } }')).toBeNull();
  });

  it('counts objects: a single object one, scalars nothing, a connection page its first, a plain list 20', () => {
    expect(measure('{ organization(id: 1) { id name vendor { id name } } }').cost).toBe(2);
    // The connection's page of 5 counts once for its edges and nodes; pageInfo and totalCount are free.
    expect(measure('{ organizations(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { id name } } } }').cost).toBe(5);
    // Below a page, every item counts its own objects: 5 organizations × (1 vendor + 3 users).
    expect(measure('{ organizations(first: 5) { edges { node { vendor { id } users(first: 3) { id } } } } }').cost).toBe(5 + 5 * (1 + 3));
    // No `first`: the default page; a plain list without `first` is assumed to hold as many.
    expect(measure('{ organizations { edges { node { id } } } }').cost).toBe(20);
    expect(measure('{ organization(id: 1) { licenses { id } } }').cost).toBe(1 + 20);
  });

  it('takes a page size from the variable, its default, or the default page', () => {
    const query = 'query($n: Int = 7) { organizations(first: $n) { edges { node { id } } } }';
    expect(measure(query, { n: 50 }).cost).toBe(50);
    expect(measure(query).cost).toBe(7);
    expect(measure('query($n: Int) { organizations(first: $n) { edges { node { id } } } }').cost).toBe(20);
    expect(refusal('query($n: Int) { organizations(first: $n) { edges { node { users(first: $n) { id } } } } }', { n: 20 })).toBe('QUERY_TOO_COMPLEX');
    expect(refusal('query($n: Int) { organizations(first: $n) { edges { node { users(first: $n) { id } } } } }', { n: 10 })).toBeNull();
  });

  it('measures a fragment once however often it is spread: a 2^40 fan-out is measured, not walked', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Organization { vendor { ...F${i + 1} } partners(first: 1) { edges { node { ...F${i + 1} } } } }`);
    const query = `{ organization(id: 1) { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Organization { id }`;
    // Walking it would never end; each level doubles: 2^41 - 1 objects with the organization.
    expect(measure(query)).toEqual({ cost: 2 ** (levels + 1) - 1, depth: 1 + 3 * levels + 1 });
  });

  it('stops at a fragment cycle instead of looping (validation refuses the cycle)', () => {
    expect(measure('{ organization(id: 1) { ...A } } fragment A on Organization { vendor { ...B } } fragment B on Organization { vendor { ...A } }').depth).toBe(3);
  });

  it('limits aliases and directives per document', () => {
    expect(refusal('{ a: organization(id: 1) { id } b: organization(id: 2) { id } }')).toBeNull();
    expect(refusal('{ a: organization(id: 1) { id } b: organization(id: 2) { id } c: organization(id: 3) { id } }')).toBe('TOO_MANY_ALIASES');
    expect(refusal('{ organization(id: 1) { id @skip(if: false) name @include(if: true) } }')).toBeNull();
    expect(refusal(`{ organization(id: 1) { id ${'@skip(if: false) '.repeat(4)} } }`)).toBe('QUERY_TOO_COMPLEX');
  });

  it('limits fragment spreads and fields repeated in one selection set, which make field-merging validation expensive', () => {
    const fragments = 'fragment A on Organization { id } fragment B on Organization { name }';
    expect(refusal(`{ organization(id: 1) { ...A ...B ...A } } ${fragments}`)).toBeNull();
    expect(refusal(`{ organization(id: 1) { ...A ...B ...A ...B } } ${fragments}`)).toBe('QUERY_TOO_COMPLEX');
    // Inline fragments merge into their enclosing set: a name repeated there repeats too.
    expect(refusal('{ organization(id: 1) { id id ... on Organization { id } } }')).toBeNull();
    expect(refusal('{ organization(id: 1) { id id ... on Organization { id id } } }')).toBe('QUERY_TOO_COMPLEX');
    // The same name in different selection sets is no repeat.
    expect(refusal('{ organization(id: 1) { id vendor { id vendor { id } } } }')).toBeNull();
  });

  it('parses with the token cap and remembers the documents that passed', () => {
    const documents = new DocumentLimits(limits);
    const page = '{ organization(id: 1) { id name } }';
    expect(documents.parse(page)).toBe(documents.parse(page));
    const refusedWith = (query: string, by = documents): unknown => {
      try {
        by.parse(query);
        return null;
      } catch (error) {
        return { message: (error as Error).message, extensions: (error as { extensions?: unknown }).extensions };
      }
    };
    expect(refusedWith(`{ ${'organization(id: 1) { id } '.repeat(10)}}`)).toMatchObject({
      message: 'the document has more than 60 tokens; at most 60 are allowed',
      extensions: { code: 'QUERY_TOO_LARGE' },
    });
    expect(refusedWith(`{ organization(id: 1) { id ${'@skip(if: true) '.repeat(4)}} }`)).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', directives: 4 } });
    // Nesting is counted by the lexer, so the recursive parser never sees a document nested too deep.
    expect(refusedWith(`{ a(x: ${'['.repeat(65)}1${']'.repeat(65)}) }`, new DocumentLimits(DEFAULT_QUERY_LIMITS))).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP', maxNesting: 64 } });
    // A syntax error is graphql's own, for Apollo Server to answer as it always does.
    expect(() => documents.parse('{ organization(')).toThrow(/Syntax Error/);
  });

  it('measures the operation that runs', () => {
    const document = 'query Small { organization(id: 1) { id } } query Big { organizations(first: 100) { edges { node { users(first: 100) { id } } } } }';
    expect(refusal(document, {}, 'Small')).toBeNull();
    expect(refusal(document, {}, 'Big')).toBe('QUERY_TOO_COMPLEX');
  });

  it('has defaults a front end can live with', () => {
    expect(DEFAULT_QUERY_LIMITS).toMatchObject({ maxDepth: 12, maxAliases: 30, maxCost: 5000 });
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
