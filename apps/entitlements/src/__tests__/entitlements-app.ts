import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { serviceTestDatabase, TestIdentity } from '@offboarding/testing';

export interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface RunningEntitlements {
  app: INestApplication;
  identity: TestIdentity;
  /** A staff admin's token (the same user every time). */
  admin: string;
  /** POST /graphql, as the admin unless another token is given, with any Idempotency-Key headers. */
  post<T>(query: string, variables: Record<string, unknown>, options?: { key?: string | string[]; token?: string }): Promise<Answer<T>>;
  /** The same, with the response's headers. */
  exchange<T>(query: string, variables: Record<string, unknown>, options?: { key?: string | string[]; token?: string }): Promise<{ answer: Answer<T>; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The entitlements service as it runs (Nest, GraphQL over HTTP, its own database: a database of
 * its own on the TEST_DATABASE_URL server, or in-memory PGlite), with messaging off.
 */
export async function startEntitlementsApp(): Promise<RunningEntitlements> {
  const saved = { ...process.env };
  const identity = await TestIdentity.start();
  const database = await serviceTestDatabase('entitlements_app');
  Object.assign(process.env, {
    ENTITLEMENTS_DATABASE_URL: database.url,
    MESSAGING_ENABLED: 'false',
    SCHEDULER_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    IDENTITY_URL: identity.graphqlUrl,
  });
  const { AppModule } = await import('../app.module');
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
  const admin = await identity.token({ role: 'ADMIN', userId: randomUUID(), expiresIn: 3600 });
  async function exchange<T>(query: string, variables: Record<string, unknown>, options: { key?: string | string[]; token?: string } = {}) {
    const headers = new Headers({ 'content-type': 'application/json', authorization: `Bearer ${options.token ?? admin}` });
    for (const key of [options.key ?? []].flat()) headers.append('idempotency-key', key);
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { answer: (await response.json()) as Answer<T>, headers: response.headers };
  }
  return {
    app,
    identity,
    admin,
    async post<T>(query: string, variables: Record<string, unknown>, options: { key?: string | string[]; token?: string } = {}) {
      return (await exchange<T>(query, variables, options)).answer;
    },
    exchange,
    async close() {
      await app.close();
      await identity.stop();
      await database.drop();
      process.env = saved;
    },
  };
}
