import * as fs from 'node:fs';
import * as http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import type { Logger } from 'pino';
import { injectTraceContext, Metrics, operationLogPlugin, REQUEST_ID_HEADER, requestIdFrom, tracingMiddleware } from '@offboarding/platform';
import { DEFAULT_SUBGRAPH_URLS, type GatewayConfig, SUBGRAPH_NAMES, type SubgraphName } from './gateway-config';
import { buildDevSchema, DEV_SUBGRAPH_NAME, DEV_SUBGRAPH_PATH, type ServiceBaseUrls } from './dev-tools';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Apollo Gateway over the supergraph composed at build time (never runtime introspection),
 * with health probes beside /graphql.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const hasDevSubgraph = supergraphSdl.includes(`name: "${DEV_SUBGRAPH_NAME}"`);
  if (hasDevSubgraph && !config.devTools) {
    throw new Error(`${config.supergraphPath} contains the dev subgraph; production serves supergraph.graphql`);
  }
  const app = express();
  const httpServer = http.createServer(app);
  // Listen first: the dev subgraph is served by this process, so its URL needs the real port.
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;

  const subgraphUrl = (name: string, url: string | undefined): string => {
    if (name === DEV_SUBGRAPH_NAME) return `http://127.0.0.1:${port}${DEV_SUBGRAPH_PATH}`;
    return config.subgraphUrls[name as SubgraphName] ?? url ?? '';
  };
  const metrics = new Metrics('gateway');
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource({
        url: subgraphUrl(name, url),
        // One request id from the client through every subgraph call, for correlated logs.
        willSendRequest: ({ request, context }) => {
          const requestId = (context as { requestId?: string }).requestId;
          if (request.http) {
            if (requestId) request.http.headers.set(REQUEST_ID_HEADER, requestId);
            injectTraceContext(request.http.headers);
          }
        },
      }),
  });
  const server = new ApolloServer({
    gateway,
    csrfPrevention: true,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), metrics.apolloPlugin(), operationLogPlugin(logger)],
    logger,
  });

  let devServer: ApolloServer | null = null;
  if (config.devTools) {
    const bases = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, (config.subgraphUrls[name] ?? DEFAULT_SUBGRAPH_URLS[name]).replace(/\/graphql\/?$/, '')]),
    ) as ServiceBaseUrls;
    devServer = new ApolloServer({ schema: buildDevSchema(bases), includeStacktraceInErrorResponses: false, logger });
    await devServer.start();
    app.use(DEV_SUBGRAPH_PATH, express.json({ limit: '100kb' }), expressMiddleware(devServer));
  }
  await server.start();

  let ready = true;
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'stopping' });
  });
  // Data export downloads: the link is signed by retention and checked there; the gateway is
  // the only public entry, so it forwards the request and streams the archive back.
  const retentionBase = (config.subgraphUrls.retention ?? DEFAULT_SUBGRAPH_URLS.retention).replace(/\/graphql\/?$/, '');
  app.get('/exports/:id/download', (req, res) => {
    const target = new URL(req.originalUrl, retentionBase);
    fetch(target, { headers: { [REQUEST_ID_HEADER]: requestIdFrom(req.headers[REQUEST_ID_HEADER]) }, signal: AbortSignal.timeout(600_000) })
      .then(async (upstream) => {
        res.status(upstream.status);
        for (const name of ['content-type', 'content-length', 'content-disposition', 'cache-control']) {
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
  app.use(tracingMiddleware('gateway'));
  app.use(
    '/graphql',
    (req, _res, next) => {
      // Every operation gets a request id before Apollo reads the headers: the client's, or a new one.
      req.headers[REQUEST_ID_HEADER] = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      next();
    },
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: ({ req }) => Promise.resolve({ requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]) }),
    }),
  );

  return {
    url: `http://localhost:${port}/graphql`,
    port,
    async stop() {
      ready = false;
      await server.stop();
      await devServer?.stop();
    },
  };
}
