import { type DynamicModule, type INestApplication, Module, type NestApplicationOptions, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { graphql } from 'graphql';
import type { Logger } from 'pino';
import type { RunMode, ServiceConfig } from '../config/service-config';
import { NestPinoLogger } from './nest-logger';
import { JobScheduler, type ScheduledJobInfo } from '../jobs/job-scheduler';
import { Metrics } from '../observability/metrics';
import { shutdownTracing, tracingMiddleware } from '../observability/tracing';
import { ServiceRuntime } from './service-runtime';
import { LOGGER, RUN_MODE, SERVICE_CONFIG } from './tokens';

/**
 * main.ts of every subgraph: serve, or with `run-job <name>` run one scheduled job and exit
 * (Kubernetes CronJobs); report why not and exit non-zero.
 */
export function runSubgraph(appModule: Type<unknown>, argv: string[] = process.argv.slice(2)): void {
  const started = argv[0] === 'run-job' ? runJobOnce(appModule, argv[1]) : bootstrapSubgraph(appModule);
  started.catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', error: message })}\n`);
    process.exit(1);
  });
}

@Module({})
class RunModeModule {}

/**
 * The application module started in one run mode: a global root module provides RUN_MODE, which
 * PlatformModule applies to SERVICE_CONFIG (`config.run`); every module reads the mode there.
 */
export function inRunMode(appModule: Type<unknown>, mode: RunMode): DynamicModule {
  return { module: RunModeModule, global: true, imports: [appModule], providers: [{ provide: RUN_MODE, useValue: mode }], exports: [RUN_MODE] };
}

/** Request bodies a subgraph reads: a 1 MB document's text, as the gateway forwards it, fits. */
export const SUBGRAPH_BODY_LIMIT = '2mb';

/**
 * A subgraph application: JSON bodies up to SUBGRAPH_BODY_LIMIT (Express's default of 100 kB would
 * refuse a document the API accepts) and nothing else, client addresses from the proxies
 * TRUST_PROXY names; not yet listening.
 */
export async function createSubgraphApp(appModule: Type<unknown>, options: NestApplicationOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(inRunMode(appModule, 'serve'), { ...options, bodyParser: false });
  app.useBodyParser('json', { limit: SUBGRAPH_BODY_LIMIT });
  // The client's address is what the gateway forwards; sign-in throttling counts per address.
  app.set('trust proxy', app.get<ServiceConfig>(SERVICE_CONFIG).trustProxy);
  return app;
}

/** Builds the application, listens, and shuts down gracefully on SIGTERM/SIGINT. */
export async function bootstrapSubgraph(appModule: Type<unknown>): Promise<INestApplication> {
  const app = await createSubgraphApp(appModule, { bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  app.useLogger(new NestPinoLogger(logger));
  stopOnSignals(app, logger);
  // Every request runs in a server span that continues the caller's trace, and is counted.
  app.use(tracingMiddleware(config.service));
  app.use(app.get(Metrics).httpMiddleware());
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, graphql: `http://localhost:${config.port}/graphql` }, 'subgraph ready');
  return app;
}

/**
 * SIGTERM / SIGINT: drain, stop accepting, let requests in flight and the message being handled
 * finish, commit offsets, flush the outbox, close the database, exit 0. A second signal exits at
 * once with 1. Started by `npm start`'s supervisor, the service also stops when the supervisor is
 * gone (its IPC channel closed).
 */
function stopOnSignals(app: INestApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'supervisor gone') => {
    if (stopping) {
      if (signal === 'supervisor gone') return;
      logger.warn({ signal }, 'second signal: exiting without finishing');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => shutdownTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.connected) process.once('disconnect', () => stop('supervisor gone'));
}

/**
 * One-shot mode: starts the service without listening or consuming, runs one job under its
 * advisory lock, publishes the events it wrote, and exits 0 (done or skipped) or 1 (failed).
 */
export async function runJobOnce(appModule: Type<unknown>, name: string | undefined): Promise<void> {
  const app = await NestFactory.create(inRunMode(appModule, 'job'), { bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new NestPinoLogger(logger));
  let failed = true;
  try {
    await app.init();
    const scheduler = app.get(JobScheduler);
    if (!name) throw new Error(`usage: run-job <name>; jobs: ${scheduler.names().join(', ')}`);
    const report = await scheduler.run(name, 'CRON');
    const published = await app.get(ServiceRuntime).flushOutbox();
    logger.info({ ...report, published }, 'run-job finished');
    failed = report.status === 'FAILED';
  } finally {
    await app.close();
  }
  process.exitCode = failed ? 1 : 0;
}

/**
 * The scheduled jobs the service registers, from an instance without database or messaging:
 * what the Kubernetes CronJobs must run (the manifests test compares them).
 */
export async function describeScheduledJobs(appModule: Type<unknown>): Promise<ScheduledJobInfo[]> {
  const app = await NestFactory.create(inRunMode(appModule, 'schema-only'), { logger: false });
  try {
    await app.init();
    return app.get(JobScheduler).describe();
  } finally {
    await app.close();
  }
}

/**
 * The subgraph's federation SDL, as a gateway would fetch it (`_service { sdl }`), from an
 * instance with neither a database connection nor messaging. Used to compose the supergraph.
 */
export async function printSubgraphSdl(appModule: Type<unknown>): Promise<string> {
  const app = await NestFactory.create(inRunMode(appModule, 'schema-only'), { logger: false });
  try {
    await app.init();
    const { schema } = app.get(GraphQLSchemaHost);
    const result = await graphql({ schema, source: '{ _service { sdl } }' });
    const data = result.data as { _service?: { sdl?: string } } | null | undefined;
    if (result.errors?.length || !data?._service?.sdl) {
      throw new Error(`could not read the subgraph SDL: ${result.errors?.map((e) => e.message).join('; ')}`);
    }
    return data._service.sdl;
  } finally {
    await app.close();
  }
}
