import { DataSource, type EntityMetadata } from 'typeorm';
import { exportJoinedOf, exportRelatedOf, isEntityExcluded, isPropertyExcluded, SECRET_COLUMN } from './export-exclusion';

/** Tables of the messaging machinery: never an organization's data. */
const MESSAGING_TABLES = new Set(['outbox', 'inbox']);

/** Rows fetched per round trip: memory stays bounded whatever the organization's size. */
export const EXPORT_BATCH_SIZE = 500;

export interface ExportCollection {
  /** The collection's name: its table's, or a related view's (`partners`). */
  collection: string;
  /** The table read, when it is not the collection's name. */
  table?: string;
  /** Column the organization is selected by: `organization_id`, or `id` on the `organizations` table. */
  organizationColumn: string;
  /** Rows reached through their owner row: `<table>.<key> = <via.table>.id`, selected on `<via.table>`. */
  via?: { table: string; key: string };
  /** Exported columns, in table order (joined columns last). */
  columns: string[];
  /** Keyset order for batched reads. */
  primaryColumns: string[];
  /** Columns of a one-to-one table beside it (`user_pii` for `users`), part of `columns`. */
  joined?: { table: string; key: string; columns: string[] };
  /** Related organizations' rows (a vendor's partners): never counted as the organization's own by a purge. */
  related?: boolean;
}

/** One line of the NDJSON stream: `{"collection": "<table>", "row": {...}}`. */
export interface ExportLine {
  collection: string;
  row: Record<string, unknown>;
}

/**
 * What a service holds for one organization, read from its own TypeORM entity metadata: every
 * table with an `organization_id` column, plus the organization's own row in an `organizations`
 * table, minus messaging tables, entities and columns marked `@ExcludeFromExport()`, and columns
 * whose names say they hold secrets.
 */
export function exportCollections(dataSource: DataSource): ExportCollection[] {
  const collections: ExportCollection[] = [];
  for (const metadata of dataSource.entityMetadatas) {
    const collection = describe(metadata);
    if (collection) collections.push(collection);
    if (!isEntityExcluded(metadata.target)) collections.push(...describeRelated(metadata));
  }
  return collections.sort((a, b) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0));
}

function exportableColumns(metadata: EntityMetadata): string[] {
  return metadata.columns
    .filter((column) => !SECRET_COLUMN.test(column.databaseName) && !isPropertyExcluded(metadata.target, column.propertyName))
    .map((column) => column.databaseName);
}

function describe(metadata: EntityMetadata): ExportCollection | null {
  if (MESSAGING_TABLES.has(metadata.tableName) || isEntityExcluded(metadata.target)) return null;
  const names = metadata.columns.map((column) => column.databaseName);
  const organizationColumn = names.includes('organization_id')
    ? 'organization_id'
    : metadata.tableName === 'organizations' && names.includes('id')
      ? 'id'
      : null;
  if (organizationColumn === null || metadata.primaryColumns.length === 0) return null;
  const joined = exportJoinedOf(metadata.target);
  const safeJoined = joined ? { ...joined, columns: joined.columns.filter((column) => !SECRET_COLUMN.test(column)) } : null;
  return {
    collection: metadata.tableName,
    organizationColumn,
    columns: [...exportableColumns(metadata), ...(safeJoined?.columns ?? [])],
    primaryColumns: metadata.primaryColumns.map((column) => column.databaseName),
    ...(safeJoined ? { joined: safeJoined } : {}),
  };
}

function describeRelated(metadata: EntityMetadata): ExportCollection[] {
  if (metadata.primaryColumns.length === 0) return [];
  const exportable = exportableColumns(metadata);
  return exportRelatedOf(metadata.target).map((related) => ({
    collection: related.collection,
    table: metadata.tableName,
    organizationColumn: related.organizationColumn,
    ...(related.via ? { via: related.via } : {}),
    columns: (related.columns ?? exportable).filter((column) => exportable.includes(column)),
    primaryColumns: metadata.primaryColumns.map((column) => column.databaseName),
    related: true,
  }));
}

/** FROM and WHERE of a collection's rows of one organization (`$1`), the table aliased `t`. */
function source(dataSource: DataSource, collection: ExportCollection): { from: string; where: string } {
  const schema = quote(schemaOf(dataSource));
  const table = `${schema}.${quote(collection.table ?? collection.collection)} AS t`;
  const joined = collection.joined
    ? ` LEFT JOIN ${schema}.${quote(collection.joined.table)} AS j ON j.${quote(collection.joined.key)} = t.${quote(collection.primaryColumns[0])}`
    : '';
  if (collection.via) {
    return {
      from: `${table} JOIN ${schema}.${quote(collection.via.table)} AS v ON v."id" = t.${quote(collection.via.key)}${joined}`,
      where: `v.${quote(collection.organizationColumn)} = $1`,
    };
  }
  return { from: `${table}${joined}`, where: `t.${quote(collection.organizationColumn)} = $1` };
}

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

function schemaOf(dataSource: DataSource): string {
  return (dataSource.options as { schema?: string }).schema ?? 'public';
}

/** JSON-safe values: instants as ISO strings, bytes as base64; everything else as the driver gives it. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Reads one collection's rows of an organization in keyset batches (never all at once): each
 * batch continues after the last primary key seen.
 */
export async function* readCollection(
  dataSource: DataSource,
  collection: ExportCollection,
  organizationId: string,
  batchSize = EXPORT_BATCH_SIZE,
): AsyncGenerator<Record<string, unknown>> {
  const { from, where: owned } = source(dataSource, collection);
  const joined = new Set(collection.joined?.columns ?? []);
  const select = [...new Set([...collection.columns, ...collection.primaryColumns])]
    .map((column) => (joined.has(column) && !collection.primaryColumns.includes(column) ? `j.${quote(column)}` : `t.${quote(column)}`))
    .join(', ');
  const keys = collection.primaryColumns.map((column) => `t.${quote(column)}`);
  const keyTuple = `(${keys.join(', ')})`;
  let after: unknown[] | null = null;
  for (;;) {
    const parameters: unknown[] = [organizationId];
    let where = owned;
    if (after !== null) {
      where += ` AND ${keyTuple} > (${after.map((_, index) => `$${index + 2}`).join(', ')})`;
      parameters.push(...after);
    }
    const rows = await dataSource.query<Record<string, unknown>[]>(
      `SELECT ${select} FROM ${from} WHERE ${where} ORDER BY ${keys.join(', ')} LIMIT ${Number(batchSize)}`,
      parameters,
    );
    for (const row of rows) {
      const out: Record<string, unknown> = {};
      for (const column of collection.columns) out[column] = jsonValue(row[column]);
      yield out;
    }
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = collection.primaryColumns.map((column) => last[column]);
  }
}

export interface CollectionSummary {
  rows: number;
  columns: string[];
  /** Related organizations' rows (a vendor's partners): part of the export, not of this organization's purge. */
  related?: boolean;
}

/** Rows and columns per collection for an organization (what an export holds, what a purge deletes). */
export async function summarizeCollections(dataSource: DataSource, organizationId: string): Promise<Record<string, CollectionSummary>> {
  const summary: Record<string, CollectionSummary> = {};
  for (const collection of exportCollections(dataSource)) {
    const { from, where } = source(dataSource, collection);
    const [row] = await dataSource.query<{ n: string | number }[]>(`SELECT count(*) AS n FROM ${from} WHERE ${where}`, [organizationId]);
    summary[collection.collection] = { rows: Number(row?.n ?? 0), columns: collection.columns, ...(collection.related ? { related: true } : {}) };
  }
  return summary;
}
