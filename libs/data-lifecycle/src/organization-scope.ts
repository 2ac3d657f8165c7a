import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * How a table's rows belong to an organization: a column of its own (`organization_id` unless
 * named), or through a parent table whose row carries the organization (`refresh_tokens` through
 * `sessions`: `refresh_tokens.session_id = sessions.id AND sessions.organization_id = $1`).
 */
export type OrganizationScope =
  | { column: string }
  | { through: EntityTarget<ObjectLiteral>; foreignKey: string; parentKey?: string; column?: string };

export const BY_ORGANIZATION: OrganizationScope = { column: 'organization_id' };

/** The quoted, schema-qualified table of an entity. */
export function tableOf(manager: EntityManager, target: EntityTarget<ObjectLiteral>): string {
  const metadata = manager.connection.getMetadata(target);
  const schema = metadata.schema ?? (manager.connection.options as { schema?: string }).schema ?? 'public';
  return `"${schema}"."${metadata.tableName}"`;
}

/**
 * `FROM … WHERE …` selecting the organization's rows of `target` (aliased `t`), the organization
 * id being `$1`.
 */
export function scopedFrom(manager: EntityManager, target: EntityTarget<ObjectLiteral>, scope: OrganizationScope = BY_ORGANIZATION): string {
  const table = tableOf(manager, target);
  if ('through' in scope) {
    const parent = tableOf(manager, scope.through);
    return `FROM ${table} t JOIN ${parent} p ON p."${scope.parentKey ?? 'id'}" = t."${scope.foreignKey}" WHERE p."${scope.column ?? 'organization_id'}" = $1`;
  }
  return `FROM ${table} t WHERE t."${scope.column}" = $1`;
}
