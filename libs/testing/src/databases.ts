import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EMBEDDED_MEMORY_URL, type DatabaseTarget } from '@offboarding/persistence';

/**
 * The database the integration suite runs against: the real PostgreSQL server named by
 * TEST_DATABASE_URL when given (CI runs the suite both ways), else an in-memory PGlite.
 */
export function testDatabaseTarget(): DatabaseTarget {
  const url = process.env.TEST_DATABASE_URL;
  if (url && url !== EMBEDDED_MEMORY_URL) return { kind: 'postgres', url };
  return { kind: 'embedded', dataDir: null };
}

/** A schema name of its own per test, so runs against a shared server never collide. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function requireRealPostgres(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url || url === EMBEDDED_MEMORY_URL) {
    throw new Error('this suite needs TEST_DATABASE_URL pointing at a real PostgreSQL server');
  }
  return url;
}

/**
 * A database URL for a whole service under test (whose schema name is fixed, so a shared server
 * needs a database of its own per run): a new database on the TEST_DATABASE_URL server, or an
 * in-memory PGlite without it. drop() removes the database with every connection to it.
 */
export async function serviceTestDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || server === EMBEDDED_MEMORY_URL) return { url: EMBEDDED_MEMORY_URL, drop: () => Promise.resolve() };
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const onServer = async (statement: string) => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
