import type { QueryRunner } from 'typeorm';

/** The quoted schema a migration runs in, so tests can apply migrations to a schema of their own. */
export function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('the data source has no schema configured');
  return `"${schema}"`;
}
