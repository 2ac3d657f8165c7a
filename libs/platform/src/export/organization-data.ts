import { DataSource, type EntityMetadata } from 'typeorm';
import { isEntityExcluded, isPropertyExcluded, SECRET_COLUMN } from './export-exclusion';

/** Tables of the messaging machinery: never an organization's data. */
const MESSAGING_TABLES = new Set(['outbox', 'inbox']);

/** Rows fetched per round trip: memory stays bounded whatever the organization's size. */
export const EXPORT_BATCH_SIZE = 500;

export interface ExportCollection {
  /** The table name. */
  collection: string;
  /** Column the organization is selected by: `organization_id`, or `id` on the `organizations` table. */
  organizationColumn: string;
  /** Exported columns, in table order. */
  columns: string[];
  /** Keyset order for batched reads. */
  primaryColumns: string[];
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
  }
  return collections.sort((a, b) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0));
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
  const columns = metadata.columns
    .filter((column) => !SECRET_COLUMN.test(column.databaseName) && !isPropertyExcluded(metadata.target, column.propertyName))
    .map((column) => column.databaseName);
  return {
    collection: metadata.tableName,
    organizationColumn,
    columns,
    primaryColumns: metadata.primaryColumns.map((column) => column.databaseName),
  };
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
  const table = `${quote(schemaOf(dataSource))}.${quote(collection.collection)}`;
  const select = [...new Set([...collection.columns, ...collection.primaryColumns])].map(quote).join(', ');
  const keys = collection.primaryColumns.map(quote);
  const keyTuple = `(${keys.join(', ')})`;
  let after: unknown[] | null = null;
  for (;;) {
    const parameters: unknown[] = [organizationId];
    let where = `${quote(collection.organizationColumn)} = $1`;
    if (after !== null) {
      where += ` AND ${keyTuple} > (${after.map((_, index) => `$${index + 2}`).join(', ')})`;
      parameters.push(...after);
    }
    const rows = await dataSource.query<Record<string, unknown>[]>(
      `SELECT ${select} FROM ${table} WHERE ${where} ORDER BY ${keys.join(', ')} LIMIT ${Number(batchSize)}`,
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
}

/** Rows and columns per collection for an organization (what an export holds, what a purge deletes). */
export async function summarizeCollections(dataSource: DataSource, organizationId: string): Promise<Record<string, CollectionSummary>> {
  const summary: Record<string, CollectionSummary> = {};
  for (const collection of exportCollections(dataSource)) {
    const [row] = await dataSource.query<{ n: string | number }[]>(
      `SELECT count(*) AS n FROM ${quote(schemaOf(dataSource))}.${quote(collection.collection)} WHERE ${quote(collection.organizationColumn)} = $1`,
      [organizationId],
    );
    summary[collection.collection] = { rows: Number(row?.n ?? 0), columns: collection.columns };
  }
  return summary;
}
