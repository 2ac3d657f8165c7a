import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** The quoted, schema-qualified table of an entity, for the few statements written in SQL. */
export function tableOf(manager: EntityManager, target: EntityTarget<ObjectLiteral>): string {
  const metadata = manager.connection.getMetadata(target);
  const schema = metadata.schema ?? (manager.connection.options as { schema?: string }).schema ?? 'public';
  return `"${schema}"."${metadata.tableName}"`;
}
