import { randomUUID } from 'node:crypto';
import { requireRealPostgres } from '@offboarding/testing';
import { lifecycleKit, type LifecycleKit } from './lifecycle-test-kit';

// Row locks between replicas need a real server: PGlite serializes connections, so two runners
// there could never overlap. CI runs this file only with TEST_DATABASE_URL set.

describe('two purge runners on one request (real PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let kit: LifecycleKit;

  beforeAll(async () => {
    requireRealPostgres();
    kit = await lifecycleKit();
  });

  afterAll(async () => {
    await kit?.close();
  });

  it('never deletes or counts a row twice and confirms once, whichever replica takes which batch', async () => {
    const url = requireRealPostgres();
    // A second pool on the same schema, as a second replica of the service has.
    const replica = await kit.open({ kind: 'postgres', url });
    for (let round = 0; round < 3; round += 1) {
      const organizationId = randomUUID();
      const accounts = 600 + round * 137;
      await kit.db.dataSource.query(
        `INSERT INTO ${kit.table('accounts')} (id, organization_id, email) SELECT gen_random_uuid(), $1, 'p' || i || '@example.com' FROM generate_series(1, ${accounts}) i`,
        [organizationId],
      );
      await kit.db.dataSource.query(
        `INSERT INTO ${kit.table('account_keys')} (id, account_id) SELECT gen_random_uuid(), a.id FROM ${kit.table('accounts')} a, generate_series(1, 3) WHERE a.organization_id = $1`,
        [organizationId],
      );
      const requestId = randomUUID();
      const runners = [kit.runner(), kit.runner(replica), kit.runner(replica)];
      await kit.db.dataSource.transaction((manager) => runners[0].accept(manager, { organizationId, requestId, requestedAt: new Date().toISOString() }));
      // Whoever is woken by the commit, and three more passes, all at once, in small batches.
      const outcomes = await Promise.all([runners[0].runPending(25), runners[1].runPending(25), runners[2].purge(requestId, 40), runners[1].purge(requestId, 10)]);
      await Promise.all(runners.map((runner) => runner.stop()));
      // Every pass that skipped the request while another held it leaves it to the others; one more completes anything left.
      await kit.runner().runPending(25);

      const confirmations = await kit.db.dataSource.query<{ payload: { requestId: string; deleted: Record<string, number> } }[]>(
        `SELECT payload FROM ${kit.table('outbox')} WHERE type = 'com.offboarding.identity.organization_purged.v1' AND message_key = $1`,
        [organizationId],
      );
      expect(confirmations.map((row) => row.payload)).toEqual([
        expect.objectContaining({ requestId, deleted: { account_keys: accounts * 3, accounts, documents: 0, document_files: 0 } }),
      ]);
      const [left] = await kit.db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${kit.table('accounts')} WHERE organization_id = $1`, [organizationId]);
      expect(left.n).toBe('0');
      expect(outcomes.filter((outcome) => outcome === 1 || outcome === 'completed').length).toBeLessThanOrEqual(1);
    }
  });
});
