import 'reflect-metadata';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { maskNullable } from '@offboarding/platform';
import { BY_ORGANIZATION, type OrganizationScope, scopedFrom, tableOf } from './organization-scope';

const PII = Symbol('offboarding:pii');

/** Marks a text column as personal data: the masking runner replaces it with its keyed hash. */
export function Pii(): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    const marked = (Reflect.getOwnMetadata(PII, target) as (string | symbol)[] | undefined) ?? [];
    Reflect.defineMetadata(PII, [...marked, propertyKey], target);
  };
}

/** The database columns of an entity marked @Pii(). */
export function piiColumnsOf(manager: EntityManager, target: EntityTarget<ObjectLiteral>): string[] {
  const metadata = manager.connection.getMetadata(target);
  const marked = (Reflect.getOwnMetadata(PII, (metadata.target as { prototype: object }).prototype) as string[] | undefined) ?? [];
  return marked.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`@Pii() on ${metadata.name}.${property}, which is no column`);
    return column.databaseName;
  });
}

/** One entity whose @Pii() columns an organization's masking replaces. */
export interface MaskingTarget {
  entity: EntityTarget<ObjectLiteral>;
  /** How its rows belong to the organization; `organization_id` on the table itself unless given. */
  scope?: OrganizationScope;
  /**
   * A timestamp column saying a row was masked: only rows where it is null are masked, and every
   * one of them is stamped (and counted). Without it, rows whose values change are masked and counted.
   */
  maskedAt?: string;
  /** A timestamp column set to the masking time on every row masked. */
  updatedAt?: string;
}

/** Rows masked per statement pair (one read, one UPDATE … FROM unnest(…)). */
export const MASKING_BATCH_ROWS = 1_000;

/**
 * Replaces the @Pii() columns of an organization's rows with their keyed hashes (HMAC-SHA-256
 * under the organization's masking key), in the caller's transaction: per batch one read of the
 * next rows by primary key, locked, and one set-based UPDATE … FROM unnest(…). Already masked
 * values stay as they are. Returns how many rows it masked.
 */
export async function maskOrganizationPii(
  manager: EntityManager,
  targets: readonly MaskingTarget[],
  organizationId: string,
  key: Buffer,
  now: Date,
  batchRows = MASKING_BATCH_ROWS,
): Promise<number> {
  let masked = 0;
  for (const target of targets) masked += await maskTarget(manager, target, organizationId, key, now, batchRows);
  return masked;
}

async function maskTarget(manager: EntityManager, target: MaskingTarget, organizationId: string, key: Buffer, now: Date, batchRows: number): Promise<number> {
  const metadata = manager.connection.getMetadata(target.entity);
  const columns = piiColumnsOf(manager, target.entity);
  if (columns.length === 0) throw new Error(`${metadata.name} has no @Pii() column to mask`);
  if (metadata.primaryColumns.length !== 1) throw new Error(`${metadata.name} needs a single primary key column to be masked`);
  const primary = metadata.primaryColumns[0];
  const pk = primary.databaseName;
  const pkType = typeof primary.type === 'string' ? primary.type : 'text';
  const from = scopedFrom(manager, target.entity, target.scope ?? BY_ORGANIZATION);
  const unmasked = target.maskedAt ? ` AND t."${target.maskedAt}" IS NULL` : '';
  const stamps = [target.maskedAt, target.updatedAt].filter((column): column is string => column !== undefined);
  let masked = 0;
  let after: string | null = null;
  for (;;) {
    const rows: Record<string, string | null>[] = await manager.query(
      `SELECT t."${pk}"::text AS pk, ${columns.map((c) => `t."${c}"`).join(', ')} ${from}${unmasked}${after === null ? '' : ` AND t."${pk}" > $2::${pkType}`}
        ORDER BY t."${pk}" LIMIT ${batchRows} FOR UPDATE OF t`,
      after === null ? [organizationId] : [organizationId, after],
    );
    if (rows.length === 0) return masked;
    const changed = rows
      .map((row) => ({ pk: row.pk as string, values: columns.map((c) => maskNullable(key, row[c])), original: columns.map((c) => row[c]) }))
      .filter((row) => target.maskedAt !== undefined || row.values.some((value, i) => value !== row.original[i]));
    if (changed.length > 0) {
      // One array per column, unnested into rows: a handful of parameters whatever the batch size.
      const parameters: unknown[] = [changed.map((row) => row.pk), ...columns.map((_, c) => changed.map((row) => row.values[c]))];
      const nowParameter = `$${parameters.length + 1}`;
      if (stamps.length > 0) parameters.push(now);
      await manager.query(
        `UPDATE ${tableOf(manager, target.entity)} AS t
            SET ${[...columns.map((c) => `"${c}" = v."${c}"`), ...stamps.map((c) => `"${c}" = ${nowParameter}`)].join(', ')}
           FROM unnest($1::${pkType}[], ${columns.map((_, c) => `$${c + 2}::text[]`).join(', ')}) AS v(pk, ${columns.map((c) => `"${c}"`).join(', ')})
          WHERE t."${pk}" = v.pk`,
        parameters,
      );
      masked += changed.length;
    }
    if (rows.length < batchRows) return masked;
    after = rows[rows.length - 1].pk;
  }
}
