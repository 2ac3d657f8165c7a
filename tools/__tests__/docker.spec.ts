import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { deadLetterTopic, Topics, type ServiceName } from '@offboarding/contracts';
import { resolveDatabaseTarget } from '@offboarding/persistence';
import { DEFAULT_PORTS, loadServiceConfig } from '@offboarding/platform';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway-config';
import { appNames, entryPoint, HEALTH, requiredEnv, root, SUBGRAPHS } from './deployment-contract';

// docker/compose.yml and docker/Dockerfile checked against the code they run: the environment of
// every container goes through the services' own configuration loaders, so a variable that is
// misspelt, missing or pointing at the wrong container fails here rather than at `compose up`.

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  restart?: string;
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(root, 'docker/compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const dockerfile = fs.readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');

/**
 * Compose's `${VAR:-default}` interpolation with nothing set in the caller's environment, and
 * `${VAR:?message}` (the operator must set it) as a stand-in value.
 */
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, kind?: string, rest?: string) =>
    kind === '?' ? `required-from-operator:${name}` : (rest ?? ''),
  );
}
function environmentOf(name: string): NodeJS.ProcessEnv {
  const env = services[name]?.environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, interpolate(value)]));
}
function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`docker/compose.yml has no service "${name}"`);
  return found;
}
/** The port a container of that compose service listens on, as its own configuration says. */
function listeningPort(name: string): number {
  return name === 'gateway' ? loadGatewayConfig(environmentOf(name)).port : loadServiceConfig(name as ServiceName, environmentOf(name)).port;
}

describe('docker/compose.yml', () => {
  it('builds one image per app from docker/Dockerfile', () => {
    expect(appNames()).toEqual([...SUBGRAPHS, 'gateway'].sort());
    for (const app of appNames()) {
      const { build, image } = service(app);
      expect({ app, build, image }).toEqual({
        app,
        build: { context: '..', dockerfile: 'docker/Dockerfile', args: { APP: app } },
        image: `offboarding/${app}:local`,
      });
    }
  });

  it('sets every variable whose default only suits a laptop, and the configuration loaders accept it', () => {
    for (const app of appNames()) {
      const env = environmentOf(app);
      expect({ app, missing: requiredEnv(app).filter((name) => !env[name]) }).toEqual({ app, missing: [] });
      expect({ app, NODE_ENV: env.NODE_ENV }).toEqual({ app, NODE_ENV: 'production' });
    }
    for (const subgraph of SUBGRAPHS) {
      const env = environmentOf(subgraph);
      const config = loadServiceConfig(subgraph, env);
      expect(config.kafkaBrokers).toEqual(['kafka:9092']);
      expect(config.port).toBe(DEFAULT_PORTS[subgraph]);
      expect(env.DB_MIGRATE_ON_START).toBe('false');
      expect(env.KAFKA_CREATE_TOPICS).toBe('false');
    }
  });

  it('gives each service its own PostgreSQL role on the compose database', () => {
    const roles = [...fs.readFileSync(path.join(root, 'docker/postgres/init.sql'), 'utf8').matchAll(/CREATE ROLE (\w+) LOGIN/g)].map((m) => m[1]);
    const database = service('postgres').environment?.POSTGRES_DB;
    for (const subgraph of SUBGRAPHS) {
      for (const container of [subgraph, `${subgraph}-migrate`]) {
        const target = resolveDatabaseTarget(subgraph, environmentOf(container));
        expect(target.kind).toBe('postgres');
        const url = new URL(target.kind === 'postgres' ? target.url : '');
        expect({ container, host: url.host, user: url.username, database: url.pathname }).toEqual({
          container,
          host: 'postgres:5432',
          user: subgraph,
          database: `/${database}`,
        });
      }
      expect(roles).toContain(subgraph);
    }
  });

  it('runs each migration once, before its service starts', () => {
    for (const subgraph of SUBGRAPHS) {
      const migration = service(`${subgraph}-migrate`);
      expect(migration.image).toBe(service(subgraph).image);
      expect(migration.build).toEqual(service(subgraph).build);
      expect(migration.command).toEqual(['node', '--enable-source-maps', entryPoint(subgraph, 'migrate')]);
      expect(fs.existsSync(path.join(root, `apps/${subgraph}/src/migrate.ts`))).toBe(true);
      expect(migration.restart).toBe('no');
      expect(migration.healthcheck).toEqual({ disable: true });
      expect(migration.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });

      expect(service(subgraph).depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
        [`${subgraph}-migrate`]: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('points the gateway at every subgraph container on the port that subgraph listens on', () => {
    const config = loadGatewayConfig(environmentOf('gateway'));
    expect(Object.keys(config.subgraphUrls).sort()).toEqual([...SUBGRAPHS].sort());
    for (const subgraph of SUBGRAPHS) {
      const url = new URL(config.subgraphUrls[subgraph]!);
      expect({ subgraph, host: url.hostname, port: Number(url.port), path: url.pathname }).toEqual({
        subgraph,
        host: subgraph,
        port: listeningPort(subgraph),
        path: '/graphql',
      });
    }
    expect(service('gateway').depends_on).toEqual(
      Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph, { condition: 'service_healthy' }])),
    );
    expect(service('gateway').ports).toEqual([`${config.port}:${config.port}`]);
  });

  it('health-checks every server through its readiness probe', () => {
    const probe = fs.readFileSync(path.join(root, 'docker/healthcheck.js'), 'utf8');
    expect(probe).toContain(HEALTH.ready);
    for (const app of appNames()) {
      expect(service(app).healthcheck?.test).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
    }
    expect(service('postgres').healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(JSON.stringify(service('kafka').healthcheck?.test)).toContain('--bootstrap-server localhost:9092');
  });

  it('runs Apache Kafka in KRaft mode and declares every topic and dead-letter topic before the services start', () => {
    const kafka = service('kafka');
    expect(kafka.image).toMatch(/^apache\/kafka:3\.\d+\.\d+$/);
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.environment?.KAFKA_ADVERTISED_LISTENERS).toContain('PLAINTEXT://kafka:9092');
    expect(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');

    const init = service('kafka-topics');
    expect(init.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    const script = ([] as string[]).concat(init.command ?? []).join('\n');
    const declared = script.match(/offboarding\.[a-z.]+\.v1/g) ?? [];
    const expected = [...Object.values(Topics), ...SUBGRAPHS.map((subgraph) => deadLetterTopic(subgraph))];
    expect([...new Set(declared)].sort()).toEqual(expected.sort());
    expect(script).toContain('--create --if-not-exists');
  });
});

describe('docker/Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => ({ image: m[1], name: m[2] }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs from a slim one with production dependencies only', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'production-deps', 'runtime']);
    expect(stages.every((stage) => stage.image === 'node:${NODE_VERSION}-bookworm-slim')).toBe(true);
    // require() of NestJS's ES modules needs Node 20.19 or newer without flags.
    const [major, minor] = (/^ARG NODE_VERSION=(\d+)\.(\d+)$/m.exec(dockerfile) ?? []).slice(1).map(Number);
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    expect(dockerfile).toMatch(/AS build\n[\s\S]*RUN npm ci --no-audit[\s\S]*RUN npm run build\n/);
    expect(dockerfile).toMatch(/AS production-deps\n[\s\S]*RUN npm ci --omit=dev/);
    expect(runtime).toContain('COPY --from=production-deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /src/dist ./dist');
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('requires APP, runs as a non-root user, and serves the app by default with a readiness HEALTHCHECK', () => {
    expect(runtime).toMatch(/^ARG APP$/m);
    for (const app of appNames()) expect(runtime).toContain(app);
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(runtime);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "docker\/healthcheck\.js"\]$/m);
    expect(runtime).toContain(`exec node --enable-source-maps ${entryPoint('$APP', 'main')}`);
  });

  it('mounts named volumes only where the image made a directory the service user owns, and stores files there', () => {
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(runtime)?.[1];
    // Directories the runtime stage creates and hands to the service user.
    const owned = [...runtime.matchAll(/mkdir -p (\S+) && chown -R (\d+):\d+ (\S+)/g)]
      .filter((match) => match[2] === user)
      .flatMap((match) => [match[1], match[3]]);
    expect(owned.length).toBeGreaterThan(0);
    for (const name of appNames()) {
      for (const volume of service(name).volumes ?? []) {
        const [, target] = volume.split(':');
        // A new named volume starts as a copy of the image's directory, ownership included.
        expect({ name, target, owned: owned.some((dir) => target === dir || target.startsWith(`${dir}/`)) }).toEqual({ name, target, owned: true });
        const env = environmentOf(name);
        const storage = env.STORAGE_DIR ?? path.posix.join(env.DATA_DIR ?? '/data', 'storage');
        expect({ name, storage }).toEqual({ name, storage: target });
      }
    }
    expect(service('retention').volumes).toEqual(['export-storage:/data/storage']);
    expect(service('provisioning').volumes).toEqual(['environment-exports:/data/storage']);
  });

  it('has no default for any secret: `up` refuses to start until the operator sets them', () => {
    const raw = parse(fs.readFileSync(path.join(root, 'docker/compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
    const required = new Set<string>();
    for (const [name, definition] of Object.entries(raw.services)) {
      for (const [variable, value] of Object.entries(definition.environment ?? {})) {
        if (!/TOKEN|SECRET|_KEYS$/.test(variable)) continue;
        // `${NAME:?…}`: compose refuses to start while NAME is unset (NAME may be the service's own, e.g. PROVISIONING_EXPORT_URL_SECRET).
        const compose = /^\$\{([A-Z][A-Z0-9_]*):\?/.exec(String(value));
        expect({ name, variable, value: String(value), required: compose !== null && compose[1].endsWith(variable) }).toEqual({ name, variable, value: String(value), required: true });
        if (compose) required.add(compose[1]);
      }
    }
    expect([...required].sort()).toEqual(['ENCRYPTION_KEYS', 'EXPORT_URL_SECRET', 'INTERNAL_API_TOKEN', 'JWT_SIGNING_KEYS', 'PROVISIONING_EXPORT_URL_SECRET']);
    // docs/operations.md lists them for the operator.
    const operations = fs.readFileSync(path.join(root, 'docs/operations.md'), 'utf8');
    const composeSection = operations.slice(operations.indexOf('## Compose'), operations.indexOf('## Kubernetes'));
    for (const variable of required) expect({ variable, documented: composeSection.includes(`\`${variable}\``) }).toEqual({ variable, documented: true });
  });

  it('sends every file the build copies through .dockerignore', () => {
    const ignore = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    const included = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    expect(copied.length).toBeGreaterThan(4);
    expect(copied.filter((source) => !included.includes(source.replace(/\/$/, '')))).toEqual([]);
  });
});
