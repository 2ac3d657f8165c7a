import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseTarget } from './database-target';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

// TypeORM's option types accept these loosely; keep the same shape.
type EntityList = MixedList<string | (new (...args: never[]) => unknown) | EntitySchema>;
type MigrationList = MixedList<string | (new (...args: never[]) => unknown)>;

const embeddedSources = new WeakSet<DataSource>();

/**
 * Whether a data source talks to an in-process PGlite. There every connection shares one
 * single-user engine: statements of concurrent connections must not interleave, so callers that
 * would open a second connection (advisory locks) use in-process exclusion instead.
 */
export function isEmbeddedDataSource(dataSource: DataSource): boolean {
  return embeddedSources.has(dataSource);
}

export interface ServiceDatabaseOptions {
  /** The owning service; also the default PostgreSQL schema name. */
  service: string;
  /** Override the schema (tests isolate themselves with a schema of their own). */
  schema?: string;
  entities: EntityList;
  migrations: MigrationList;
  target: DatabaseTarget;
  /** Apply pending migrations when opening (embedded mode and tests; production runs a Job). */
  migrate?: boolean;
  /**
   * Refuse to open a database whose migrations are not all applied (a service that does not
   * migrate itself would otherwise start and fail on every statement). Ignored with `migrate`.
   */
  requireMigrated?: boolean;
  poolSize?: number;
}

export interface ServiceDatabase {
  readonly dataSource: DataSource;
  readonly schema: string;
  readonly target: DatabaseTarget;
  close(): Promise<void>;
}

/**
 * Opens a service's own database: its PostgreSQL schema on a real server, or an embedded PGlite.
 * Schema changes only ever come from migrations; `synchronize` is never enabled.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<ServiceDatabase> {
  const target = options.target;
  const schema = options.schema ?? options.service;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);

  let embedded: EmbeddedPostgres | undefined;
  const url = target.kind === 'postgres' ? target.url : (embedded = await startEmbeddedPostgres(target)).url;

  const dataSource = new DataSource({
    type: 'postgres',
    url,
    schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // PGlite runs one statement at a time anyway; a single connection keeps that visible.
    poolSize: options.poolSize ?? (target.kind === 'embedded' ? 1 : 10),
    applicationName: `offboarding-${options.service}`,
  });
  if (embedded) embeddedSources.add(dataSource);
  try {
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    if (options.migrate) await dataSource.runMigrations({ transaction: 'each' });
    else if (options.requireMigrated) {
      const pending = await pendingMigrations(dataSource);
      if (pending.length > 0) {
        throw new Error(
          `${pending.length} migration(s) of ${options.service} are not applied to schema "${schema}" (${pending.join(', ')}): ` +
            'run `npm run db:migrate` (the migration Job in Kubernetes) first',
        );
      }
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.close();
    throw error;
  }

  return {
    dataSource,
    schema,
    target,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.close();
    },
  };
}

/**
 * The data source's migrations that its schema has not recorded as applied, oldest first (all of
 * them when the migrations table does not exist yet). Throws when the database cannot be asked.
 */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const [{ present }] = await dataSource.query<{ present: boolean }[]>('SELECT to_regclass($1) IS NOT NULL AS present', [`"${schema}".migrations`]);
  const applied = present ? new Set((await dataSource.query<{ name: string }[]>(`SELECT name FROM "${schema}".migrations`)).map((row) => row.name)) : new Set<string>();
  return dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name).filter((name) => !applied.has(name));
}
