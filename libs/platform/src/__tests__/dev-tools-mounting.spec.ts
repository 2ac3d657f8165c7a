import { Clock, DevToolsController, HealthController, JobsController, OffsetClock, PlatformModule, SystemClock } from '..';
import { MetricsController } from '../observability/metrics.controller';

// The clock and job controls are mounted only outside production.
describe('PlatformModule dev controls', () => {
  const build = (nodeEnv: string) => {
    const previous = { ...process.env };
    process.env.NODE_ENV = nodeEnv;
    process.env.INTERNAL_API_TOKEN = 'a-token-long-enough-for-production-0123456789';
    process.env.DATABASE_URL = 'postgres://db.example/offboarding';
    try {
      return PlatformModule.forSubgraph({ service: 'identity', entities: [], migrations: [] });
    } finally {
      process.env = previous;
    }
  };
  const clockOf = (module: ReturnType<typeof build>) =>
    (module.providers ?? []).find((provider) => typeof provider === 'object' && 'provide' in provider && provider.provide === Clock) as { useValue: Clock };

  it('are absent in production, with the plain system clock', () => {
    const module = build('production');
    expect(module.controllers).toEqual([HealthController, MetricsController, JobsController]);
    expect(clockOf(module).useValue).toBeInstanceOf(SystemClock);
    expect(clockOf(module).useValue).not.toBeInstanceOf(OffsetClock);
  });

  it('are present in development and test, with a shiftable clock', () => {
    for (const env of ['development', 'test']) {
      const module = build(env);
      expect(module.controllers).toEqual([HealthController, MetricsController, JobsController, DevToolsController]);
      expect(clockOf(module).useValue).toBeInstanceOf(OffsetClock);
    }
  });
});
