import * as fs from 'node:fs';
import * as path from 'node:path';
import { root } from './deployment-contract';

// Configuration is read once, at start-up, by the config loaders; everything else gets its
// settings from the validated config (ServiceConfig, the per-app configs) and its run mode from
// ServiceConfig.run. So no source file under apps/*/src or libs/*/src reads or writes
// process.env, except the files below, each for the reason given.

const ENTRY_POINTS = /^apps\/[a-z]+\/src\/(main|migrate|instrument)\.ts$/;

const ALLOWED: Record<string, string> = {
  'libs/platform/src/config/service-config.ts': "the subgraphs' shared config loader",
  'apps/gateway/src/gateway-config.ts': "the gateway's config loader",
  'apps/identity/src/keys/identity-config.ts': "identity's config loader",
  'apps/provisioning/src/config/provisioning-config.ts': "provisioning's config loader",
  'apps/retention/src/shared/retention-config.ts': "retention's config loader",
  'libs/telemetry/src/tracing.ts': 'OTEL_* settings, read by instrument.ts before the application is loaded',
  'libs/dev-broker/src/main.ts': "the development broker's command line",
  'libs/persistence/src/embedded-postgres.ts': "PGLITE_TEMPLATE_DIR: where the embedded database's template is cached (development and tests)",
  'libs/testing/src/databases.ts': 'test support: TEST_DATABASE_URL',
  'libs/testing/src/kcat.ts': 'test support: CI',
};

/** `process.env`, `process['env']` and `const { env } = process`, in any spacing. */
const READS_ENV = /\bprocess\s*(?:\??\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

function sources(): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== '__tests__' && entry.name !== 'node_modules') walk(child);
      else if (entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.(spec|int-spec|pg-spec|e2e-spec)\.tsx?$/.test(entry.name)) files.push(child);
    }
  };
  for (const top of ['apps', 'libs']) {
    for (const project of fs.readdirSync(path.join(root, top), { withFileTypes: true })) {
      if (project.isDirectory() && fs.existsSync(path.join(root, top, project.name, 'src'))) walk(`${top}/${project.name}/src`);
    }
  }
  return files;
}

const readsEnv = (file: string) => READS_ENV.test(fs.readFileSync(path.join(root, file), 'utf8'));

describe('config stays config', () => {
  const files = sources();

  it('finds the sources, and process.env however it is written', () => {
    expect(files).toEqual(expect.arrayContaining(['libs/platform/src/nest/service-runtime.ts', 'apps/retention/src/exports/data-export.service.ts']));
    for (const code of ['process.env.X', 'process . env', "process['env']", 'process?.env', 'const { env } = process', 'const { argv, env: e } = process']) {
      expect(READS_ENV.test(code)).toBe(true);
    }
    for (const code of ['this.process.environment', 'env.PORT', 'processEnv', 'config.env']) expect(READS_ENV.test(code)).toBe(false);
  });

  it('reads or writes process.env only in the config loaders and entry points', () => {
    const offenders = files.filter((file) => !ENTRY_POINTS.test(file) && !(file in ALLOWED) && readsEnv(file));
    expect(offenders).toEqual([]);
  });

  it('keeps its allow-list current: every file on it exists and still reads process.env', () => {
    const stale = Object.keys(ALLOWED).filter((file) => !fs.existsSync(path.join(root, file)) || !readsEnv(file));
    expect(stale).toEqual([]);
  });
});
