import pino from 'pino';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { requireRealPostgres, uniqueSchema } from '@offboarding/testing';
import { entities } from '../entities';
import { loadIdentityConfig } from '../keys/identity-config';
import { RealTime } from '../keys/identity-providers';
import { migrations } from '../migrations';
import type { DomainError } from '@offboarding/platform';
import { SignInThrottle } from '../sessions/sign-in-throttle';

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

  /** One sign-in through a replica: a place, then the password's verdict; the error code when refused. */
  const attempt = async (replica: SignInThrottle, email: string, right: boolean): Promise<string> => {
    let admission;
    try {
      admission = await replica.admit(email, '10.0.0.1');
    } catch (error) {
      return `${(error as DomainError).code}:${String((error as DomainError).details.reason)}`;
    }
    if (right) await replica.succeeded(admission);
    else await replica.failed(admission);
    return right ? 'signed-in' : 'wrong';
  };

  it('checks exactly the limit of 40 concurrent wrong passwords on one account, whichever replica they reach', async () => {
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(replicas[i % 2], 'mallory-target@example.com', false)));
    expect(outcomes.filter((outcome) => outcome === 'wrong')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'RATE_LIMITED:ACCOUNT_LOCKED')).toHaveLength(35);
  });

  it('lets 40 concurrent right passwords on one account through, a few at a time', async () => {
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(replicas[i % 2], 'busy-service@example.com', true)));
    expect(outcomes).toEqual(Array.from({ length: 40 }, () => 'signed-in'));
  });
});
