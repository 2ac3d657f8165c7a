import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@offboarding/testing';
import { build, sourceFiles, unresolvedAliases, type BuildResult } from '../build';

// The production build must run with plain `node` and nothing from the TypeScript tool chain: no
// require hook, no path-alias resolver. The output goes under the repository's tmp/ so that it
// finds node_modules the way /app/dist finds /app/node_modules in the image.
const root = path.resolve(__dirname, '../..');
const SERVICES = ['entitlements', 'provisioning', 'identity', 'retention'];

describe('production build', () => {
  let result: BuildResult;

  beforeAll(async () => {
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
    result = await build(fs.mkdtempSync(path.join(root, 'tmp', 'build-')));
  }, 120_000);

  afterAll(() => {
    if (result) fs.rmSync(result.outDir, { recursive: true, force: true });
  });

  const run = (file: string, env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [path.join(result.outDir, file)], {
      cwd: result.outDir,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    });

  it('mirrors the source tree: every entry point the images and manifests start', () => {
    const entryPoints = [
      'apps/gateway/src/main.js',
      ...SERVICES.flatMap((service) => [`apps/${service}/src/main.js`, `apps/${service}/src/migrate.js`, `apps/${service}/src/print-schema.js`]),
    ];
    expect(entryPoints.filter((file) => !fs.existsSync(path.join(result.outDir, file)))).toEqual([]);
    expect(result.files).toContain('libs/platform/src/index.js');
    expect(result.files.length).toBe(sourceFiles().length);
    expect(result.files.filter((file) => /__tests__|spec\.js$/.test(file))).toEqual([]);
  });

  it('leaves no @offboarding/* alias behind, and would notice one', () => {
    const leftovers = result.files.flatMap((file) => unresolvedAliases(fs.readFileSync(path.join(result.outDir, file), 'utf8')));
    expect(leftovers).toEqual([]);
    expect(unresolvedAliases(`const a = require("@offboarding/platform");`)).toEqual(['@offboarding/platform']);
  });

  it('compiles decorators with their metadata: the subgraph prints its federated schema', async () => {
    const { stdout } = await run('apps/entitlements/src/print-schema.js');
    expect(stdout).toContain('type Organization');
    expect(stdout).toMatch(/type Organization[^{]*@key\(fields: "id"\)/);
  }, 60_000);

  it('ships the supergraph beside the gateway, which serves it', async () => {
    for (const file of ['apps/gateway/supergraph.graphql', 'apps/gateway/supergraph.dev.graphql']) {
      expect(fs.readFileSync(path.join(result.outDir, file), 'utf8')).toBe(fs.readFileSync(path.join(root, file), 'utf8'));
    }
    const gateway = spawn(process.execPath, [path.join(result.outDir, 'apps/gateway/src/main.js')], {
      cwd: result.outDir,
      env: { PATH: process.env.PATH, GATEWAY_PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    gateway.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      gateway.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const url = await waitFor(() => /"url":"(http:\/\/localhost:\d+)\/graphql"/.exec(output)?.[1], {
        timeoutMs: 30_000,
        description: 'the built gateway to listen',
      });
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      const typename = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await typename.json()).toEqual({ data: { __typename: 'Query' }, extensions: { cost: { requested: 0, maximum: 5000, depth: 0, maximumDepth: 12 } } });

      // The console, bundled into the build, from the gateway's origin: its page, its assets, and
      // the page again for any of its routes (a reload deep inside the app).
      const page = await fetch(`${url}/console/organizations/some-id/offboarding`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await page.text();
      expect(html).toContain('<div id="root"></div>');
      const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
      for (const asset of assets) {
        const response = await fetch(`${url}${asset}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toContain('immutable');
      }
      expect((await fetch(`${url}/console/assets/missing.js`)).status).toBe(404);
      const home = await fetch(`${url}/`, { redirect: 'manual' });
      expect(home.headers.get('location')).toBe('/console/');
    } finally {
      gateway.kill('SIGTERM');
    }
    // Stops on SIGTERM rather than hanging; Apollo Server re-raises the signal after its own stop.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(output).toContain('shutting down');
  }, 60_000);
});
