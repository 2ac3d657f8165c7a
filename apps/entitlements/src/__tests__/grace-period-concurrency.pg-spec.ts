import pino from 'pino';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { JobScheduler, loadServiceConfig } from '@offboarding/platform';
import { requireRealPostgres, uniqueSchema, waitFor } from '@offboarding/testing';
import { entities } from '../entities';
import { migrations } from '../migrations';
import { type Harness, openHarness } from './harness';

// Two scheduler instances (two replicas, or a replica and a CronJob) fire the grace-period
// sweep at the same moment against one PostgreSQL: every expired entitlement is cancelled once.
describe('grace-period expiry under concurrent schedulers (real PostgreSQL)', () => {
  const url = requireRealPostgres();
  const schema = uniqueSchema('grace');
  const actor = 'staff-1';
  const unpaidCount = 40;
  let first: Harness;
  let second: Harness;
  let secondDb: ServiceDatabase;

  beforeAll(async () => {
    const db = await openServiceDatabase({ service: 'entitlements', schema, entities, migrations, migrate: true, target: { kind: 'postgres', url } });
    first = await openHarness({ now: '2026-05-01T08:00:00Z', database: db });
    secondDb = await openServiceDatabase({ service: 'entitlements', schema, entities, migrations, target: { kind: 'postgres', url } });
    second = await openHarness({ now: '2026-05-01T08:00:00Z', database: secondDb });
  });

  afterAll(async () => {
    await secondDb?.close();
    await first?.db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await first?.db.close();
  });

  const seedUnpaid = async (n: number) => {
    const org = await first.organizations.create({ name: `Late payer ${n}`, type: 'CUSTOMER', actor });
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const entitlement = await first.entitlements.grant({ organizationId: org.id, class: i % 2 ? 'PLG' : 'SVC', product: `plan ${i}`, actor });
      await first.entitlements.recordPaymentFailure(entitlement.id, actor);
      ids.push(entitlement.id);
    }
    return { org, ids };
  };

  const cancellationsOf = async (organizationId: string) =>
    (await first.events(organizationId)).filter((e) => e.type === 'com.offboarding.entitlements.entitlement_cancelled.v1');

  it('two sweeps racing without the advisory lock still cancel each entitlement exactly once', async () => {
    const { org, ids } = await seedUnpaid(unpaidCount);
    for (const h of [first, second]) h.clock.advanceDays(31);
    const [a, b] = await Promise.all([
      first.entitlements.cancelExpiredGracePeriods(first.clock.now()),
      second.entitlements.cancelExpiredGracePeriods(second.clock.now()),
    ]);
    expect(a + b).toBe(unpaidCount);
    const events = await cancellationsOf(org.id);
    expect(events).toHaveLength(unpaidCount);
    expect(new Set(events.map((e) => e.payload.entitlementId))).toEqual(new Set(ids));
    expect(events.every((e) => e.payload.reason === 'NON_PAYMENT')).toBe(true);
  });

  it('two schedulers running the job at once: one holds the advisory lock, the other skips', async () => {
    const { org } = await seedUnpaid(unpaidCount);
    for (const h of [first, second]) h.clock.advanceDays(31);
    const config = loadServiceConfig('entitlements', {});
    const logger = pino({ level: 'silent' });
    // The first run holds its lock until the second has tried: the overlap is certain, not timed.
    let entered = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const schedulers = [first, second].map((h, index) => {
      const scheduler = new JobScheduler(h.db.dataSource, h.clock, config, logger);
      scheduler.register({
        name: 'grace-period-sweep',
        description: 'test',
        schedule: '15 * * * *',
        run: async ({ now }) => {
          if (index === 0) {
            entered = true;
            await gate;
          }
          return { processed: await h.entitlements.cancelExpiredGracePeriods(now) };
        },
      });
      return scheduler;
    });
    const holding = schedulers[0].run('grace-period-sweep');
    await waitFor(() => entered, { description: 'the first scheduler to take the lock' });
    const skipped = await schedulers[1].run('grace-period-sweep');
    release();
    const completed = await holding;
    expect(skipped).toMatchObject({ status: 'SKIPPED_LOCKED', processed: 0 });
    expect(completed).toMatchObject({ status: 'COMPLETED', processed: unpaidCount });
    expect(await cancellationsOf(org.id)).toHaveLength(unpaidCount);

    // The lock is released after the run: the next run takes it and finds nothing left.
    const again = await schedulers[1].run('grace-period-sweep');
    expect(again).toMatchObject({ status: 'COMPLETED', processed: 0 });
  });
});
