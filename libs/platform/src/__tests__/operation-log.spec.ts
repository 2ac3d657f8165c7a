import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { createGraphQLErrorFormatter, DomainError, ErrorCode, InvalidInputError, InvalidTransitionError, NotFoundError, operationLogPlugin } from '../index';

// The operation log line of a subgraph records the codes the client gets, at warn for the
// caller's mistakes and at error for the platform's failures.
describe('the graphql operation log line', () => {
  type Line = { level: string; msg: string; errorCodes?: string[]; operation?: string };
  const lines: Line[] = [];
  const logger = pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => lines.push(JSON.parse(line) as Line) });
  const failures: Record<string, () => Error> = {
    missing: () => new NotFoundError('organization', 'a2b5c1de-0000-4000-8000-000000000000'),
    badInput: () => new InvalidInputError('name', 'must not be empty'),
    transition: () => new InvalidTransitionError('entitlement', 'CANCELLED', 'cancel'),
    forbidden: () => new DomainError(ErrorCode.FORBIDDEN, 'not yours'),
    anonymous: () => new DomainError(ErrorCode.UNAUTHENTICATED, 'sign in first'),
    broken: () => new Error('relation "x" does not exist'),
  };
  const server = new ApolloServer({
    typeDefs: `type Query { ok: Boolean ${Object.keys(failures).map((name) => `${name}: Boolean`).join(' ')} }`,
    resolvers: {
      Query: {
        ok: () => true,
        ...Object.fromEntries(
          Object.entries(failures).map(([name, failure]) => [
            name,
            () => {
              throw failure();
            },
          ]),
        ),
      },
    },
    formatError: createGraphQLErrorFormatter(logger),
    plugins: [operationLogPlugin(logger)],
  });

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function run(query: string) {
    lines.length = 0;
    const response = await server.executeOperation({ query });
    const result = response.body.kind === 'single' ? response.body.singleResult : null;
    const line = lines.find((entry) => entry.msg === 'graphql operation');
    return { codes: (result?.errors ?? []).map((error) => error.extensions?.code), line };
  }

  it.each([
    ['missing', 'NOT_FOUND'],
    ['badInput', 'BAD_USER_INPUT'],
    ['transition', 'INVALID_TRANSITION'],
    ['forbidden', 'FORBIDDEN'],
    ['anonymous', 'UNAUTHENTICATED'],
  ])("logs the caller's mistake %s at warn with its code %s, the code the client gets", async (field, code) => {
    const { codes, line } = await run(`query Q { ${field} }`);
    expect(codes).toEqual([code]);
    expect(line).toMatchObject({ level: 'warn', operation: 'Q', errorCodes: [code] });
  });

  it('logs an unexpected failure at error as INTERNAL_SERVER_ERROR, with every code of the operation', async () => {
    const { codes, line } = await run('query Mixed { broken missing }');
    expect(codes.sort()).toEqual(['INTERNAL_SERVER_ERROR', 'NOT_FOUND']);
    expect(line?.level).toBe('error');
    expect(line?.errorCodes?.sort()).toEqual(['INTERNAL_SERVER_ERROR', 'NOT_FOUND']);
  });

  it("logs GraphQL's own refusals at warn with their code, and a clean operation at info", async () => {
    expect((await run('query V { nope }')).line).toMatchObject({ level: 'warn', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect((await run('query { ok')).line).toMatchObject({ level: 'warn', errorCodes: ['GRAPHQL_PARSE_FAILED'] });
    const clean = await run('query Fine { ok }');
    expect(clean.line).toMatchObject({ level: 'info', operation: 'Fine' });
    expect(clean.line?.errorCodes).toBeUndefined();
  });
});
