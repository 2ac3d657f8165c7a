import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type express from 'express';
import type { Logger } from 'pino';
import { injectTraceContext, REQUEST_ID_HEADER, requestIdFrom } from '@offboarding/platform';
import type { SubgraphName } from './gateway-config';

/**
 * Every public URL the product hands out is on the gateway's origin (PUBLIC_BASE_URL), routed to
 * the service that owns it. The owner authorizes the request (signed links, licence keys, link
 * codes); the gateway only passes it through.
 */
export const PUBLIC_ROUTES: readonly { path: string; service: SubgraphName; what: string }[] = [
  { path: '/exports/:id/download', service: 'retention', what: 'data export downloads (signed, expiring links)' },
  { path: '/environment-exports/:id/download', service: 'provisioning', what: 'environment export downloads (signed, expiring links)' },
  { path: '/t/:code', service: 'provisioning', what: 'affiliate tracking links (302 while active, 410 once disabled)' },
  { path: '/plugin/v1/update-check', service: 'provisioning', what: 'the plugin update check (licence key)' },
  { path: '/plugin/v1/download', service: 'provisioning', what: 'the plugin download (licence key)' },
];

/** Request headers the owner may need: conditional and partial downloads, the caller's address, correlation. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'range', 'if-range', 'if-none-match', 'if-modified-since', 'user-agent', 'referer'];
/** Hop-by-hop headers (RFC 9110 §7.6.1) never pass a proxy. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer']);

/**
 * A plain pass-through: method, path and query to the owner; status, headers (Location and
 * Content-Range included) and the body streamed back as they come. Redirects are not followed,
 * so an owner answering with a redirect (a tracking link, an object-storage download) sends the
 * client there.
 */
export function forwardTo(serviceBaseUrl: string, logger: Logger, timeoutMs = 600_000): express.RequestHandler {
  return (req, res) => {
    const target = new URL(req.originalUrl, serviceBaseUrl);
    const headers = new Headers({ [REQUEST_ID_HEADER]: requestIdFrom(req.headers[REQUEST_ID_HEADER]) });
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter((value): value is string => typeof value === 'string' && value.length > 0);
    if (forwardedFor.length > 0) headers.set('x-forwarded-for', forwardedFor.join(', '));
    injectTraceContext(headers);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) abort.abort(new Error('the client went away'));
    });
    fetch(target, { method: req.method, headers, redirect: 'manual', signal: abort.signal })
      .then(async (upstream) => {
        res.status(upstream.status);
        // fetch hands the body over decoded: a content-encoding would no longer be true.
        const encoded = upstream.headers.has('content-encoding');
        upstream.headers.forEach((value, name) => {
          if (HOP_BY_HOP.has(name) || (encoded && (name === 'content-encoding' || name === 'content-length'))) return;
          res.setHeader(name, value);
        });
        if (!upstream.body || req.method === 'HEAD') return void res.end();
        await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res);
      })
      .catch((error: unknown) => {
        logger.warn({ err: error, path: target.pathname }, 'a public request could not be forwarded');
        if (!res.headersSent) res.status(502).json({ status: 'SERVICE_UNAVAILABLE', message: 'the service behind this link is unavailable; try again shortly' });
        else res.destroy();
      })
      .finally(() => clearTimeout(timer));
  };
}

/** Mounts every public route on the gateway's app, each for GET and HEAD. */
export function mountPublicRoutes(app: express.Express, serviceBaseUrl: (service: SubgraphName) => string, logger: Logger): void {
  for (const route of PUBLIC_ROUTES) {
    const handler = forwardTo(serviceBaseUrl(route.service), logger);
    app.get(route.path, handler);
    app.head(route.path, handler);
  }
}
