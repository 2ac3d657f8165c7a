import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { requireRealPostgres } from '@offboarding/testing';
import { type RunningEntitlements, startEntitlementsApp } from './entitlements-app';

// The same mutation with one Idempotency-Key sent many times at once to the service on the real
// PostgreSQL server (a pool of connections, so the requests' transactions really overlap):
// one execution, one answer for all. CI runs this file only with TEST_DATABASE_URL set.

describe('concurrent retries of one keyed mutation (real PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let service: RunningEntitlements;

  beforeAll(async () => {
    requireRealPostgres();
    service = await startEntitlementsApp();
  });

  afterAll(async () => {
    await service?.close();
  });

  const count = async (sql: string, params: unknown[]) => Number((await service.app.get(DataSource).query<{ n: string }[]>(sql, params))[0].n);

  it('creates one organization and grants one entitlement however many requests race with the key', async () => {
    const createKey = randomUUID();
    const creates = await Promise.all(
      Array.from({ length: 10 }, () =>
        service.post<{ createOrganization: { id: string } }>('mutation { createOrganization(input: { name: "Raced Ltd", type: CUSTOMER }) { id } }', {}, { key: createKey }),
      ),
    );
    expect(creates.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    const ids = new Set(creates.map((answer) => answer.data!.createOrganization.id));
    expect(ids.size).toBe(1);
    const [organizationId] = [...ids];
    expect(await count('SELECT count(*) AS n FROM entitlements.organizations WHERE name = $1', ['Raced Ltd'])).toBe(1);

    const grantKey = randomUUID();
    const grants = await Promise.all(
      Array.from({ length: 10 }, () =>
        service.post<{ grantEntitlement: { id: string } }>(
          'mutation($id: ID!) { grantEntitlement(input: { organizationId: $id, class: PLG, product: "Raced Plugin" }) { id } }',
          { id: organizationId },
          { key: grantKey },
        ),
      ),
    );
    expect(grants.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(new Set(grants.map((answer) => answer.data!.grantEntitlement.id)).size).toBe(1);
    expect(await count('SELECT count(*) AS n FROM entitlements.entitlements WHERE organization_id = $1', [organizationId])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM entitlements.outbox WHERE message_key = $1 AND type LIKE '%entitlement_granted%'`, [organizationId])).toBe(1);
  });
});
