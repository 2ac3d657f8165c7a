import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { type GraphQLInputType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType } from 'graphql';
import { createSubgraphApp } from '@offboarding/platform';
import type { TestIdentity } from '@offboarding/testing';

// What the tests that run every operation of a subgraph share: the environment of a subgraph on
// an in-memory database with messaging off and tokens from a stand-in identity, starting it, a
// GraphQL POST, and a value for any input type that passes GraphQL validation.

export type Service = 'entitlements' | 'provisioning' | 'identity' | 'retention';

/** Variables for a subgraph on in-memory PGlite, messaging and scheduler off, trusting `identity`'s tokens. */
export function subgraphTestEnv(identity: TestIdentity): Record<string, string> {
  return {
    ENTITLEMENTS_DATABASE_URL: 'pglite://memory',
    PROVISIONING_DATABASE_URL: 'pglite://memory',
    IDENTITY_DATABASE_URL: 'pglite://memory',
    RETENTION_DATABASE_URL: 'pglite://memory',
    MESSAGING_ENABLED: 'false',
    SCHEDULER_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    IDENTITY_URL: identity.graphqlUrl,
    JWT_SIGNING_KEYS: identity.signingKeysJson,
  };
}

export async function startSubgraph(load: () => Promise<{ AppModule: Type<unknown> }>): Promise<{ app: INestApplication; url: string }> {
  const { AppModule } = await load();
  const app = await createSubgraphApp(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql` };
}

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export async function postGraphQL(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer;
}

/**
 * A value of an input type that passes GraphQL validation: required fields only (and
 * `organizationId`), lists of one; ids named in `organizationArgs` are `organizationId`.
 */
export function sampleInputValue(type: GraphQLInputType, name: string, organizationId: string, organizationArgs: readonly string[]): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [sampleInputValue(inner.ofType, name, organizationId, organizationArgs)];
  if (isEnumType(inner)) return inner.getValues()[0].value as unknown;
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    return Object.fromEntries(
      fields
        .filter((field) => isNonNullType(field.type) || field.name === 'organizationId')
        .map((field) => [field.name, sampleInputValue(field.type, field.name, organizationId, organizationArgs)]),
    );
  }
  if (isScalarType(inner)) {
    if (inner.name === 'ID') return organizationArgs.includes(name) ? organizationId : randomUUID();
    if (inner.name === 'Int' || inner.name === 'Float') return 1;
    if (inner.name === 'Boolean') return true;
    if (inner.name === 'DateTime') return new Date().toISOString();
    return name.toLowerCase().includes('email') ? 'someone@example.com' : 'x';
  }
  return null;
}
