import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { openServiceDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '@offboarding/persistence';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';
import { entities } from '../entities';
import { migrations } from '../migrations';

// The entitlements service started as in production (NODE_ENV=production, its real main), on a
// PostgreSQL wire-protocol server (an embedded one, so no server needs to be installed): it
// refuses to start without a database URL or with migrations missing, and stays unready
// whenever its migrations are not all applied.

const root = path.resolve(__dirname, '../../../..');

describe('the service in production', () => {
  let server: EmbeddedPostgres;
  let identity: TestIdentity;

  beforeAll(async () => {
    [server, identity] = await Promise.all([startEmbeddedPostgres({ dataDir: null }), TestIdentity.start()]);
  });

  afterAll(async () => {
    await server?.close();
    await identity?.stop();
  });

  function start(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    let output = '';
    const child = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'apps/entitlements/src/main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        INTERNAL_API_TOKEN: 'an-internal-token-of-at-least-32-chars',
        MESSAGING_ENABLED: 'false',
        SCHEDULER_INTERVAL_MS: '0',
        HOST: '127.0.0.1',
        IDENTITY_URL: identity.graphqlUrl,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  it('refuses to start without a database URL, naming the variables', async () => {
    const service = start({});
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(
      'production needs PostgreSQL: set ENTITLEMENTS_DATABASE_URL or DATABASE_URL to a postgres:// URL (the embedded database is for development only)',
    );
  }, 120_000);

  it('refuses to start before its migrations ran, then serves and is ready only while every migration is applied', async () => {
    const port = await freePortBlock(1);
    const env = { ENTITLEMENTS_DATABASE_URL: server.url, ENTITLEMENTS_PORT: String(port) };
    const unmigrated = start(env);
    expect(await unmigrated.exited).toBe(1);
    expect(unmigrated.output()).toMatch(/\d+ migration\(s\) of entitlements are not applied to schema "entitlements" \(MessagingTables1732000000000, .*\): run `npm run db:migrate`/);

    const migrated = await openServiceDatabase({ service: 'entitlements', entities, migrations, migrate: true, target: { kind: 'postgres', url: server.url } });
    const service = start(env);
    const ready = async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.status;
    try {
      await waitFor(async () => (await ready()) === 200, { timeoutMs: 120_000, intervalMs: 250, description: 'the service to be ready' });
      // A migration reverted under the running service: it cannot do its work, so it says so.
      await migrated.dataSource.query(`DELETE FROM entitlements.migrations WHERE name = 'IdempotencyKeys1734200000001'`);
      expect(await ready()).toBe(503);
      await migrated.dataSource.query(`INSERT INTO entitlements.migrations (timestamp, name) VALUES (1734200000001, 'IdempotencyKeys1734200000001')`);
      expect(await ready()).toBe(200);
    } finally {
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      await migrated.close();
    }
  }, 300_000);
});
