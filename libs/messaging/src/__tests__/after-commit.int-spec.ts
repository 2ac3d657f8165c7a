import { waitFor } from '@offboarding/testing';
import { afterCommit } from '../after-commit';
import { CreateNotes1732000000001, openTestDatabase } from './messaging-test-kit';

describe('afterCommit', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let notes: string;

  beforeAll(async () => {
    db = await openTestDatabase('after_commit', [CreateNotes1732000000001]);
    notes = `"${db.schema}".notes`;
  });

  afterAll(async () => {
    await db?.drop();
  });

  const bodies = async () => (await db.dataSource.query<{ body: string }[]>(`SELECT body FROM ${notes} ORDER BY id`)).map(({ body }) => body);

  it('runs the callback once the transaction has committed, and it sees what the transaction wrote', async () => {
    const seen: string[][] = [];
    let ranInside = false;
    await db.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO ${notes} (body) VALUES ('written')`);
      afterCommit(manager, () => void bodies().then((rows) => seen.push(rows)));
      // A savepoint released inside the transaction is not the commit.
      await manager.transaction(async (inner) => {
        await inner.query(`INSERT INTO ${notes} (body) VALUES ('nested')`);
      });
      await new Promise((resolve) => setImmediate(resolve));
      ranInside = seen.length > 0;
    });
    await waitFor(() => seen.length === 1);
    expect(ranInside).toBe(false);
    expect(seen).toEqual([['written', 'nested']]);
  });

  it('never runs the callback of a transaction that rolled back', async () => {
    let ran = 0;
    await expect(
      db.dataSource.transaction(async (manager) => {
        afterCommit(manager, () => (ran += 1));
        await manager.query('SELECT 1');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    // A later committed transaction on the same pool runs only its own callback.
    let later = 0;
    await db.dataSource.transaction(async (manager) => {
      afterCommit(manager, () => (later += 1));
      await manager.query('SELECT 1');
    });
    await waitFor(() => later === 1);
    expect(ran).toBe(0);
  });

  it('outside a transaction runs the callback on the next turn', async () => {
    let ran = false;
    afterCommit(db.dataSource.manager, () => (ran = true));
    expect(ran).toBe(false);
    await waitFor(() => ran);
  });
});
