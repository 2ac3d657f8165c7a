import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Client } from 'pg';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { formatLine, startStack, type RunningStack } from '../tools/stack';
import type { BenchContext } from './harness';

// The whole stack as `npm start` runs it (four subgraph processes and our gateway), for the
// scenarios that measure through GraphQL. It never touches a developer's data or ports: embedded
// databases live in a temporary directory, on PostgreSQL every service gets a database created
// for this run (each service's schema is named after it, so a database of its own is what keeps
// it apart), and everything is removed again by stop().

const root = path.resolve(__dirname, '..');
const SERVICES = ['entitlements', 'provisioning', 'identity', 'retention'] as const;
/** The checked-in production supergraph: what front ends are served, and what the baseline gateway gets too. */
export const SUPERGRAPH_PATH = path.join(root, 'apps/gateway/supergraph.graphql');

export interface BenchStack {
  readonly stack: RunningStack;
  /** The seeded development admin's password. */
  readonly adminPassword: string;
  /** The subgraph GraphQL URLs our gateway was given, for a second gateway to use the same. */
  readonly subgraphUrls: Record<(typeof SERVICES)[number], string>;
  /** A free port next to the stack's, for a second gateway. */
  readonly sparePort: number;
  /** The last log lines of every process (warnings and errors), for a failure message. */
  recentLogs(): string;
  stop(): Promise<void>;
}

export async function startBenchStack(context: BenchContext, env: NodeJS.ProcessEnv = {}): Promise<BenchStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-bench-'));
  const logs: string[] = [];
  const onLog = (line: string) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };
  const database = context.database.kind === 'postgres' ? await createDatabase(context.database.url) : null;
  // Every service on the run's own database; on PGlite an override from the caller's shell is
  // removed (undefined is left out of a child's environment), so every service stays embedded.
  const databaseEnv: NodeJS.ProcessEnv = { DATABASE_URL: database?.url ?? '' };
  for (const service of SERVICES) databaseEnv[`${service.toUpperCase()}_DATABASE_URL`] = database?.url;
  const firstPort = await freePortBlock(6);
  const adminPassword = 'admin';
  let stack: RunningStack;
  try {
    stack = await startStack({
      dataDir,
      gatewayPort: firstPort,
      firstServicePort: firstPort + 1,
      // Unused: KAFKA_BROKERS names the bench's broker.
      brokerPort: 0,
      env: {
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
        ADMIN_PASSWORD: adminPassword,
        KAFKA_BROKERS: context.kafkaBrokers,
        SUPERGRAPH_PATH,
        ...databaseEnv,
        ...env,
      },
      onLog,
    });
  } catch (error) {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`);
  }
  const subgraphUrls = Object.fromEntries(SERVICES.map((service) => [service, `${stack.serviceUrls[service]}/graphql`])) as BenchStack['subgraphUrls'];
  return {
    stack,
    adminPassword,
    subgraphUrls,
    sparePort: firstPort + 5,
    recentLogs: () => logs.join('\n'),
    async stop() {
      try {
        await stack.stop();
      } finally {
        await database?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A database of its own on the bench's PostgreSQL server, dropped with every connection to it. */
async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_stack_${randomBytes(4).toString('hex')}`;
  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** `count` consecutive ports nobody listens on, from a random start so parallel runs rarely meet. */
export interface ChildServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `@graphql-hive/gateway` as its operators run it (`hive-gateway supergraph <file> -c <config>`),
 * one process like our gateway, reaching the subgraphs at the given URLs.
 */
export async function startHiveGateway(options: {
  port: number;
  subgraphUrls: Record<string, string>;
  onLog: (line: string) => void;
}): Promise<ChildServer> {
  const bin = path.join(path.dirname(require.resolve('@graphql-hive/gateway')), 'bin.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
  for (const [name, url] of Object.entries(options.subgraphUrls)) env[`${name.toUpperCase()}_URL`] = url;
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, 'supergraph', SUPERGRAPH_PATH, '--config-path', path.join(__dirname, 'hive-gateway.config.ts'), '--host', '127.0.0.1', '--port', String(options.port)],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout!, child.stderr!]) readline.createInterface({ input: stream }).on('line', (line) => options.onLog(formatLine('hive-gateway', line)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`hive-gateway exited with code ${child.exitCode}`);
        const response = await fetch(`${base}/readiness`, { signal: AbortSignal.timeout(2_000) });
        return response.ok;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'hive-gateway to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${base}/graphql`, stop };
}
