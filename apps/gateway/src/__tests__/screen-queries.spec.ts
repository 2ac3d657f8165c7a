import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { type GraphQLSchema, parse, validate } from 'graphql';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS } from '../query-limits';
import { ORGANIZATION_DETAIL, SCREENS } from './screen-queries';

// The cost model against real pages: every screen query must be a valid operation of the
// public API (the production supergraph's API schema) and pass every limit at its default,
// while the abusive shapes the limits exist for are still refused.

let schema: GraphQLSchema;

beforeAll(async () => {
  const supergraphSdl = fs.readFileSync(path.join(__dirname, '../../supergraph.graphql'), 'utf8');
  const gateway = new ApolloGateway({ supergraphSdl });
  ({ schema } = await gateway.load());
  await gateway.stop();
});

const limitCode = (query: string, variables: Record<string, unknown> = {}): string | null => {
  try {
    checkQueryLimits(schema, parse(query, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens }), undefined, variables, DEFAULT_QUERY_LIMITS);
    return null;
  } catch (error) {
    return String((error as { extensions?: { code?: unknown } }).extensions?.code);
  }
};

describe('the cost model accepts real pages', () => {
  it.each(SCREENS.map((screen) => [screen.screen, screen] as const))('%s: one request, valid, within every default limit', (_name, screen) => {
    const document = parse(screen.query, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens });
    expect(validate(schema, document)).toEqual([]);
    const measure = checkQueryLimits(schema, document, undefined, screen.variables, DEFAULT_QUERY_LIMITS);
    expect(measure.cost).toBeGreaterThan(0);
    expect(measure.cost).toBeLessThanOrEqual(DEFAULT_QUERY_LIMITS.maxCost);
    expect(measure.depth).toBeLessThanOrEqual(DEFAULT_QUERY_LIMITS.maxDepth);
  });

  it('counts the organization-detail page by its pages and objects, not by its scalar fields', () => {
    const { cost } = checkQueryLimits(schema, parse(ORGANIZATION_DETAIL.query), undefined, ORGANIZATION_DETAIL.variables, DEFAULT_QUERY_LIMITS);
    // The organization and its 6 single objects; pages of 50 entitlements, 50 users and 20 audit
    // entries; 13 plain lists of 20 (licences … data exports, milestones); 4 lists of 20 below
    // each of 20 items (site activations, environment exports, service requests, tracking links).
    // Counted field by field as before, it was about 8,600.
    expect(cost).toBe(7 + 50 + 50 + 20 + 13 * 20 + 4 * 20 * 20);
  });
});

describe('abusive queries are still refused with the default limits', () => {
  const id = '"0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f"';
  it.each([
    ['deep nesting', `{ organization(id: ${id}) { ${'vendor { '.repeat(12)}id${' }'.repeat(12)} } }`, 'QUERY_TOO_DEEP'],
    ['an alias bomb', `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: organization(id: ${id}) { id }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
    ['huge pages', '{ organizations(first: 100) { edges { node { partners(first: 100) { edges { node { id } } } } } } }', 'QUERY_TOO_COMPLEX'],
    ['huge pages from variables', 'query($n: Int) { organizations(first: $n) { edges { node { users(first: $n) { edges { node { id } } } } } } }', 'QUERY_TOO_COMPLEX', { n: 100 }],
    ['a fragment fan-out of 2^22', `{ organization(id: ${id}) { ...F0 } } ${Array.from({ length: 22 }, (_, i) => `fragment F${i} on Organization { ...F${i + 1} ... on Organization { ...F${i + 1} } }`).join(' ')} fragment F22 on Organization { vendor { id } }`, 'QUERY_TOO_COMPLEX'],
  ])('%s', (_name, query, code, variables: Record<string, unknown> = {}) => {
    expect(limitCode(query, variables)).toBe(code);
  });
});
