import { GraphQLError } from 'graphql';
import pino from 'pino';
import {
  ConfigError,
  createGraphQLErrorFormatter,
  DEVELOPMENT_INTERNAL_TOKEN,
  InvalidTransitionError,
  loadServiceConfig,
  NotFoundError,
  readServiceConfig,
  withRunMode,
} from '../index';

describe('GraphQL error formatting', () => {
  const logged: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
  const format = createGraphQLErrorFormatter(logger);
  const wrap = (original: Error) => new GraphQLError(original.message, { path: ['field'], originalError: original });

  it('keeps a domain error’s code, message and details', () => {
    const error = wrap(new InvalidTransitionError('entitlement', 'CANCELLED', 'cancel'));
    expect(format(error.toJSON(), error)).toEqual({
      message: 'cannot cancel an entitlement that is CANCELLED',
      path: ['field'],
      locations: undefined,
      extensions: { code: 'INVALID_TRANSITION', entity: 'entitlement', currentStatus: 'CANCELLED', action: 'cancel' },
    });
    expect(format(wrap(new NotFoundError('organization', 'x')).toJSON(), wrap(new NotFoundError('organization', 'x'))).extensions?.code).toBe('NOT_FOUND');
  });

  it('hides unexpected errors behind a generic message and logs them', () => {
    const error = wrap(new Error('relation "secret_table" does not exist'));
    const formatted = format(error.toJSON(), error);
    expect(formatted).toEqual({ message: 'Internal server error', path: ['field'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(formatted)).not.toContain('secret_table');
    expect(logged.join('')).toContain('secret_table');
  });

  it('passes GraphQL validation errors through with their code only', () => {
    const error = new GraphQLError('Cannot query field "x" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at …'] } });
    expect(format(error.toJSON(), error).extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});

describe('service configuration', () => {
  const token = 'a-production-token-of-at-least-32-characters';

  it('uses the per-service port, then PORT, then the default', () => {
    expect(loadServiceConfig('provisioning', {}).port).toBe(4002);
    expect(loadServiceConfig('provisioning', { PORT: '5000' }).port).toBe(5000);
    expect(loadServiceConfig('provisioning', { PORT: '5000', PROVISIONING_PORT: '5001' }).port).toBe(5001);
    expect(loadServiceConfig('identity', { KAFKA_BROKERS: 'a:9092, b:9092' }).kafkaBrokers).toEqual(['a:9092', 'b:9092']);
  });

  it('refuses production without a PostgreSQL URL, naming the variables', () => {
    const message = 'invalid configuration for retention: production needs PostgreSQL: set RETENTION_DATABASE_URL or DATABASE_URL to a postgres:// URL (the embedded database is for development only)';
    expect(() => loadServiceConfig('retention', { NODE_ENV: 'production' })).toThrow(message);
    expect(() => loadServiceConfig('retention', { NODE_ENV: 'production', DATABASE_URL: 'pglite://memory' })).toThrow(message);
    expect(loadServiceConfig('retention', { NODE_ENV: 'production', RETENTION_DATABASE_URL: 'postgres://db/offboarding', INTERNAL_API_TOKEN: token }).nodeEnv).toBe('production');
    expect(loadServiceConfig('retention', { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/offboarding', INTERNAL_API_TOKEN: token }).nodeEnv).toBe('production');
    // Printing the schema needs no database; a one-shot job does.
    expect(loadServiceConfig('retention', { NODE_ENV: 'production' }, 'schema-only').nodeEnv).toBe('production');
    expect(() => loadServiceConfig('retention', { NODE_ENV: 'production', INTERNAL_API_TOKEN: token }, 'job')).toThrow(message);
    expect(() => loadServiceConfig('retention', { NODE_ENV: 'production', DATABASE_URL: 'mysql://db' })).toThrow(
      'invalid configuration for retention: RETENTION_DATABASE_URL / DATABASE_URL must be a postgres:// URL or pglite://memory',
    );
  });

  const production = { NODE_ENV: 'production', RETENTION_DATABASE_URL: 'postgres://db/offboarding' };

  it('refuses to serve in production without INTERNAL_API_TOKEN, but prints the schema', () => {
    expect(() => loadServiceConfig('retention', production)).toThrow('invalid configuration for retention: INTERNAL_API_TOKEN is required in production');
    expect(() => loadServiceConfig('retention', production, 'job')).toThrow(/INTERNAL_API_TOKEN is required in production/);
    expect(loadServiceConfig('retention', production, 'schema-only').internalApiToken).toBe(DEVELOPMENT_INTERNAL_TOKEN);
    expect(loadServiceConfig('retention', { ...production, INTERNAL_API_TOKEN: token }).internalApiToken).toBe(token);
    expect(loadServiceConfig('retention', {}).internalApiToken).toBe(DEVELOPMENT_INTERNAL_TOKEN);
  });

  it('decides the run mode once: messaging as configured, never when only printing the schema', () => {
    const read = readServiceConfig('identity', { MESSAGING_ENABLED: 'true' });
    expect(read.run).toEqual({ mode: 'serve', messaging: true });
    expect(withRunMode(read, 'job').run).toEqual({ mode: 'job', messaging: true });
    expect(withRunMode(read, 'schema-only').run).toEqual({ mode: 'schema-only', messaging: false });
    expect(loadServiceConfig('identity', { MESSAGING_ENABLED: 'false' }, 'job').run).toEqual({ mode: 'job', messaging: false });
    expect(loadServiceConfig('identity', {}).run).toEqual({ mode: 'serve', messaging: true });
  });

  it('parses the database, topic and shutdown settings once, with their defaults', () => {
    const defaults = loadServiceConfig('provisioning', { DATA_DIR: '/var/data' });
    expect(defaults.database).toEqual({ target: { kind: 'embedded', dataDir: '/var/data/provisioning/postgres' }, migrateOnStart: true });
    expect(defaults.topics).toEqual({ create: true, partitions: 3, replicationFactor: 1 });
    expect(defaults.shutdownDrainMs).toBe(0);
    const set = loadServiceConfig('provisioning', {
      PROVISIONING_DATABASE_URL: 'postgres://db/offboarding',
      DB_MIGRATE_ON_START: 'false',
      KAFKA_CREATE_TOPICS: 'true',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_REPLICATION_FACTOR: '3',
      SHUTDOWN_DRAIN_MS: '5000',
    });
    expect(set.database).toEqual({ target: { kind: 'postgres', url: 'postgres://db/offboarding' }, migrateOnStart: false });
    expect(set.topics).toEqual({ create: true, partitions: 12, replicationFactor: 3 });
    expect(set.shutdownDrainMs).toBe(5000);
    expect(loadServiceConfig('provisioning', { KAFKA_CREATE_TOPICS: 'false' }).topics.create).toBe(false);
    // Production never migrates on start nor declares topics: its Job and the cluster's operator do.
    const prod = loadServiceConfig('provisioning', { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', INTERNAL_API_TOKEN: token });
    expect(prod.database.migrateOnStart).toBe(false);
    expect(prod.topics.create).toBe(false);
  });


  it('derives the identity URLs, the masking-key source and the dev clock file once', () => {
    const config = loadServiceConfig('retention', {
      IDENTITY_URL: 'http://identity:4003/graphql',
      RETENTION_INTERNAL_URL: 'http://retention:4004/',
      MASKING_KEY_TIMEOUT_MS: '2000',
      INTERNAL_API_TOKEN: token,
      NODE_ENV: 'test',
      DATA_DIR: '/var/data',
    });
    expect(config.identity).toEqual({ jwksUrl: 'http://identity:4003/.well-known/jwks.json', revocationFeedUrl: 'http://identity:4003/internal/revoked-sessions' });
    expect(config.maskingKeys).toEqual({ retentionInternalUrl: 'http://retention:4004', maskingKeyTimeoutMs: 2000, internalApiToken: token });
    expect(config.devClockFile).toBe('/var/data/retention/dev-clock.json');
    expect(loadServiceConfig('retention', { IDENTITY_JWKS_URL: 'https://keys.example/jwks.json' }).identity.jwksUrl).toBe('https://keys.example/jwks.json');
    expect(loadServiceConfig('retention', { NODE_ENV: 'test' }).devClockFile).toBeNull();
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadServiceConfig('retention', { PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    for (const [name, value] of [
      ['SCHEDULER_INTERVAL_MS', 'soon'],
      ['SHUTDOWN_DRAIN_MS', '-1'],
      ['MESSAGING_ENABLED', 'yes'],
      ['KAFKA_TOPIC_PARTITIONS', '0'],
      ['KAFKA_TOPIC_PARTITIONS', 'abc'],
      ['KAFKA_REPLICATION_FACTOR', 'three'],
      ['KAFKA_CREATE_TOPICS', 'no'],
      ['DB_MIGRATE_ON_START', '0'],
      ['SHUTDOWN_DRAIN_MS', '5s'],
      ['RETENTION_INTERNAL_URL', 'retention:4004'],
      ['MASKING_KEY_TIMEOUT_MS', 'soon'],
      ['IDENTITY_URL', 'identity'],
      ['IDENTITY_JWKS_URL', 'ftp://identity/jwks'],
      ['INTERNAL_API_TOKEN', 'short'],
      ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ]) {
      expect(() => loadServiceConfig('identity', { [name]: value })).toThrow(new RegExp(`invalid configuration for identity: ${name}:`));
    }

    expect(() => loadServiceConfig('retention', { PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/);
  });
});
