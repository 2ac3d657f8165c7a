import * as fs from 'node:fs';
import * as path from 'node:path';
import express from 'express';

// The admin console (apps/console, built by `npm run build`) served from the gateway's origin
// under /console: same origin as /graphql, so no CORS and no CDN. Hashed assets are cached for
// good; every other path below /console answers index.html, so the app's own routes survive a
// reload or a bookmark.

export const CONSOLE_PATH = '/console';

/** What the console's pages may load: only this origin (the API included), nothing inline but styles. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export function consoleRouter(directory: string): express.Router {
  return singlePageRouter(directory, CONSOLE_CSP, 'index.html', 'The console is not built: run `npm run build` (or `npm start`, which builds it).');
}

/**
 * The API explorer (GraphiQL, apps/console/src/explorer, built with the console) under /explorer,
 * outside production only: the same origin and the same policy as the console, so it runs
 * offline and sends its queries to this gateway's /graphql only.
 */
export const EXPLORER_PATH = '/explorer';

/** The console's policy, and GraphiQL's fonts, which its stylesheet carries inline as data: URLs. */
export const EXPLORER_CSP = `${CONSOLE_CSP}; font-src 'self' data:`;

export function explorerRouter(directory: string): express.Router {
  return singlePageRouter(directory, EXPLORER_CSP, 'explorer.html', 'The API explorer is not built: run `npm run build` (or `npm start`, which builds it).');
}

function singlePageRouter(directory: string, policy: string, indexFile: string, notBuilt: string): express.Router {
  const router = express.Router();
  const index = path.join(directory, indexFile);
  router.use((_req, res, next) => {
    res.setHeader('content-security-policy', policy);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });
  router.use(
    '/assets',
    express.static(path.join(directory, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  router.get('/{*path}', (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send(notBuilt);
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
