import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type DynamicModule, Global, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { openServiceDatabase } from '@offboarding/persistence';
import { DEVELOPMENT_INTERNAL_TOKEN, loadServiceConfig, OrganizationExportModule, SERVICE_CONFIG } from '@offboarding/platform';
import { LocalDirectoryStorage, type StoredObject } from '@offboarding/storage';
import { entities } from '../apps/entitlements/src/entities';
import { migrations } from '../apps/entitlements/src/migrations';
import { type CollectionSource, type ExportManifest, writeExportArchive } from '../apps/retention/src/exports/export-archive';
import { ServiceCollectionsClient } from '../apps/retention/src/exports/service-collections';
import { loadRetentionConfig } from '../apps/retention/src/shared/retention-config';

// The data export of one organization, both halves of the product's path: the entitlements
// service's internal export endpoint (the platform's OrganizationExportModule, mounted by every
// subgraph) over a given schema, and retention's pipeline (ServiceCollectionsClient →
// writeExportArchive → LocalDirectoryStorage). The data-export scenario runs it in its own process,
// and as a child (`node -r tools/register.js bench/export-worker.ts '<job json>'`) once per size,
// so the peak RSS reported is the export's alone.

@Global()
@Module({})
class ServiceDataSourceModule {
  static of(dataSource: DataSource): DynamicModule {
    // The endpoint's guard reads the internal token from the service's config, as in the service.
    const config = loadServiceConfig('entitlements', { NODE_ENV: 'development' });
    return {
      module: ServiceDataSourceModule,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: SERVICE_CONFIG, useValue: config },
      ],
      exports: [DataSource, SERVICE_CONFIG],
    };
  }
}

/** The service side: the real export controller over the service's DataSource, on a loopback port. */
export async function serveExportEndpoint(dataSource: DataSource): Promise<{ baseUrl: string; app: INestApplication }> {
  @Module({ imports: [ServiceDataSourceModule.of(dataSource), OrganizationExportModule] })
  class EntitlementsExportModule {}
  // abortOnError: false, so a module that cannot be built is an error the scenario reports, not a silent exit.
  const app = await NestFactory.create(EntitlementsExportModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { baseUrl: `http://127.0.0.1:${port}`, app };
}

/**
 * Retention's side, as DataExportService.build runs it for one service: the collection summary,
 * then every collection streamed into the ZIP while storage writes it. Retention's own audit
 * trail is left out: it lives in the retention service's database, not in this organization's
 * entitlements data.
 */
export async function exportOrganization(
  baseUrl: string,
  organizationId: string,
  storage: LocalDirectoryStorage,
  key: string,
): Promise<{ manifest: ExportManifest; stored: StoredObject }> {
  const config = { ...loadRetentionConfig({}), internalUrls: { entitlements: baseUrl, provisioning: baseUrl, identity: baseUrl } };
  const client = new ServiceCollectionsClient(config, DEVELOPMENT_INTERNAL_TOKEN);
  async function* sources(): AsyncGenerator<CollectionSource> {
    const summary = await client.summary('entitlements', organizationId);
    for (const collection of Object.keys(summary).sort()) {
      yield { service: 'entitlements', collection, columns: summary[collection].columns, rows: () => client.rows('entitlements', organizationId, collection) };
    }
  }
  const abort = new AbortController();
  const archive = writeExportArchive(sources(), { exportId: key, organizationId, now: new Date(), signal: abort.signal });
  const stored = storage.put(key, archive.stream).catch((error: unknown) => {
    abort.abort(error);
    throw error;
  });
  const [object, manifest] = await Promise.all([stored, archive.manifest]);
  return { manifest, stored: object };
}

export interface ExportJob {
  /** postgres:// URL of the server (or of the bench's embedded PGlite socket). */
  url: string;
  schema: string;
  organizationId: string;
  storageDir: string;
  poolSize: number;
}

export interface ExportRun {
  ms: number;
  manifest: ExportManifest;
  zipBytes: number;
  zipFile: string;
  /** The kernel's high-water mark of this process's resident set (VmHWM). */
  peakRssBytes: number;
}

/** VmHWM from /proc (the true peak); elsewhere the highest RSS sampled. */
function peakRss(sampled: number): number {
  try {
    const line = /^VmHWM:\s+(\d+)\s+kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (line) return Number(line[1]) * 1024;
  } catch {
    // not Linux
  }
  return sampled;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as ExportJob;
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 50);
  const db = await openServiceDatabase({
    service: 'entitlements',
    schema: job.schema,
    entities,
    migrations,
    migrate: false,
    target: { kind: 'postgres', url: job.url },
    poolSize: job.poolSize,
  });
  const { baseUrl, app } = await serveExportEndpoint(db.dataSource);
  try {
    const storage = new LocalDirectoryStorage(job.storageDir);
    const key = `data-exports/${job.organizationId}/export.zip`;
    const started = performance.now();
    const { manifest, stored } = await exportOrganization(baseUrl, job.organizationId, storage, key);
    const ms = performance.now() - started;
    clearInterval(sampler);
    const run: ExportRun = { ms, manifest, zipBytes: stored.size, zipFile: path.join(job.storageDir, ...key.split('/')), peakRssBytes: peakRss(sampled) };
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } finally {
    await app.close();
    await db.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
