import * as path from 'node:path';

/** Where a service keeps its data: a PostgreSQL server, or an embedded PGlite. */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'embedded'; dataDir: string | null };

export const EMBEDDED_MEMORY_URL = 'pglite://memory';

/**
 * `<SERVICE>_DATABASE_URL` wins over `DATABASE_URL`; with neither, the service runs an embedded
 * PGlite whose files live under `DATA_DIR` (default `.data`) so a restart keeps the data.
 * `pglite://memory` asks for a throw-away in-memory database (schema printing, unit tests).
 */
export function resolveDatabaseTarget(service: string, env: NodeJS.ProcessEnv): DatabaseTarget {
  const url = env[`${service.toUpperCase()}_DATABASE_URL`] ?? env.DATABASE_URL;
  if (url === EMBEDDED_MEMORY_URL) return { kind: 'embedded', dataDir: null };
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(
        `${service.toUpperCase()}_DATABASE_URL / DATABASE_URL must be a postgres:// URL or ${EMBEDDED_MEMORY_URL}`,
      );
    }
    return { kind: 'postgres', url };
  }
  return { kind: 'embedded', dataDir: path.resolve(env.DATA_DIR ?? '.data', service, 'postgres') };
}
