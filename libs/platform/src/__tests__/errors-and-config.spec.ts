import { GraphQLError } from 'graphql';
import pino from 'pino';
import {
  ConfigError,
  createGraphQLErrorFormatter,
  InvalidTransitionError,
  loadServiceConfig,
  NotFoundError,
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
    expect(loadServiceConfig('retention', { NODE_ENV: 'production', RETENTION_DATABASE_URL: 'postgres://db/offboarding' }).nodeEnv).toBe('production');
    expect(loadServiceConfig('retention', { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/offboarding' }).nodeEnv).toBe('production');
    // Printing the schema needs no database.
    expect(loadServiceConfig('retention', { NODE_ENV: 'production', SCHEMA_ONLY: 'true' }).nodeEnv).toBe('production');
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadServiceConfig('retention', { PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    for (const [name, value] of [
      ['SCHEDULER_INTERVAL_MS', 'soon'],
      ['SHUTDOWN_DRAIN_MS', '-1'],
      ['MESSAGING_ENABLED', 'yes'],
      ['KAFKA_TOPIC_PARTITIONS', '0'],
      ['RETENTION_INTERNAL_URL', 'retention:4004'],
      ['INTERNAL_API_TOKEN', 'short'],
      ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ]) {
      expect(() => loadServiceConfig('identity', { [name]: value })).toThrow(new RegExp(`invalid configuration for identity: ${name}:`));
    }

    expect(() => loadServiceConfig('retention', { PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/);
  });
});
