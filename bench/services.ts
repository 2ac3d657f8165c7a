import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type DynamicModule, Global, type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { ServiceName } from '@offboarding/contracts';
import { logLevel } from 'kafkajs';
import { type ConsumerOutcome, createKafka, Outbox, UnitOfWork } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import {
  AccessTokenVerifier,
  Clock,
  createLogger,
  EventHandlerRegistry,
  HttpMaskingKeys,
  JobScheduler,
  JwksAccessTokenVerifier,
  LOGGER,
  loadServiceConfig,
  MaskingKeys,
  Metrics,
  OffsetClock,
  SERVICE_CONFIG,
  SERVICE_DATABASE,
  ServiceRuntime,
} from '@offboarding/platform';
import { EntitlementsModule } from '../apps/entitlements/src/entitlements/entitlements.module';
import { entities as entitlementsEntities } from '../apps/entitlements/src/entities';
import { migrations as entitlementsMigrations } from '../apps/entitlements/src/migrations';
import { OrganizationsModule as EntitlementsOrganizationsModule } from '../apps/entitlements/src/organizations/organizations.module';
import { entities as provisioningEntities } from '../apps/provisioning/src/entities';
import { EntitlementLifecycleModule } from '../apps/provisioning/src/lifecycle/entitlement-lifecycle.module';
import { migrations as provisioningMigrations } from '../apps/provisioning/src/migrations';
import { ProvisioningPoliciesModule } from '../apps/provisioning/src/policies/provisioning-policies.module';
import { PrivacyModule as ProvisioningPrivacyModule } from '../apps/provisioning/src/privacy/privacy.module';
import { AuditTrailModule } from '../apps/retention/src/audit-trail/audit-trail.module';
import { entities as retentionEntities } from '../apps/retention/src/entities';
import { migrations as retentionMigrations } from '../apps/retention/src/migrations';
import { RetentionModule } from '../apps/retention/src/retention.module';
import type { BenchContext } from './harness';

// The services booted in this process as they run: each service's own feature modules (domain
// services, event wiring) over the platform's ServiceRuntime — its database in a schema of its
// own, the outbox relay woken after every commit, the inbox consumer on the bench's broker.
//
// Only the GraphQL endpoint is left out: @nestjs/graphql keeps one process-wide type registry, so
// two subgraphs in one process would both declare `Organization`. The scenarios call the services'
// methods, which is what the resolvers do after authorization.

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export type StackService = 'entitlements' | 'provisioning' | 'retention';

/** The feature modules each app module imports next to PlatformModule.forSubgraph. */
const SERVICES: Record<StackService, { entities: unknown[]; migrations: unknown[]; modules: Type<unknown>[] }> = {
  entitlements: { entities: entitlementsEntities, migrations: entitlementsMigrations, modules: [EntitlementsOrganizationsModule, EntitlementsModule] },
  provisioning: { entities: provisioningEntities, migrations: provisioningMigrations, modules: [ProvisioningPoliciesModule, EntitlementLifecycleModule, ProvisioningPrivacyModule] },
  retention: { entities: retentionEntities, migrations: retentionMigrations, modules: [AuditTrailModule, RetentionModule] },
};

export type AppliedListener = (type: string) => void;

/** The platform's Metrics, also telling the bench about every event the consumer applied (after its commit). */
class ObservedMetrics extends Metrics {
  readonly listeners = new Set<AppliedListener>();
  override outcome(type: string, outcome: ConsumerOutcome): void {
    super.outcome(type, outcome);
    if (outcome === 'applied') for (const listener of this.listeners) listener(type);
  }
}

/**
 * PlatformModule.forSubgraph's providers without the GraphQL module and HTTP controllers: the
 * same ServiceRuntime, UnitOfWork (waking the runtime's relay), Outbox, scheduler and registry.
 */
@Global()
@Module({})
class HeadlessPlatformModule {
  static for(service: ServiceName, database: ServiceDatabase, metrics: Metrics): DynamicModule {
    const config = loadServiceConfig(service);
    const clock = new OffsetClock();
    return {
      module: HeadlessPlatformModule,
      providers: [
        { provide: AccessTokenVerifier, useValue: new JwksAccessTokenVerifier('http://127.0.0.1:1/.well-known/jwks.json') },
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger(service, 'silent') },
        { provide: SERVICE_DATABASE, useValue: database },
        { provide: DataSource, useValue: database.dataSource },
        { provide: Clock, useValue: clock },
        { provide: Metrics, useValue: metrics },
        JobScheduler,
        { provide: MaskingKeys, useValue: new HttpMaskingKeys(config.maskingKeys) },
        { provide: Outbox, useValue: new Outbox(service, () => clock.now()) },
        EventHandlerRegistry,
        ServiceRuntime,
        {
          provide: UnitOfWork,
          useFactory: (dataSource: DataSource, outbox: Outbox, runtime: ServiceRuntime) => new UnitOfWork(dataSource, outbox, runtime.relay),
          inject: [DataSource, Outbox, ServiceRuntime],
        },
      ],
      exports: [SERVICE_CONFIG, LOGGER, DataSource, Clock, Outbox, UnitOfWork, EventHandlerRegistry, ServiceRuntime, JobScheduler, MaskingKeys, Metrics, AccessTokenVerifier],
    };
  }
}

export interface ServiceStack {
  app(service: StackService): INestApplicationContext;
  dataSource(service: StackService): DataSource;
  /** `"schema".table` of a service's table. */
  table(service: StackService, table: string): string;
  /** Calls `listener` after each event the service's consumer applied and committed (inbox row and effect). */
  onApplied(service: StackService, listener: AppliedListener): () => void;
  close(): Promise<void>;
}

/**
 * Boots `services` on the bench's broker and database server: a schema of their own on
 * PostgreSQL, an in-memory PGlite each when embedded (as `npm start` gives each service its own).
 */
export async function startServices(context: BenchContext, services: StackService[]): Promise<ServiceStack> {
  const storageDir = await mkdtemp(path.join(tmpdir(), 'bench-stack-'));
  // Read by the services' configuration when they start, as in production.
  const restoreEnv = setEnv({
    KAFKA_BROKERS: context.kafkaBrokers,
    // Scheduled jobs would run on their own timers and compete with what is measured.
    SCHEDULER_INTERVAL_MS: '0',
    STORAGE_DIR: storageDir,
    DATA_DIR: storageDir,
  });
  const apps = new Map<StackService, { app: INestApplicationContext; database: ServiceDatabase; metrics: ObservedMetrics }>();
  const entry = (service: StackService) => {
    const found = apps.get(service);
    if (!found) throw new Error(`${service} is not part of this stack`);
    return found;
  };
  const stack: ServiceStack = {
    app: (service) => entry(service).app,
    dataSource: (service) => entry(service).database.dataSource,
    table: (service, table) => `"${entry(service).database.schema}".${table}`,
    onApplied(service, listener) {
      const { listeners } = entry(service).metrics;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      // Consumers stop and relays flush before any database goes away (the runtime closes its own last).
      for (const { app } of [...apps.values()].reverse()) await app.close();
      apps.clear();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
  try {
    for (const service of services) {
      const { entities, migrations, modules } = SERVICES[service];
      const opened = await openServiceDatabase({
        service,
        schema: `bench_${service}_${randomBytes(4).toString('hex')}`,
        entities: entities as never,
        migrations: migrations as never,
        migrate: true,
        target: context.database.kind === 'postgres' ? context.database : { kind: 'embedded', dataDir: null },
      });
      // The runtime closes the database on shutdown; on a shared server the schema goes with it.
      const database: ServiceDatabase = {
        ...opened,
        async close() {
          if (opened.target.kind === 'postgres' && opened.dataSource.isInitialized) await opened.dataSource.query(`DROP SCHEMA "${opened.schema}" CASCADE`);
          await opened.close();
        },
      };
      const metrics = new ObservedMetrics(service);
      @Module({ imports: [HeadlessPlatformModule.for(service, database, metrics), ...modules] })
      class ServiceModule {}
      const app = await NestFactory.createApplicationContext(ServiceModule, { logger: false }).catch(async (error: unknown) => {
        await database.close();
        throw error;
      });
      apps.set(service, { app, database, metrics });
    }
    await caughtUp(context, [...apps].map(([service, { app }]) => ({ groupId: `offboarding.${service}`, topics: app.get(EventHandlerRegistry).topics(service) })));
  } catch (error) {
    await stack.close().catch(() => undefined);
    throw error;
  } finally {
    restoreEnv();
  }
  return stack;
}

/**
 * Waits until every consumer group has committed the end of its topics. The topics and group ids
 * are the product's own, so on a broker an earlier stack used, a service whose group is new
 * starts by applying that stack's events; counted as this stack's, they would end a measurement
 * early. Start-up only, so polling the committed offsets costs no measurement anything.
 */
async function caughtUp(context: BenchContext, groups: { groupId: string; topics: string[] }[]): Promise<void> {
  const kafka = createKafka({ clientId: 'bench-stack', brokers: [context.kafkaBrokers], logger: silent, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (const { groupId, topics } of groups.filter((group) => group.topics.length > 0)) {
      for (;;) {
        const committed = await admin.fetchOffsets({ groupId, topics });
        let behind = 0;
        for (const { topic, partitions } of committed) {
          for (const end of await admin.fetchTopicOffsets(topic)) {
            const done = partitions.find((partition) => partition.partition === end.partition);
            behind += Math.max(0, Number(end.high) - Math.max(Number(end.low), Number(done?.offset ?? -1)));
          }
        }
        if (behind === 0) break;
        if (Date.now() > deadline) throw new Error(`${groupId} did not catch up with ${topics.join(', ')} (${behind} messages behind)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function setEnv(values: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Resolves once `count` events (of `types`, when given) were applied by `service`, counting from now. */
export function appliedCount(stack: ServiceStack, service: StackService, count: number, types?: readonly string[]): { done: Promise<void>; seen(): number } {
  const watch = watchApplied(stack, service, types);
  return { done: watch.reach(count).finally(() => watch.stop()), seen: watch.seen };
}

/** Counts the events (of `types`, when given) `service` applies from now on; `reach(n)` resolves once n were. */
export function watchApplied(stack: ServiceStack, service: StackService, types?: readonly string[]) {
  let seen = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const stop = stack.onApplied(service, (type) => {
    if (types && !types.includes(type)) return;
    seen += 1;
    for (const waiter of waiting.filter((w) => w.count <= seen)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    seen: () => seen,
    stop,
    reach(count: number): Promise<void> {
      if (count <= seen) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.push({ count, resolve }));
    },
  };
}
