import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { ServiceName } from '@offboarding/contracts';
import { IdempotencyKeys, Outbox, UnitOfWork } from '@offboarding/messaging';
import { openServiceDatabase, type ServiceDatabase, type ServiceDatabaseOptions } from '@offboarding/persistence';
import { AccessGuard } from '../auth/access.guard';
import { AccessTokenVerifier, JwksAccessTokenVerifier, withSessionCheck } from '../auth/access-token';
import { httpRevocationFeed, RevocationList } from '../auth/revocation-list';
import { readServiceConfig, type RunMode, type ServiceConfig, withRunMode } from '../config/service-config';
import { DomainErrorFilter } from '../errors/domain-error.filter';
import { createGraphQLErrorFormatter } from '../errors/format-graphql-error';
import { retryAfterPlugin } from '../errors/retry-after';
import { checkTextInputs } from '../graphql/text-input';
import { createLogger } from '../logging/logger';
import { JobScheduler } from '../jobs/job-scheduler';
import { JobsController } from '../jobs/jobs.controller';
import { HttpMaskingKeys } from '../privacy/http-masking-keys';
import { MaskingKeys } from '../privacy/masking';
import { Clock, OffsetClock, SystemClock } from '../time/clock';
import { OffsetFile } from '../time/offset-file';
import { OrganizationExportModule } from '../export/organization-export.module';
import { DevToolsController } from './dev-tools.controller';
import { Metrics } from '../observability/metrics';
import { MetricsController } from '../observability/metrics.controller';
import { operationLogPlugin } from '../observability/operation-log';
import { initTracing } from '../observability/tracing';
import { internalAuthHeaders } from '../auth/internal-token';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IdempotencyKeyPruning, idempotencyPolicy } from '../idempotency/idempotency-policy';
import { EventHandlerRegistry } from './event-handler-registry';
import { HealthController } from './health.controller';
import { RevocationPolling } from './revocation-polling';
import { SERVICE_DATABASE, ServiceRuntime } from './service-runtime';
import { LOGGER, RUN_MODE, SERVICE_CONFIG } from './tokens';

export interface SubgraphModuleOptions {
  service: ServiceName;
  entities: ServiceDatabaseOptions['entities'];
  migrations: ServiceDatabaseOptions['migrations'];
  /**
   * Entity stubs this subgraph extends (`Organization @key(fields: "id")`) but no root field
   * returns; without this the schema builder would drop them.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the schema builder's own type
  entityStubs?: Function[];
  /**
   * How this service verifies access tokens. Default: the identity service's JWKS
   * (IDENTITY_JWKS_URL, or derived from IDENTITY_URL); the identity service passes its own keys.
   */
  accessTokens?: AccessTokenVerifier;
  /**
   * Where revoked sessions are read from. Default: identity's revocation feed over HTTP (the one
   * the gateway polls); the identity service reads its own database (`RevocationList.useFeed`).
   */
  revocationFeed?: 'identity-http' | 'set-by-the-service';
}

/**
 * Everything a subgraph service shares with the others: validated config, JSON logger, its own
 * database, the outbox and relay, the event consumer, health probes and the federated GraphQL
 * endpoint at /graphql. Feature modules inject DataSource, UnitOfWork, Clock and the registry.
 */
@Global()
@Module({})
export class PlatformModule {
  static forSubgraph(options: SubgraphModuleOptions): DynamicModule {
    // Read once, when the application module is loaded; the run mode bootstrap chose is applied
    // (and checked: production serving needs PostgreSQL and INTERNAL_API_TOKEN) when the
    // application is created, as SERVICE_CONFIG.
    const config = readServiceConfig(options.service);
    const logger = createLogger(options.service, config.logLevel);
    initTracing(options.service);
    // Outside production the clock can be moved forward; the offset is kept under DATA_DIR so a
    // restarted stack stays at the time its data was written at.
    const clock = config.nodeEnv === 'production' ? new SystemClock() : new OffsetClock(new SystemClock(), config.devClockFile ? new OffsetFile(config.devClockFile) : null);
    const metrics = new Metrics(options.service);
    const accessTokens = options.accessTokens ?? new JwksAccessTokenVerifier(config.identity.jwksUrl);
    // Subgraphs refuse revoked sessions too, not only the gateway: they may be reached directly.
    const revocations = new RevocationList(
      options.revocationFeed === 'set-by-the-service' ? null : httpRevocationFeed(config.identity.revocationFeedUrl, () => internalAuthHeaders(config.internalApiToken)),
      config.revocationPollIntervalMs,
      logger,
    );
    return {
      module: PlatformModule,
      imports: [
        GraphQLModule.forRoot<ApolloFederationDriverConfig>({
          driver: ApolloFederationDriver,
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          buildSchemaOptions: { orphanedTypes: options.entityStubs ?? [] },
          path: '/graphql',
          csrfPrevention: true,
          // Traces go through OpenTelemetry, not Apollo's per-request inline format.
          plugins: [ApolloServerPluginInlineTraceDisabled(), metrics.apolloPlugin(), operationLogPlugin(logger), retryAfterPlugin()],
          introspection: config.nodeEnv !== 'production',
          includeStacktraceInErrorResponses: false,
          formatError: createGraphQLErrorFormatter(logger),
          // Guards run on field and reference resolvers too, so no field escapes its access rule.
          fieldResolverEnhancers: ['guards'],
          // Every text argument and input field is checked and normalized once, before any resolver.
          transformSchema: checkTextInputs,
          // Every request is authenticated here once; the access guard and @CurrentCaller() read the result.
          context: async ({ req }: { req: { headers?: Record<string, string | string[] | undefined> } }) => ({
            req,
            ...withSessionCheck(await accessTokens.authenticate(req.headers?.authorization), revocations),
          }),
        }),
        OrganizationExportModule,
      ],
      // The clock and job controls exist only outside production.
      controllers:
        config.nodeEnv === 'production'
          ? [HealthController, MetricsController, JobsController]
          : [HealthController, MetricsController, JobsController, DevToolsController],
      providers: [
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
        // A malformed id is the caller's mistake: BAD_USER_INPUT, before any lookup.
        // Every mutation honours an Idempotency-Key (recorded by the unit of work below).
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: AccessTokenVerifier, useValue: accessTokens },
        { provide: RevocationList, useValue: revocations },
        RevocationPolling,
        {
          provide: SERVICE_CONFIG,
          useFactory: (mode: RunMode | undefined) => withRunMode(config, mode ?? 'serve'),
          inject: [{ token: RUN_MODE, optional: true }],
        },
        { provide: LOGGER, useValue: logger },
        {
          provide: SERVICE_DATABASE,
          useFactory: (running: ServiceConfig): Promise<ServiceDatabase> =>
            running.run.mode === 'schema-only'
              ? Promise.resolve(unopenedDatabase(options))
              : openServiceDatabase({
                  service: options.service,
                  target: running.database.target,
                  entities: options.entities,
                  migrations: options.migrations,
                  migrate: running.database.migrateOnStart,
                  // Production leaves migrations to their Job and must not start before it ran.
                  requireMigrated: true,
                }),
          inject: [SERVICE_CONFIG],
        },
        { provide: DataSource, useFactory: (db: ServiceDatabase) => db.dataSource, inject: [SERVICE_DATABASE] },
        { provide: Clock, useValue: clock },
        { provide: Metrics, useValue: metrics },
        JobScheduler,
        { provide: MaskingKeys, useValue: new HttpMaskingKeys(config.maskingKeys) },
        { provide: Outbox, useValue: new Outbox(options.service, () => clock.now()) },
        EventHandlerRegistry,
        ServiceRuntime,
        { provide: IdempotencyKeys, useValue: new IdempotencyKeys(() => clock.now()) },
        IdempotencyKeyPruning,
        {
          provide: UnitOfWork,
          useFactory: (dataSource: DataSource, outbox: Outbox, runtime: ServiceRuntime, keys: IdempotencyKeys) =>
            new UnitOfWork(dataSource, outbox, runtime.relay, { idempotency: { policy: idempotencyPolicy(config.idempotencyKeyTtlHours, logger), keys } }),
          inject: [DataSource, Outbox, ServiceRuntime, IdempotencyKeys],
        },
      ],
      exports: [
        SERVICE_CONFIG,
        LOGGER,
        DataSource,
        Clock,
        Outbox,
        UnitOfWork,
        EventHandlerRegistry,
        ServiceRuntime,
        JobScheduler,
        MaskingKeys,
        Metrics,
        AccessTokenVerifier,
        RevocationList,
      ],
    };
  }
}

/** A database that is never connected: printing the GraphQL schema needs the types, not the data. */
function unopenedDatabase(options: SubgraphModuleOptions): ServiceDatabase {
  const dataSource = new DataSource({ type: 'postgres', schema: options.service, entities: options.entities });
  return {
    dataSource,
    schema: options.service,
    target: { kind: 'embedded', dataDir: null },
    close: () => Promise.resolve(),
  };
}

export type { Logger, ServiceConfig };
