import type { QueryRunner } from 'typeorm';

/** The quoted schema a migration runs in, so tests can apply migrations to a schema of their own. */
export function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('the data source has no schema configured');
  return `"${schema}"`;
}

/**
 * How many rows an UPDATE or DELETE run through `DataSource.query` / `EntityManager.query`
 * changed: TypeORM's PostgreSQL driver answers those with `[rows, rowCount]`.
 */
export function affectedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  throw new Error('expected the [rows, rowCount] answer of an UPDATE or DELETE');
}
