import pino from 'pino';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { requireRealPostgres, uniqueSchema } from '@offboarding/testing';
import { entities } from '../entities';
import { loadIdentityConfig } from '../keys/identity-config';
import { RealTime } from '../keys/identity-providers';
import { migrations } from '../migrations';
import { type SignInAdmission, SignInThrottle } from '../sessions/sign-in-throttle';

// Two identity replicas on one PostgreSQL database, attacked at once: the throttle's counts are
// shared, so a burst spread over both replicas gets no more password checks than one would give.
describe('sign-in throttling across replicas (real PostgreSQL)', () => {
  const url = requireRealPostgres();
  const schema = uniqueSchema('throttle');
  const databases: ServiceDatabase[] = [];
  let replicas: SignInThrottle[];

  beforeAll(async () => {
    const config = loadIdentityConfig({ SIGN_IN_LOCK_AFTER_FAILURES: '5', SIGN_IN_ADDRESS_LOCK_AFTER_FAILURES: '1000' });
    for (let i = 0; i < 2; i += 1) {
      databases.push(await openServiceDatabase({ service: 'identity', schema, entities, migrations, migrate: i === 0, target: { kind: 'postgres', url }, poolSize: 10 }));
    }
    replicas = databases.map((db) => new SignInThrottle(db.dataSource, new RealTime(), config, pino({ level: 'silent' })));
  });

  afterAll(async () => {
    await databases[0]?.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    for (const db of databases) await db.close();
  });

  it('lets exactly the limit of 40 concurrent attempts on one account through, whichever replica they reach', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2].admit('mallory-target@example.com', `10.0.${i % 7}.1`)),
    );
    const admitted = outcomes.filter((outcome): outcome is PromiseFulfilledResult<SignInAdmission> => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(admitted).toHaveLength(5);
    expect(refused.map((outcome) => (outcome.reason as { code?: string }).code)).toEqual(Array.from({ length: 35 }, () => 'RATE_LIMITED'));
    // The fifth attempt holds the lock until it proves the password.
    expect(admitted.filter((outcome) => outcome.value.keys.some((key) => key.kind === 'account' && key.lockedUntil !== null))).toHaveLength(1);
    await replicas[1].succeeded(admitted.find((outcome) => outcome.value.keys.some((key) => key.lockedUntil !== null))!.value);
    await expect(replicas[0].admit('mallory-target@example.com', '10.0.0.1')).resolves.toMatchObject({ keys: expect.any(Array) });
  });
});
