import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openServiceDatabase, pendingMigrations, schemaOf } from '../index';
import { randomBytes } from 'node:crypto';
import type { DatabaseTarget } from '../index';

// The testing lib builds on this one, so these two helpers are repeated here rather than imported.
const testDatabaseTarget = (): DatabaseTarget =>
  process.env.TEST_DATABASE_URL ? { kind: 'postgres', url: process.env.TEST_DATABASE_URL } : { kind: 'embedded', dataDir: null };
const uniqueSchema = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

class CreateNotes1700000000000 implements MigrationInterface {
  name = 'CreateNotes1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${schemaOf(q)}.notes (id serial PRIMARY KEY, body text NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${schemaOf(q)}.notes`);
  }
}

describe('openServiceDatabase', () => {
  it('creates the schema, applies migrations once and records them', async () => {
    const schema = uniqueSchema('persist');
    const open = () =>
      openServiceDatabase({ service: 'persist', schema, entities: [], migrations: [CreateNotes1700000000000], migrate: true, target: testDatabaseTarget() });
    const db = await open();
    try {
      await db.dataSource.query(`INSERT INTO "${schema}".notes (body) VALUES ('a')`);
      const applied = await db.dataSource.query<{ name: string }[]>(`SELECT name FROM "${schema}".migrations`);
      expect(applied.map((m) => m.name)).toEqual(['CreateNotes1700000000000']);
      await db.dataSource.undoLastMigration();
      const tables = await db.dataSource.query<unknown[]>(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'notes'`,
        [schema],
      );
      expect(tables).toHaveLength(0);
    } finally {
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    }
  });

  it('refuses to open a schema whose migrations are not applied when asked to, naming them', async () => {
    const schema = uniqueSchema('persist');
    // Opened three times: an embedded database must keep its files in between.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
    const target: DatabaseTarget = process.env.TEST_DATABASE_URL ? testDatabaseTarget() : { kind: 'embedded', dataDir };
    const open = (migrate: boolean) =>
      openServiceDatabase({ service: 'persist', schema, entities: [], migrations: [CreateNotes1700000000000], migrate, requireMigrated: true, target });
    await expect(open(false)).rejects.toThrow(
      `1 migration(s) of persist are not applied to schema "${schema}" (CreateNotes1700000000000): run \`npm run db:migrate\` (the migration Job in Kubernetes) first`,
    );
    await (await open(true)).close();
    const db = await open(false);
    try {
      expect(await pendingMigrations(db.dataSource)).toEqual([]);
      await db.dataSource.query(`DELETE FROM "${schema}".migrations`);
      expect(await pendingMigrations(db.dataSource)).toEqual(['CreateNotes1700000000000']);
    } finally {
      if (db.target.kind === 'postgres') await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps embedded data across a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
    const open = () =>
      openServiceDatabase({ service: 'persist', entities: [], migrations: [CreateNotes1700000000000], migrate: true, target: { kind: 'embedded', dataDir } });
    try {
      const first = await open();
      await first.dataSource.query(`INSERT INTO persist.notes (body) VALUES ('kept')`);
      await first.close();
      const second = await open();
      const rows = await second.dataSource.query<{ body: string }[]>(`SELECT body FROM persist.notes`);
      await second.close();
      expect(rows).toEqual([{ body: 'kept' }]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a database URL that is not PostgreSQL, naming the variable', async () => {
    const { resolveDatabaseTarget } = await import('../index');
    expect(() => resolveDatabaseTarget('entitlements', { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(resolveDatabaseTarget('entitlements', { ENTITLEMENTS_DATABASE_URL: 'postgres://a/b', DATABASE_URL: 'postgres://c/d' })).toEqual({ kind: 'postgres', url: 'postgres://a/b' });
  });
});
