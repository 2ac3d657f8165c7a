import { openServiceDatabase, type ServiceDatabaseOptions } from './data-source';

/**
 * The `db:migrate` entry point of every service (and the Kubernetes migration Job): applies
 * pending migrations, or with `--revert` undoes the last one, then exits.
 */
export async function runMigrationsCommand(
  options: Omit<ServiceDatabaseOptions, 'migrate'>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const revert = argv.includes('--revert');
  const write = (line: object) => process.stdout.write(`${JSON.stringify({ service: options.service, ...line })}\n`);
  try {
    const db = await openServiceDatabase({ ...options, migrate: false });
    try {
      if (revert) {
        await db.dataSource.undoLastMigration({ transaction: 'each' });
        write({ msg: 'reverted the last migration' });
      } else {
        const applied = await db.dataSource.runMigrations({ transaction: 'each' });
        write({ msg: 'migrations applied', applied: applied.map((migration) => migration.name) });
      }
    } finally {
      await db.close();
    }
  } catch (error) {
    write({ level: 'error', msg: 'migration failed', error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  }
}
