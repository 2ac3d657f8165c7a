import type { DataSource } from 'typeorm';

export type MessagingTable = 'outbox' | 'inbox';

/**
 * The schema-qualified name of a messaging table in the data source's schema. Each service (and
 * each test) owns a schema, so the tables are never addressed through search_path.
 */
export function messagingTable(dataSource: DataSource, table: MessagingTable): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  return schema ? `${quoteIdentifier(schema)}.${table}` : table;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
