import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { type BrowserContext, chromium } from 'playwright-core';
import { TestIdentity, waitFor } from '@offboarding/testing';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway-config';
import { type RunningGateway, startGateway } from '../../apps/gateway/src/gateway-server';
import { testGatewayEnv } from '../../apps/gateway/src/__tests__/test-gateway-env';
import { buildExplorer } from '../build';

// The API explorer the gateway serves outside production: built from npm's GraphiQL into a
// temporary folder, opened in Debian's Chromium, signed in through its bar and running a query,
// with every request the page makes staying on the gateway's origin. Identity is a stand-in that
// signs in one account and answers `me` for its token only.

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);

describe('the API explorer', () => {
  let identity: TestIdentity;
  let standIn: http.Server;
  let gateway: RunningGateway;
  let production: RunningGateway;
  let explorerDir: string;
  let accessToken: string;
  const meAuthorizations: (string | undefined)[] = [];

  beforeAll(async () => {
    explorerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-build-'));
    await buildExplorer(explorerDir);
    identity = await TestIdentity.start();
    accessToken = await identity.token({ role: 'ADMIN', expiresIn: 3600 });
    // The identity subgraph: login and me; keys and the revocation feed come from the test identity.
    standIn = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        if (!req.url?.startsWith('/graphql')) {
          void fetch(`${identity.graphqlUrl.replace(/\/graphql$/, '')}${req.url}`).then(async (upstream) => {
            res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
            res.end(await upstream.text());
          });
          return;
        }
        const { query, variables } = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
        res.setHeader('content-type', 'application/json');
        if (query.includes('login')) {
          const welcome = variables?.email === 'admin@offboarding.local' && variables.password === 'admin';
          const user = { id: 'a2b5c1de-0000-4000-8000-000000000000', displayName: 'Admin', email: 'admin@offboarding.local', role: 'ADMIN', organizationId: null };
          res.end(
            JSON.stringify(
              welcome
                ? { data: { login: { accessToken, accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(), refreshToken: 'r', user } } }
                : { data: null, errors: [{ message: 'wrong e-mail or password', extensions: { code: 'UNAUTHENTICATED' } }] },
            ),
          );
          return;
        }
        meAuthorizations.push(req.headers.authorization);
        const signedIn = req.headers.authorization === `Bearer ${accessToken}`;
        res.end(JSON.stringify({ data: { me: signedIn ? { email: 'admin@offboarding.local', role: 'ADMIN' } : null } }));
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    const identityUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/graphql`;
    const logger = pino({ level: 'silent' });
    gateway = await startGateway(loadGatewayConfig(testGatewayEnv(identityUrl, { EXPLORER_DIR: explorerDir })), logger);
    production = await startGateway(
      loadGatewayConfig(
        testGatewayEnv(identityUrl, { NODE_ENV: 'production', INTERNAL_API_TOKEN: 'an-internal-token-of-at-least-32-chars', EXPLORER_DIR: explorerDir }),
      ),
      logger,
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await production?.stop();
    await new Promise((resolve) => standIn?.close(resolve));
    await identity?.stop();
    fs.rmSync(explorerDir, { recursive: true, force: true });
  });

  it('is served at /explorer/ outside production, where a browser opening /graphql is sent; production has neither', async () => {
    const origin = gateway.url.replace(/\/graphql$/, '');
    const page = await fetch(`${origin}/explorer/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="explorer">');
    expect(html).not.toMatch(/https?:\/\//);

    const browserVisit = await fetch(gateway.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(browserVisit.status).toBe(302);
    expect(browserVisit.headers.get('location')).toBe('/explorer/');

    const productionOrigin = production.url.replace(/\/graphql$/, '');
    expect((await fetch(`${productionOrigin}/explorer/`)).status).toBe(404);
    const productionVisit = await fetch(production.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(productionVisit.status).not.toBe(302);
    // No landing page that would load from a CDN, in production either.
    expect(await productionVisit.text()).not.toMatch(/cdn|apollographql/i);
  });

  (haveChromium ? it : it.skip)(`loads offline in Chromium, signs in and runs a query, every request on the gateway origin${haveChromium ? '' : ' (skipped: apt-get install chromium)'}`, async () => {
    const origin = new URL(gateway.url).origin;
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-profile-'));
    let context: BrowserContext | null = null;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      context.setDefaultTimeout(15_000);
      const requested: string[] = [];
      context.on('request', (request) => requested.push(request.url()));
      const problems: string[] = [];
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text().slice(0, 300));
      });

      await page.goto(`${origin}/graphql`);
      expect(new URL(page.url()).pathname).toBe('/explorer/');
      await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).waitFor();

      await page.getByLabel('E-mail').fill('admin@offboarding.local');
      await page.getByLabel('Password').fill('admin');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in as admin@offboarding.local (ADMIN)').waitFor();

      // Signing in mounts the editor afresh with the token; a click while it is still mounting is
      // lost, so the query is run until its answer shows.
      const response = page.locator('.graphiql-response');
      await waitFor(
        async () => {
          await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
          return response
            .getByText('"admin@offboarding.local"')
            .waitFor({ timeout: 3_000 })
            .then(
              () => true,
              () => false,
            );
        },
        { timeoutMs: 45_000, intervalMs: 100, description: "the explorer to show the query's answer" },
      );
      expect(meAuthorizations.at(-1)).toBe(`Bearer ${accessToken}`);

      const elsewhere = requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
      expect(elsewhere).toEqual([]);
      // The page itself, its bundle, the sign-in, the schema and the query all went to the gateway.
      expect(requested.filter((url) => url === `${origin}/graphql`).length).toBeGreaterThanOrEqual(3);
      expect(problems).toEqual([]);
    } finally {
      await context?.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
