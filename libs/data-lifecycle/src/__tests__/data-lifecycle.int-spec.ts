import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { maskPii } from '@offboarding/platform';
import { waitFor } from '@offboarding/testing';
import { maskOrganizationPii } from '../pii';
import { PurgeRequestStatus } from '../purge-request';
import { restorePurgeRequestsEndingDone, unifyPurgeRequests } from '../purge-requests.migration';
import { AccountEntity, lifecycleKit, type LifecycleKit, TEST_PLAN } from './lifecycle-test-kit';

describe('data lifecycle: the purge runner and the masking runner', () => {
  let kit: LifecycleKit;

  beforeAll(async () => {
    kit = await lifecycleKit();
  });

  afterAll(async () => {
    await kit?.close();
  });

  /** An organization with `accounts` accounts (two keys each) and `documents` documents with a stored file. */
  async function seed(accounts: number, documents: number): Promise<{ organizationId: string; files: string[] }> {
    const organizationId = randomUUID();
    await kit.db.dataSource.query(
      `INSERT INTO ${kit.table('accounts')} (id, organization_id, email, phone)
       SELECT gen_random_uuid(), $1, 'Person' || i || '@Example.com', CASE WHEN i % 2 = 0 THEN '+49 ' || i END FROM generate_series(1, ${accounts}) i`,
      [organizationId],
    );
    await kit.db.dataSource.query(
      `INSERT INTO ${kit.table('account_keys')} (id, account_id) SELECT gen_random_uuid(), a.id FROM ${kit.table('accounts')} a, generate_series(1, 2) WHERE a.organization_id = $1`,
      [organizationId],
    );
    const files: string[] = [];
    for (let i = 0; i < documents; i += 1) {
      const key = `documents/${organizationId}/${i}.txt`;
      await kit.storage.put(key, Readable.from([Buffer.from(`document ${i}`)]));
      await kit.db.dataSource.query(`INSERT INTO ${kit.table('documents')} (id, organization_id, storage_key) VALUES ($1, $2, $3)`, [randomUUID(), organizationId, key]);
      files.push(key);
    }
    return { organizationId, files };
  }

  const count = async (sql: string, organizationId: string) => Number((await kit.db.dataSource.query<{ n: string }[]>(sql, [organizationId]))[0].n);
  const remaining = async (organizationId: string) => ({
    account_keys: await count(`SELECT count(*) AS n FROM ${kit.table('account_keys')} k JOIN ${kit.table('accounts')} a ON a.id = k.account_id WHERE a.organization_id = $1`, organizationId),
    accounts: await count(`SELECT count(*) AS n FROM ${kit.table('accounts')} WHERE organization_id = $1`, organizationId),
    documents: await count(`SELECT count(*) AS n FROM ${kit.table('documents')} WHERE organization_id = $1`, organizationId),
  });
  const confirmations = async (organizationId: string) =>
    (await kit.db.dataSource.query<{ payload: Record<string, unknown> }[]>(
      `SELECT payload FROM ${kit.table('outbox')} WHERE type = 'com.offboarding.identity.organization_purged.v1' AND message_key = $1`,
      [organizationId],
    )).map((row) => row.payload);
  const request = (organizationId: string) => ({ organizationId, requestId: randomUUID(), requestedAt: new Date().toISOString() });

  it('purges through parents and with files in bounded batches, confirms with one count per table, and leaves other organizations alone', async () => {
    const doomed = await seed(23, 7);
    const bystander = await seed(5, 2);
    // A stopped runner records requests but starts no work: the passes below do it all.
    const runner = kit.runner();
    await runner.stop();
    const event = request(doomed.organizationId);
    expect(await kit.db.dataSource.transaction((manager) => runner.accept(manager, event))).toBe(true);
    // The same request delivered again is recorded once.
    expect(await kit.db.dataSource.transaction((manager) => runner.accept(manager, event))).toBe(false);

    expect(await kit.runner().runPending(4)).toBe(1);
    expect(await remaining(doomed.organizationId)).toEqual({ account_keys: 0, accounts: 0, documents: 0 });
    for (const file of doomed.files) expect(await kit.storage.exists(file)).toBe(false);
    expect(await remaining(bystander.organizationId)).toEqual({ account_keys: 10, accounts: 5, documents: 2 });
    for (const file of bystander.files) expect(await kit.storage.exists(file)).toBe(true);

    expect(await confirmations(doomed.organizationId)).toEqual([
      { organizationId: doomed.organizationId, requestId: event.requestId, deleted: { account_keys: 46, accounts: 23, documents: 7, document_files: 7 }, purgedAt: expect.any(String) },
    ]);
    const [row] = await kit.db.dataSource.query<{ status: string; completed_at: Date | null }[]>(`SELECT status, completed_at FROM ${kit.table('purge_requests')} WHERE request_id = $1`, [event.requestId]);
    expect(row).toMatchObject({ status: PurgeRequestStatus.COMPLETED, completed_at: expect.any(Date) });
    // Nothing pending any more: another pass completes and publishes nothing.
    expect(await kit.runner().runPending()).toBe(0);
    expect(await confirmations(doomed.organizationId)).toHaveLength(1);
  });

  it('starts the purge once the accepting transaction has committed, and never when it rolls back', async () => {
    const committed = await seed(3, 1);
    const rolledBack = await seed(3, 0);
    const runner = kit.runner();
    await expect(
      kit.db.dataSource.transaction(async (manager) => {
        await runner.accept(manager, request(rolledBack.organizationId));
        throw new Error('the inbox transaction fails');
      }),
    ).rejects.toThrow('the inbox transaction fails');
    await kit.db.dataSource.transaction((manager) => runner.accept(manager, request(committed.organizationId)));
    await waitFor(async () => (await confirmations(committed.organizationId)).length === 1, { timeoutMs: 10_000, description: 'the purge started after commit' });
    expect(await remaining(committed.organizationId)).toEqual({ account_keys: 0, accounts: 0, documents: 0 });
    expect(await remaining(rolledBack.organizationId)).toEqual({ account_keys: 6, accounts: 3, documents: 0 });
  });

  it('records nothing when the plan refuses the request, and refuses a batch size that is no whole number', async () => {
    const organizationId = (await seed(1, 0)).organizationId;
    const runner = kit.runner(kit.db, { ...TEST_PLAN, accept: () => Promise.reject(new Error('still open')) });
    const event = request(organizationId);
    await expect(kit.db.dataSource.transaction((manager) => runner.accept(manager, event))).rejects.toThrow('still open');
    expect(await count(`SELECT count(*) AS n FROM ${kit.table('purge_requests')} WHERE organization_id = $1`, organizationId)).toBe(0);
    await expect(runner.runPending(0)).rejects.toThrow(/whole number/);
    await expect(runner.runPending(2.5)).rejects.toThrow(/whole number/);
  });

  it('masks every @Pii() column with the keyed hash in set-based batches, stamps the rows, and masks nothing twice', async () => {
    const { organizationId } = await seed(25, 0);
    const bystander = await seed(2, 0);
    const key = randomBytes(32);
    const now = new Date('2027-03-01T00:00:00Z');
    const targets = [{ entity: AccountEntity, maskedAt: 'masked_at' }];
    const before = await kit.db.dataSource.query<{ id: string; email: string; phone: string | null }[]>(`SELECT id, email, phone FROM ${kit.table('accounts')} WHERE organization_id = $1`, [organizationId]);
    expect(await kit.db.dataSource.transaction((manager) => maskOrganizationPii(manager, targets, organizationId, key, now, 10))).toBe(25);
    const after = await kit.db.dataSource.query<{ id: string; email: string; phone: string | null; masked_at: Date | null }[]>(
      `SELECT id, email, phone, masked_at FROM ${kit.table('accounts')} WHERE organization_id = $1`,
      [organizationId],
    );
    for (const row of after) {
      const original = before.find((b) => b.id === row.id)!;
      // The HMAC of the normalized e-mail under the organization's key, as every service computes it.
      expect(row.email).toBe(`masked:${createHmac('sha256', key).update(original.email.trim().toLowerCase()).digest('hex')}`);
      expect(row.phone).toBe(original.phone === null ? null : maskPii(key, original.phone));
      expect(row.masked_at).toEqual(now);
    }
    expect(await kit.db.dataSource.transaction((manager) => maskOrganizationPii(manager, targets, organizationId, key, now, 10))).toBe(0);
    // Without a masked-at column, rows whose values are already masked count for nothing.
    expect(await kit.db.dataSource.transaction((manager) => maskOrganizationPii(manager, [{ entity: AccountEntity }], organizationId, key, now))).toBe(0);
    const untouched = await kit.db.dataSource.query<{ email: string }[]>(`SELECT email FROM ${kit.table('accounts')} WHERE organization_id = $1`, [bystander.organizationId]);
    expect(untouched.every((row) => !row.email.startsWith('masked:'))).toBe(true);
  });

  it('migrates a table whose requests ended DONE to the one shape, and back', async () => {
    const runner = kit.db.dataSource.createQueryRunner();
    const requestId = randomUUID();
    try {
      await restorePurgeRequestsEndingDone(runner);
      await runner.query(`INSERT INTO ${kit.table('purge_requests')} (request_id, organization_id, status, deleted, requested_at) VALUES ($1, $2, 'DONE', '{}', now())`, [requestId, randomUUID()]);
      await unifyPurgeRequests(runner);
      const [row] = (await runner.query(`SELECT status FROM ${kit.table('purge_requests')} WHERE request_id = $1`, [requestId])) as { status: string }[];
      expect(row.status).toBe(PurgeRequestStatus.COMPLETED);
      await expect(
        runner.query(`INSERT INTO ${kit.table('purge_requests')} (request_id, organization_id, status, requested_at) VALUES ($1, $2, 'DONE', now())`, [randomUUID(), randomUUID()]),
      ).rejects.toThrow(/purge_requests_status_check/);
    } finally {
      await runner.release();
    }
  });
});
