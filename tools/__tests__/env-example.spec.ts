import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadServiceConfig } from '@offboarding/platform';
import { resolveDatabaseTarget } from '@offboarding/persistence';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway-config';
import { appNames, root, SUBGRAPHS } from './deployment-contract';

// apps/<app>/.env.example documents every variable the app reads. The variables are found in the
// code the app runs (its own sources and the shared libraries, not the development-only ones), so
// a new process.env read or config key without a line in .env.example fails here, and so does a
// documented variable nothing reads any more.

const SHARED_LIBS = ['contracts', 'messaging', 'persistence', 'platform', 'telemetry'];
/** Libraries only some services use. */
const APP_LIBS: Record<string, string[]> = { provisioning: ['storage'], retention: ['storage'] };

function sourcesOf(app: string): string[] {
  // The gateway uses the shared tracing and nothing else of the shared libraries' configuration.
  const dirs = app === 'gateway' ? ['apps/gateway/src', 'libs/platform/src/observability', 'libs/telemetry/src'] : [`apps/${app}/src`, ...[...SHARED_LIBS, ...(APP_LIBS[app] ?? [])].map((lib) => `libs/${lib}/src`)];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__tests__') walk(absolute);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !/\.(spec|int-spec|pg-spec)\.ts$/.test(entry.name)) files.push(absolute);
    }
  };
  for (const dir of dirs) walk(path.join(root, dir));
  return files;
}

/** Variables read as process.env.X / env.X, zod config keys, and `${service.toUpperCase()}_X` keys. */
function variablesRead(app: string): string[] {
  const found = new Set<string>();
  for (const file of sourcesOf(app)) {
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) found.add(match[1]);
    for (const match of source.matchAll(/^\s+([A-Z][A-Z0-9_]+): z(\.|\s*$)/gm)) found.add(match[1]);
    if (app !== 'gateway') {
      for (const match of source.matchAll(/env\[`\$\{service\.toUpperCase\(\)\}(_[A-Z0-9_]+)`\]/g)) found.add(`${app.toUpperCase()}${match[1]}`);
    }
  }
  return [...found].sort();
}

/** Every NAME=value line of the file, commented out or not. */
function documented(app: string): Map<string, string> {
  const text = fs.readFileSync(path.join(root, 'apps', app, '.env.example'), 'utf8');
  return new Map([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}
/** The uncommented lines, as a shell sourcing the file would set them. */
function active(app: string): NodeJS.ProcessEnv {
  const text = fs.readFileSync(path.join(root, 'apps', app, '.env.example'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}

describe('apps/*/.env.example', () => {
  it.each(appNames())('%s documents exactly the variables its code reads', (app) => {
    const read = variablesRead(app);
    expect(read.length).toBeGreaterThan(5);
    expect([...documented(app).keys()].sort()).toEqual(read);
  });

  it('finds reads the way the code writes them', () => {
    expect(variablesRead('identity')).toEqual(expect.arrayContaining(['IDENTITY_PORT', 'IDENTITY_DATABASE_URL', 'KAFKA_BROKERS', 'PGLITE_TEMPLATE_DIR']));
    expect(variablesRead('gateway')).toEqual(expect.arrayContaining(['SUPERGRAPH_PATH', 'RETENTION_URL']));
  });

  it('holds values the configuration loaders accept, matching their defaults', () => {
    for (const subgraph of SUBGRAPHS) {
      const env = active(subgraph);
      const config = loadServiceConfig(subgraph, env);
      expect(config).toEqual(loadServiceConfig(subgraph, {}));
      expect(resolveDatabaseTarget(subgraph, env)).toEqual(resolveDatabaseTarget(subgraph, {}));
    }
    const gateway = loadGatewayConfig(active('gateway'));
    expect(gateway.port).toBe(loadGatewayConfig({}).port);
    expect(Object.keys(gateway.subgraphUrls).sort()).toEqual([...SUBGRAPHS].sort());
  });
});
