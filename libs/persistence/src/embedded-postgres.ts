import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver connects to. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Runs PGlite in this process behind a loopback wire-protocol socket, so the service talks to
 * it through the same `pg` driver and SQL it uses against a real server. One instance per
 * service: PGlite has a single database and serializes connections.
 */
export async function startEmbeddedPostgres(options: { dataDir: string | null }): Promise<EmbeddedPostgres> {
  const db = await openPglite(options.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

async function openPglite(dataDir: string | null): Promise<PGlite> {
  const initialized = dataDir !== null && fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialized) return PGlite.create(dataDir);
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // initdb inside WebAssembly takes tens of seconds; a new database starts from a copy instead.
  const template = new Blob([await pgliteTemplate()]);
  return PGlite.create(dataDir ?? undefined, { loadDataDir: template });
}

/**
 * A freshly initialized data directory as a tarball, made once per PGlite version and machine
 * and cached in the temp directory. Writers race harmlessly: each renames a complete file.
 */
export async function pgliteTemplate(): Promise<Buffer> {
  const packageJson = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string };
  const file = path.join(process.env.PGLITE_TEMPLATE_DIR ?? os.tmpdir(), `offboarding-pglite-${version}.tar`);
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const db = await PGlite.create();
  const tarball = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
  await db.close();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, tarball);
  fs.renameSync(partial, file);
  return tarball;
}
