import { randomUUID } from 'node:crypto';
import { requireRealPostgres, waitFor } from '@offboarding/testing';
import { IdempotencyKeys, type IdempotencyPolicy, type IdempotentRequest, runIdempotent } from '../idempotency';
import { IdempotencyKeys1734200000001 } from '../idempotency.migration';
import { Outbox } from '../outbox';
import { UnitOfWork } from '../unit-of-work';
import { openTestDatabase } from './messaging-test-kit';

// Concurrent requests with one key on the real server (PGlite serializes connections, so two
// transactions there never overlap): while the first holds the key, the others wait on it, and
// they all answer the first one's outcome. CI runs this file only with TEST_DATABASE_URL set.

const policy: IdempotencyPolicy = {
  ttlMs: 3_600_000,
  recordable: () => null,
  revive: (error) => new Error(error.message),
  reused: () => new Error('IDEMPOTENCY_KEY_REUSED'),
};

describe('one idempotency key, many concurrent requests (real PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let work: UnitOfWork;

  beforeAll(async () => {
    requireRealPostgres();
    db = await openTestDatabase('idempotency_race', [IdempotencyKeys1734200000001]);
    await db.dataSource.query(`CREATE TABLE "${db.schema}".things (id uuid PRIMARY KEY, key text NOT NULL)`);
    work = new UnitOfWork(db.dataSource, new Outbox('entitlements'), undefined, { idempotency: { policy, keys: new IdempotencyKeys() } });
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** Sessions of this test blocked on a lock of its idempotency_keys table. */
  const waitingOnTheKey = async () =>
    Number(
      (
        await db.dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`%"${db.schema}".idempotency_keys%`],
        )
      )[0].n,
    );

  it('executes once while the others wait on the key, and every request answers that outcome', async () => {
    const key = randomUUID();
    const request: IdempotentRequest = { caller: 'user-1', key, operation: 'createThing', fingerprint: 'same input' };
    let executions = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const createThing = () =>
      work.run(async ({ manager }) => {
        executions += 1;
        const id = randomUUID();
        await manager.query(`INSERT INTO "${db.schema}".things (id, key) VALUES ($1, $2)`, [id, key]);
        await held;
        return { id };
      });
    const requests = Array.from({ length: 8 }, () => runIdempotent(request, createThing));
    // The overlap is real: one executes and holds the key, the seven others are blocked on it.
    await waitFor(async () => executions === 1 && (await waitingOnTheKey()) === 7, { timeoutMs: 30_000, description: 'seven requests waiting on the key' });
    release();
    const answers = await Promise.all(requests);
    expect(executions).toBe(1);
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    const rows = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM "${db.schema}".things WHERE key = $1`, [key]);
    expect(rows).toEqual([{ id: answers[0].id }]);
  });

  it('lets the waiting requests execute when the holder fails without an outcome, one at a time', async () => {
    const key = randomUUID();
    const request: IdempotentRequest = { caller: 'user-1', key, operation: 'createThing', fingerprint: 'same input' };
    let executions = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failingFirst = () =>
      work.run(async ({ manager }) => {
        executions += 1;
        const attempt = executions;
        await manager.query(`INSERT INTO "${db.schema}".things (id, key) VALUES ($1, $2)`, [randomUUID(), key]);
        if (attempt === 1) {
          await held;
          throw new Error('lost the connection');
        }
        return { attempt };
      });
    const requests = Array.from({ length: 4 }, () => runIdempotent(request, failingFirst).catch((error: Error) => error.message));
    await waitFor(async () => executions === 1 && (await waitingOnTheKey()) === 3, { timeoutMs: 30_000, description: 'three requests waiting on the key' });
    release();
    const answers = await Promise.all(requests);
    expect(answers.filter((answer) => answer === 'lost the connection')).toHaveLength(1);
    expect(answers.filter((answer) => typeof answer === 'object')).toEqual([{ attempt: 2 }, { attempt: 2 }, { attempt: 2 }]);
    expect(executions).toBe(2);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM "${db.schema}".things WHERE key = $1`, [key])).toEqual([{ n: 1 }]);
  });
});
