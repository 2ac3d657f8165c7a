import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DataExportStatus = { PENDING: 'PENDING', RUNNING: 'RUNNING', READY: 'READY', FAILED: 'FAILED', PURGED: 'PURGED' } as const;
export type DataExportStatus = (typeof DataExportStatus)[keyof typeof DataExportStatus];

/** A requested export of everything an organization has, and the ZIP it produced. */
@Entity({ name: 'data_exports' })
export class DataExportEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DataExportStatus;

  @Column({ name: 'requested_by', type: 'varchar', length: 200 })
  requestedBy!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 1024, nullable: true })
  storageKey!: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  sizeBytes!: number | null;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  /** Rows per collection, as in manifest.json. */
  @Column({ type: 'jsonb', nullable: true })
  collections!: Record<string, number> | null;

  /** Collections whose files are written so far (progress while RUNNING). */
  @Column({ name: 'collections_done', type: 'integer', default: 0 })
  collectionsDone!: number;

  /** Collections the export will hold; null until every service said what it has. */
  @Column({ name: 'collections_total', type: 'integer', nullable: true })
  collectionsTotal!: number | null;

  /** Rows written so far (each row once, though it is in the JSON and the CSV file). */
  @Column({ name: 'rows_written', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  rowsWritten!: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ready_at', type: 'timestamptz', nullable: true })
  readyAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
