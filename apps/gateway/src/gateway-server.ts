import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApolloGateway, type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import {
  SystemClock,
  injectTraceContext,
  internalAuthHeaders,
  JwksAccessTokenVerifier,
  Metrics,
  operationLogPlugin,
  REQUEST_ID_HEADER,
  requestIdFrom,
  tracingMiddleware,
} from '@offboarding/platform';
import { authenticateRequests, type RequestAuth } from './gateway-auth';
import { queryLimitRules } from './query-limits';
import { createCallerRateLimit, LocalRateLimit } from './rate-limiter';
import { RevocationList } from './revocation-list';
import { DEFAULT_SUBGRAPH_URLS, type GatewayConfig, SUBGRAPH_NAMES, type SubgraphName } from './gateway-config';
import { buildDevSchema, DEV_SUBGRAPH_NAME, DEV_SUBGRAPH_PATH, type ServiceBaseUrls } from './dev-tools';
import { buildOperationsSchema, OPERATIONS_SUBGRAPH_NAME, OPERATIONS_SUBGRAPH_PATH } from './operations';

const systemClock = new SystemClock();

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Reads the revocation feed now instead of at the next poll. */
  refreshRevocations(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Forwards the caller's verified access token, so every subgraph can verify it again, with the
 * request id and the trace context, so logs and traces follow the request into the subgraphs.
 */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<RequestAuth> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RequestAuth>): void {
    if (!request.http) return;
    // Health checks of the gateway itself run without a request context.
    const { authorization, requestId } = context as Partial<RequestAuth>;
    if (typeof authorization === 'string') request.http.headers.set('authorization', authorization);
    if (requestId) request.http.headers.set(REQUEST_ID_HEADER, requestId);
    injectTraceContext(request.http.headers);
  }
}

/** Keeps the code of our own validation rules (Apollo reports them all as GRAPHQL_VALIDATION_FAILED). */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const limit = formatted.extensions?.limit;
  if (typeof limit === 'string') return { message: formatted.message, locations: formatted.locations, extensions: { code: limit } };
  return formatted;
}

/**
 * Apollo Gateway over the supergraph composed at build time (never runtime introspection),
 * with health probes beside /graphql. Every request is authenticated (JWKS-verified access token,
 * revocation list, per-caller rate limit) and validated against depth, alias and cost limits
 * before a subgraph sees it; subgraphs get the token and verify it themselves.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const hasDevSubgraph = supergraphSdl.includes(`name: "${DEV_SUBGRAPH_NAME}"`);
  if (hasDevSubgraph && !config.devTools) {
    throw new Error(`${config.supergraphPath} contains the dev subgraph; production serves supergraph.graphql`);
  }
  const app = express();
  // Behind an ingress the client is in X-Forwarded-For; believed only from the proxies named here.
  app.set('trust proxy', config.trustProxy);
  const metrics = new Metrics('gateway');
  // Every request runs in a server span that continues the caller's trace, and is counted.
  app.use(tracingMiddleware('gateway'));
  app.use(metrics.httpMiddleware());
  const httpServer = http.createServer(app);
  // Listen first: the dev subgraph is served by this process, so its URL needs the real port.
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;

  const subgraphUrl = (name: string, url: string | undefined): string => {
    if (name === DEV_SUBGRAPH_NAME) return `http://127.0.0.1:${port}${DEV_SUBGRAPH_PATH}`;
    if (name === OPERATIONS_SUBGRAPH_NAME) return `http://127.0.0.1:${port}${OPERATIONS_SUBGRAPH_PATH}`;
    return config.subgraphUrls[name as SubgraphName] ?? url ?? '';
  };
  const verifier = new JwksAccessTokenVerifier(config.jwksUrl);
  const revocations = new RevocationList(
    `${config.identityBaseUrl}/internal/revoked-sessions`,
    // In production without INTERNAL_API_TOKEN every poll fails saying so, and authenticated requests get 503.
    () => internalAuthHeaders({ NODE_ENV: config.nodeEnv, INTERNAL_API_TOKEN: config.internalApiToken ?? undefined }),
    config.revocationPollIntervalMs,
    logger,
  );
  await revocations.start();
  const limiter = await createCallerRateLimit(config.rateLimit, logger);

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new AuthenticatedDataSource({ url: subgraphUrl(name, url) }),
  });
  const production = config.nodeEnv === 'production';
  const server = new ApolloServer<RequestAuth>({
    gateway,
    csrfPrevention: true,
    introspection: !production,
    // No "Did you mean ...?" hints that would map the schema for a caller in production.
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    validationRules: queryLimitRules(config.queryLimits),
    formatError: formatGatewayError,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), metrics.apolloPlugin(), operationLogPlugin(logger)],
    logger,
  });

  const bases = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, (config.subgraphUrls[name] ?? DEFAULT_SUBGRAPH_URLS[name]).replace(/\/graphql\/?$/, '')]),
  ) as ServiceBaseUrls;
  // The operations subgraph (scheduled jobs and their runs) is served by this process, in production too.
  const operationsServer = new ApolloServer<RequestAuth>({
    schema: buildOperationsSchema(bases, { NODE_ENV: config.nodeEnv, INTERNAL_API_TOKEN: config.internalApiToken ?? undefined }, () => systemClock.now().getTime()),
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    logger,
  });
  await operationsServer.start();
  app.use(
    OPERATIONS_SUBGRAPH_PATH,
    express.json({ limit: '100kb' }),
    // The caller was already counted by the outer request; this inner hop is not limited again.
    authenticateRequests(verifier, revocations, new LocalRateLimit(60_000, 10_000), logger),
    expressMiddleware(operationsServer, { context: ({ res }) => Promise.resolve(res.locals.auth as RequestAuth) }),
  );

  let devServer: ApolloServer<RequestAuth> | null = null;
  if (config.devTools) {
    const dev = new ApolloServer<RequestAuth>({ schema: buildDevSchema(bases), includeStacktraceInErrorResponses: false, logger });
    devServer = dev;
    await dev.start();
    // Reached through the gateway with the caller's token, or directly: either way the token is checked.
    const devLimiter = new LocalRateLimit(60_000, 10_000);
    app.use(
      DEV_SUBGRAPH_PATH,
      express.json({ limit: '100kb' }),
      authenticateRequests(verifier, revocations, devLimiter, logger),
      expressMiddleware(dev, { context: ({ res }) => Promise.resolve(res.locals.auth as RequestAuth) }),
    );
  }
  await server.start();

  let ready = true;
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Not tied to identity: with the revocation list not loaded yet, authenticated requests are
  // answered 503 one by one (fail closed) while anonymous ones (login) still work.
  app.get('/health/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'stopping', revocationListLoaded: revocations.ready });
  });
  // Data export downloads: the link is signed by retention and checked there; the gateway is
  // the only public entry, so it forwards the request and streams the archive back.
  const retentionBase = (config.subgraphUrls.retention ?? DEFAULT_SUBGRAPH_URLS.retention).replace(/\/graphql\/?$/, '');
  app.get('/exports/:id/download', (req, res) => {
    const target = new URL(req.originalUrl, retentionBase);
    // A redirect (to a presigned object-storage URL) goes to the client as is: the archive never
    // streams through the gateway.
    fetch(target, { headers: { [REQUEST_ID_HEADER]: requestIdFrom(req.headers[REQUEST_ID_HEADER]) }, redirect: 'manual', signal: AbortSignal.timeout(600_000) })
      .then(async (upstream) => {
        res.status(upstream.status);
        for (const name of ['content-type', 'content-length', 'content-disposition', 'cache-control', 'location']) {
          const value = upstream.headers.get(name);
          if (value) res.setHeader(name, value);
        }
        if (!upstream.body) return void res.end();
        await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream<Uint8Array>), res);
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'export download could not be forwarded');
        if (!res.headersSent) res.status(502).json({ error: 'the export service is unavailable' });
        else res.destroy();
      });
  });
  app.get('/metrics', (_req, res) => {
    metrics.render().then(
      (body) => res.type(metrics.contentType).send(body),
      (error: unknown) => res.status(500).send(String(error)),
    );
  });
  app.use(
    '/graphql',
    (req, _res, next) => {
      // Every operation gets a request id before Apollo reads the headers: the client's, or a new one.
      req.headers[REQUEST_ID_HEADER] = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      next();
    },
    express.json({ limit: '1mb' }),
    authenticateRequests(verifier, revocations, limiter, logger),
    expressMiddleware(server, {
      context: ({ req, res }) =>
        Promise.resolve({ ...(res.locals.auth as RequestAuth), requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]) }),
    }),
  );
  // A body over the limit (or unparsable JSON) is answered in the GraphQL error shape.
  app.use((error: { status?: number; type?: string; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: 'the request body is larger than 1 MB', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    if (error.status === 400) {
      res.status(400).json({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    next(error);
  });

  return {
    url: `http://localhost:${port}/graphql`,
    port,
    refreshRevocations: () => revocations.poll(),
    async stop() {
      ready = false;
      await revocations.stop();
      await server.stop();
      await devServer?.stop();
      await operationsServer.stop();
      await limiter.close();
    },
  };
}
