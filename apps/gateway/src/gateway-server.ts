import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, OperationTypeNode } from 'graphql';
import type { Logger } from 'pino';
import {
  assertOneKeyedMutation,
  DomainError,
  ErrorCode,
  fragmentsOf,
  isErrorCode,
  httpRevocationFeed,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  SystemClock,
  injectTraceContext,
  internalApiToken,
  internalAuthHeaders,
  JwksAccessTokenVerifier,
  Metrics,
  operationLogPlugin,
  REQUEST_ID_HEADER,
  requestIdFrom,
  retryAfterPlugin,
  RevocationList,
  rootFieldCount,
  tracingMiddleware,
} from '@offboarding/platform';
import { authenticateRequests, type RequestAuth } from './gateway-auth';
import { parseOptions, type QueryLimitsContext, type QueryMeasure, queryLimitsMiddleware, queryLimitsPlugin, tokenLimitOf } from './query-limits';
import { createCallerRateLimit, LocalRateLimit } from './rate-limiter';
import { subgraphFailure } from './subgraph-failure';
import { DEFAULT_SUBGRAPH_URLS, type GatewayConfig, SUBGRAPH_NAMES, type SubgraphName } from './gateway-config';
import { CONSOLE_PATH, consoleRouter, EXPLORER_PATH, explorerRouter } from './console-static';
import { buildDevSchema, DEV_SUBGRAPH_NAME, DEV_SUBGRAPH_PATH, type ServiceBaseUrls } from './dev-tools';
import { mountPublicRoutes } from './public-routes';
import { buildOperationsSchema, OPERATIONS_SUBGRAPH_NAME, OPERATIONS_SUBGRAPH_PATH } from './operations';

const systemClock = new SystemClock();

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Reads the revocation feed now instead of at the next poll. */
  refreshRevocations(): Promise<void>;
  stop(): Promise<void>;
}

/** What every operation through the gateway knows: the caller, and the key of a keyed mutation. */
type GatewayContext = RequestAuth & QueryLimitsContext & {
  /** The client's Idempotency-Key header, forwarded to the subgraph that runs the mutation. */
  idempotencyKey?: string;
  /** Set when the subgraph answered the keyed mutation from its record (Idempotent-Replayed). */
  idempotentReplayed?: boolean;
};

/**
 * Forwards the caller's verified access token, so every subgraph can verify it again, with the
 * request id and the trace context, so logs and traces follow the request into the subgraphs,
 * the client's address, and a mutation's Idempotency-Key to the subgraph that executes it.
 */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly logger: Logger,
  ) {
    super({ url });
  }

  /** A subgraph that is down or failing never shows the client its address: see subgraphFailure. */
  override didEncounterError(error: Error, _request: unknown, response?: { status: number; url: string }, context?: Partial<GatewayContext>): void {
    throw subgraphFailure(this.subgraph, error, response, context?.requestId ? this.logger.child({ requestId: context.requestId }) : this.logger);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!request.http) return;
    // Health checks of the gateway itself run without a request context.
    const { authorization, requestId, clientAddress, idempotencyKey } = context as Partial<GatewayContext>;
    if (typeof authorization === 'string') request.http.headers.set('authorization', authorization);
    if (requestId) request.http.headers.set(REQUEST_ID_HEADER, requestId);
    // The client's address, for what subgraphs count per address (sign-in throttling).
    if (clientAddress) request.http.headers.set('x-forwarded-for', clientAddress);
    if (idempotencyKey !== undefined && request.query?.trimStart().startsWith('mutation')) request.http.headers.set(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
    injectTraceContext(request.http.headers);
  }

  override didReceiveResponse({ response, context }: SubgraphResponse): SubgraphResponse['response'] {
    if (response.http?.headers.get(IDEMPOTENT_REPLAYED_HEADER) === 'true') (context as Partial<GatewayContext>).idempotentReplayed = true;
    return response;
  }
}

type SubgraphResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

/**
 * A keyed mutation is checked before any subgraph runs it: a well-formed key, one mutation field
 * (the subgraphs check again; here a request spanning two subgraphs is refused before either runs).
 */
const idempotencyKeyCheck: ApolloServerPlugin<GatewayContext> = {
  requestDidStart() {
    return Promise.resolve({
      didResolveOperation({ operation, document, contextValue }) {
        if (operation?.operation !== OperationTypeNode.MUTATION || contextValue.idempotencyKey === undefined) return Promise.resolve();
        try {
          idempotencyKeyOf({ [IDEMPOTENCY_KEY_HEADER]: contextValue.idempotencyKey });
          assertOneKeyedMutation(rootFieldCount(operation, fragmentsOf(document)));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          throw new GraphQLError(error.message, { extensions: { code: error.code, ...error.details, http: { status: 400 } } });
        }
        return Promise.resolve();
      },
      willSendResponse({ contextValue, response }) {
        // The client learns that its retry was answered from the record, not executed again.
        if (contextValue.idempotentReplayed) response.http.headers.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
        return Promise.resolve();
      },
    });
  },
};

/**
 * A document cut off by the token cap is refused as too large, not as a syntax error. Every code
 * a client sees is one of the schema's `ErrorCode` values: an error with any other code (the
 * federation runtime's own, e.g. DOWNSTREAM_SERVICE_ERROR) is logged and answered as an internal error.
 */
export function gatewayErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const tokens = code === ErrorCode.GRAPHQL_PARSE_FAILED ? tokenLimitOf(formatted.message) : null;
    if (tokens !== null) {
      return { message: `the document has more than ${tokens} tokens; at most ${tokens} are allowed`, extensions: { code: ErrorCode.QUERY_TOO_LARGE, maxTokens: tokens } };
    }
    if (!isErrorCode(code)) {
      logger.error({ code, message: formatted.message, path: formatted.path }, 'error without a code of the catalog');
      return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    return formatted;
  };
}

/**
 * Apollo Gateway over the supergraph composed at build time (never runtime introspection),
 * with health probes beside /graphql. Every request is authenticated (JWKS-verified access token,
 * revocation list, per-caller rate limit) and measured against token, depth, alias, directive and
 * cost limits before graphql-js validation and before a subgraph sees it; subgraphs get the
 * token and verify it themselves.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const hasDevSubgraph = supergraphSdl.includes(`name: "${DEV_SUBGRAPH_NAME}"`);
  if (hasDevSubgraph && !config.devTools) {
    throw new Error(`${config.supergraphPath} contains the dev subgraph; production serves supergraph.graphql`);
  }
  const revocations = new RevocationList(
    httpRevocationFeed(
      `${config.identityBaseUrl}/internal/revoked-sessions`,
      // Production has INTERNAL_API_TOKEN (the configuration refuses to start without it).
      () => internalAuthHeaders(internalApiToken({ NODE_ENV: config.nodeEnv, INTERNAL_API_TOKEN: config.internalApiToken ?? undefined })),
    ),
    config.revocationPollIntervalMs,
    logger,
  );
  const app = express();
  // Behind an ingress the client is in X-Forwarded-For; believed only from the proxies named here.
  app.set('trust proxy', config.trustProxy);
  const metrics = new Metrics('gateway');
  // Every request runs in a server span that continues the caller's trace, and is counted.
  app.use(tracingMiddleware('gateway'));
  app.use(metrics.httpMiddleware());
  let state: 'starting' | 'ready' | 'stopping' = 'starting';
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Not tied to identity: with the revocation list not loaded yet, authenticated requests are
  // answered 503 one by one (fail closed) while anonymous ones (login) still work.
  app.get('/health/ready', (_req, res) => {
    res.status(state === 'ready' ? 200 : 503).json({ status: state, revocationListLoaded: revocations.ready });
  });
  // The port opens before the routes exist (the dev subgraph needs it): until then every request
  // gets a GraphQL-shaped 503 rather than Express's HTML "Cannot POST".
  app.use((_req, res, next) => {
    if (state !== 'starting') return next();
    res.status(503).setHeader('retry-after', '1');
    res.json({ errors: [{ message: 'the gateway is starting; retry shortly', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] });
  });
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
  await revocations.start();
  const limiter = await createCallerRateLimit(config.rateLimit, logger);

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new AuthenticatedDataSource(subgraphUrl(name, url), name, logger),
  });
  // The API schema the query limits measure against, once the gateway has loaded the supergraph.
  let apiSchema: GraphQLSchema | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  const production = config.nodeEnv === 'production';
  const server = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection: !production,
    // No "Did you mean ...?" hints that would map the schema for a caller in production.
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    parseOptions: parseOptions(config.queryLimits),
    formatError: gatewayErrorFormatter(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's landing pages load from a CDN; outside production /explorer/ is the bundled explorer.
      ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin(),
      operationLogPlugin(logger),
      queryLimitsPlugin(config.queryLimits, logger),
      retryAfterPlugin(),
      idempotencyKeyCheck,
    ],
    // main.ts stops the gateway on signals, in order; Apollo's own handler would race it and
    // then re-raise the signal, killing the process before it finished.
    stopOnTerminationSignals: false,
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
    stopOnTerminationSignals: false,
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
    const dev = new ApolloServer<RequestAuth>({ schema: buildDevSchema(bases), includeStacktraceInErrorResponses: false, stopOnTerminationSignals: false, logger });
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

  // Every public URL the product hands out (downloads, tracking links, plugin updates) is on this
  // origin; the owning service checks it and answers, the gateway passes the answer through.
  mountPublicRoutes(app, (service) => (config.subgraphUrls[service] ?? DEFAULT_SUBGRAPH_URLS[service]).replace(/\/graphql\/?$/, ''), logger);
  app.use(CONSOLE_PATH, consoleRouter(config.consoleDir));
  if (!production) {
    app.use(EXPLORER_PATH, explorerRouter(config.explorerDir));
    // A browser opening the API's URL gets the explorer; GraphQL clients (POST, or GET asking for JSON) the API.
    app.get('/graphql', (req, res, next) => {
      if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html' || req.query.query !== undefined) return next();
      res.redirect(`${EXPLORER_PATH}/`);
    });
  }
  app.get('/', (_req, res) => res.redirect(`${CONSOLE_PATH}/`));
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
    queryLimitsMiddleware(() => apiSchema, config.queryLimits, logger),
    expressMiddleware(server, {
      context: ({ req, res }) => {
        const idempotencyKey = req.headers[IDEMPOTENCY_KEY_HEADER];
        return Promise.resolve({
          ...(res.locals.auth as RequestAuth),
          requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]),
          clientAddress: req.ip ?? req.socket.remoteAddress,
          queryMeasure: res.locals.queryMeasure as QueryMeasure | undefined,
          ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
        });
      },
    }),
  );
  // A body over the limit (or unparsable JSON) is answered in the GraphQL error shape.
  app.use((error: { status?: number; type?: string; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: 'the request body is larger than 1 MB', extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }] });
      return;
    }
    if (error.status === 400) {
      res.status(400).json({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: ErrorCode.BAD_REQUEST } }] });
      return;
    }
    next(error);
  });

  state = 'ready';
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    refreshRevocations: () => revocations.poll(),
    async stop() {
      state = 'stopping';
      await revocations.stop();
      await server.stop();
      await devServer?.stop();
      await operationsServer.stop();
      await limiter.close();
    },
  };
}
