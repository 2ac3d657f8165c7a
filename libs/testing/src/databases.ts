import { randomBytes } from 'node:crypto';
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
