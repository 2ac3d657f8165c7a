import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServiceName } from '@offboarding/contracts';

// What the images, docker/compose.yml and k8s/ rely on from the code, in one place for their tests.

export const root = path.resolve(__dirname, '../..');

export const SUBGRAPHS = Object.values(ServiceName);

/** Every server app under apps/: each needs an image and a deployment. */
export function appNames(): string[] {
  return fs
    .readdirSync(path.join(root, 'apps'), { withFileTypes: true })
    // Deployable apps run a server (src/main.ts); the console is static files the gateway serves.
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, 'apps', entry.name, 'src/main.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Scheduled jobs and their schedules (five-field cron, UTC), run once by
 * `node dist/apps/<svc>/src/main.js run-job <job>` (the Kubernetes CronJobs). Job names are part
 * of the CLI contract between the services and the manifests; the schedules are what each job
 * declares (monitoring's "on schedule"). scheduled-jobs.int-spec.ts checks the services register
 * exactly these, k8s-manifests.int-spec.ts that the CronJobs run exactly these.
 */
export const SCHEDULED_JOBS: Readonly<Record<ServiceName, Readonly<Record<string, string>>>> = {
  entitlements: { 'grace-period-sweep': '15 * * * *', 'offboarding-day-zero': '5 * * * *', 'organization-purge': '*/10 * * * *', 'prune-tables': '20 * * * *', 'idempotency-key-prune': '40 * * * *' },
  provisioning: { 'environment-teardown': '30 * * * *', 'organization-purge': '*/10 * * * *', 'prune-tables': '20 * * * *', 'idempotency-key-prune': '40 * * * *' },
  identity: { 'organization-purge': '*/10 * * * *', 'reencrypt-sso-secrets': '30 3 * * *', 'prune-tables': '20 * * * *', 'idempotency-key-prune': '40 * * * *' },
  retention: { 'timeline-tick': '*/15 * * * *', purge: '*/10 * * * *', 'prune-tables': '20 * * * *', 'idempotency-key-prune': '40 * * * *' },
};

export const entryPoint = (app: string, file: 'main' | 'migrate') => `dist/apps/${app}/src/${file}.js`;

/**
 * Environment a deployed service must be given explicitly, because the default is only right on
 * a developer's machine: an embedded database, a broker on localhost, subgraphs on localhost.
 */
export function requiredEnv(app: string, workload: 'server' | 'migration' = 'server'): string[] {
  if (app === 'gateway') return ['NODE_ENV', 'INTERNAL_API_TOKEN', ...SUBGRAPHS.map((name) => `${name.toUpperCase()}_URL`)];
  const database = ['NODE_ENV', `${app.toUpperCase()}_DATABASE_URL`];
  if (workload === 'migration') return database;
  const common = [...database, 'KAFKA_BROKERS', 'DB_MIGRATE_ON_START', 'INTERNAL_API_TOKEN', 'IDENTITY_URL'];
  // Identity hands out password-setup links, provisioning tracking links and environment-export
  // downloads: all on the public origin (PUBLIC_BASE_URL), downloads signed.
  if (app === 'identity') return [...common, 'RETENTION_INTERNAL_URL', 'JWT_SIGNING_KEYS', 'ENCRYPTION_KEYS', 'PUBLIC_BASE_URL'];
  if (app === 'provisioning') return [...common, 'RETENTION_INTERNAL_URL', 'PUBLIC_BASE_URL', 'EXPORT_URL_SECRET'];
  if (app !== 'retention') return [...common, 'RETENTION_INTERNAL_URL'];
  // Retention gathers exports from the others, signs download links and stores archives.
  return [
    ...common,
    'EXPORT_URL_SECRET',
    'PUBLIC_BASE_URL',
    'STORAGE_DRIVER',
    ...SUBGRAPHS.filter((name) => name !== 'retention').map((name) => `${name.toUpperCase()}_INTERNAL_URL`),
  ];
}

export const HEALTH = { live: '/health/live', ready: '/health/ready' } as const;
