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

/**
 * The NOTIFY channel that tells relays of this outbox (in any process) that rows were committed:
 * one per schema, cut to PostgreSQL's 63-byte identifier limit (a shared prefix only means an
 * extra wake-up).
 */
export function outboxChannel(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  let channel = `outbox:${schema}`;
  while (Buffer.byteLength(channel) > 63) channel = channel.slice(0, -1);
  return channel;
}
