// The worst GraphQL documents we can construct against the gateway, each with the code it must
// be refused with. Shared by the gateway's integration test (refusal, probes answered meanwhile)
// and the benchmark (refusal and probe latency against their limits).

import type { LimitCode } from '../query-limits';

export interface HostileDocument {
  name: string;
  query: string;
  code: LimitCode;
}

const ID = '"0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f"';

/** Fragments that each spread the next one twice: `levels` levels fan out to 2^levels spreads of the last. */
function fanOut(levels: number, twoSpreads: (next: string) => string, last: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Organization { ${twoSpreads(`...F${i + 1}`)} }`);
  return `{ organization(id: ${ID}) { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Organization { ${last} }`;
}

export const HOSTILE_DOCUMENTS: HostileDocument[] = [
  {
    // The 873-byte document that used to keep the gateway busy for 24 s: 22 levels of two spreads.
    name: 'fragment fan-out 2^22 through nested fields',
    query: fanOut(22, (next) => `${next} vendor { ${next} }`, 'id name'),
    code: 'QUERY_TOO_DEEP',
  },
  {
    name: 'fragment fan-out 2^22 on one level',
    query: fanOut(22, (next) => `${next} ... on Organization { ${next} }`, 'vendor { id name }'),
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'alias bomb (20,000 aliased pages)',
    query: `{ ${Array.from({ length: 20_000 }, (_, i) => `a${i}: organizations(first: 100) { totalCount }`).join(' ')} }`,
    code: 'QUERY_TOO_LARGE',
  },
  {
    name: 'alias bomb within the token limit (300 aliases)',
    query: `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: organizations(first: 100) { totalCount }`).join(' ')} }`,
    code: 'TOO_MANY_ALIASES',
  },
  {
    name: 'deep nesting (20,000 levels)',
    query: `{ organization(id: ${ID}) { ${'vendor { '.repeat(20_000)}id${' }'.repeat(20_000)} } }`,
    code: 'QUERY_TOO_DEEP',
  },
  {
    name: 'deep nesting within the token limit (1,000 levels)',
    query: `{ organization(id: ${ID}) { ${'vendor { '.repeat(1_000)}id${' }'.repeat(1_000)} } }`,
    code: 'QUERY_TOO_DEEP',
  },
  {
    name: '20,000 directives',
    query: `{ organization(id: ${ID}) { id ${'@include(if: true) '.repeat(20_000)}} }`,
    code: 'QUERY_TOO_LARGE',
  },
  {
    name: 'directives within the token limit (400)',
    query: `{ organization(id: ${ID}) { ${Array.from({ length: 400 }, () => 'id @skip(if: false)').join(' ')} } }`,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'one field selected 1,000 times (field-merging work)',
    query: `{ ${'organization(id: 1) { id } '.repeat(1_000)}}`,
    code: 'QUERY_TOO_LARGE',
  },
  {
    name: 'one field selected 900 times within the token limit',
    query: `{ ${'me { id } '.repeat(900)}}`,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: '300 fragments spread into one selection set',
    query: `{ me { ${Array.from({ length: 300 }, (_, i) => `...U${i}`).join(' ')} } } ${Array.from({ length: 300 }, (_, i) => `fragment U${i} on User { id }`).join(' ')}`,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'huge pages (first: 1,000,000 twice)',
    query: '{ organizations(first: 1000000) { edges { node { users(first: 1000000) { edges { node { id } } } } } } }',
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'a document of almost 1 MB',
    query: `{ ${Array.from({ length: 52_000 }, (_, i) => `f${i}: __typename`).join(' ')} }`,
    code: 'QUERY_TOO_LARGE',
  },
];
