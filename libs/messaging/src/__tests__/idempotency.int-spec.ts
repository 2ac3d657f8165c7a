import { randomUUID } from 'node:crypto';
import { IdempotencyKeys, type IdempotencyPolicy, type IdempotentRequest, runIdempotent } from '../idempotency';
import { IdempotencyKeys1734200000001 } from '../idempotency.migration';
import { Outbox } from '../outbox';
import { UnitOfWork } from '../unit-of-work';
import { openTestDatabase } from './messaging-test-kit';

// The unit of work under an idempotency key, on the database the suite runs against: the key and
// the outcome commit with the change, a retry gets the outcome without running again, and
// only refusals of the domain are remembered.

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HOUR = 3_600_000;
const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';

describe('idempotent units of work', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let now = new Date('2026-12-01T10:00:00Z');
  const keys = new IdempotencyKeys(() => now);
  const replays: number[] = [];
  const policy: IdempotencyPolicy = {
    ttlMs: 24 * HOUR,
    recordable: (error) => (error instanceof Refusal ? { code: error.code, message: error.message, details: { at: 'test' } } : null),
    revive: (error) => new Refusal(error.code, error.message),
    reused: (request, earlier) => new Refusal('IDEMPOTENCY_KEY_REUSED', `${request.operation} vs ${earlier}`),
    replayed: (_request, step) => replays.push(step),
  };
  let work: UnitOfWork;

  const table = () => `"${db.schema}".things`;
  const things = async () => (await db.dataSource.query<{ name: string }[]>(`SELECT name FROM ${table()} ORDER BY name`)).map((row) => row.name);
  const request = (key: string, input = 'a', operation = 'createThing'): IdempotentRequest => ({ caller: 'user-1', key, operation, fingerprint: `${operation}:${input}` });
  /** A mutation: one unit of work inserting a row, answering it with a date. */
  const createThing = (name: string) =>
    work.run(async ({ manager, publish }) => {
      await manager.query(`INSERT INTO ${table()} (name) VALUES ($1)`, [name]);
      const organizationId = randomUUID();
      await publish(GRANTED, organizationId, { organizationId, entitlementId: randomUUID(), class: 'PLG', product: name, grantedAt: now.toISOString() });
      return { name, createdAt: new Date(now), nested: { count: 1n } };
    });

  beforeAll(async () => {
    db = await openTestDatabase('idempotency', [IdempotencyKeys1734200000001]);
    await db.dataSource.query(`CREATE TABLE "${db.schema}".things (name text PRIMARY KEY)`);
    work = new UnitOfWork(db.dataSource, new Outbox('entitlements', () => now), undefined, { idempotency: { policy, keys } });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs a keyed mutation once and answers a retry with the recorded result', async () => {
    const key = randomUUID();
    const first = await runIdempotent(request(key), () => createThing('first'));
    const retry = await runIdempotent(request(key), () => createThing('would be a second'));
    expect(first).toEqual({ name: 'first', createdAt: now, nested: { count: 1n } });
    expect(retry).toEqual(first);
    expect(retry.createdAt).toBeInstanceOf(Date);
    expect(await things()).toEqual(['first']);
    // The retry published nothing: one event for one execution.
    const events = await db.dataSource.query<{ payload: { product: string } }[]>(`SELECT payload FROM "${db.schema}".outbox WHERE payload->>'product' LIKE '%first%' OR payload->>'product' LIKE '%second%'`);
    expect(events.map((row) => row.payload.product)).toEqual(['first']);
    expect(replays).toEqual([0]);
  });

  it('runs every time without a key, and keys of different callers never meet', async () => {
    await createThing('plain-1');
    await createThing('plain-2');
    const key = randomUUID();
    await runIdempotent(request(key), () => createThing('caller-1'));
    await runIdempotent({ ...request(key), caller: 'user-2' }, () => createThing('caller-2'));
    expect(await things()).toEqual(expect.arrayContaining(['plain-1', 'plain-2', 'caller-1', 'caller-2']));
  });

  it('answers IDEMPOTENCY_KEY_REUSED for the same key with other input, and changes nothing', async () => {
    const key = randomUUID();
    await runIdempotent(request(key, 'x'), () => createThing('reuse-x'));
    await expect(runIdempotent(request(key, 'y'), () => createThing('reuse-y'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'createThing vs createThing' });
    await expect(runIdempotent(request(key, 'x', 'deleteThing'), () => createThing('reuse-z'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'deleteThing vs createThing' });
    expect((await things()).filter((name) => name.startsWith('reuse'))).toEqual(['reuse-x']);
  });

  it('records a refusal with its changes rolled back, and answers it again', async () => {
    const key = randomUUID();
    let runs = 0;
    const refuse = () =>
      work.run(async ({ manager }) => {
        runs += 1;
        await manager.query(`INSERT INTO ${table()} (name) VALUES ('refused-${runs}')`);
        throw new Refusal('INVALID_TRANSITION', 'cannot do that now');
      });
    await expect(runIdempotent(request(key), refuse)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: 'cannot do that now' });
    await expect(runIdempotent(request(key), refuse)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: 'cannot do that now' });
    expect(runs).toBe(1);
    expect((await things()).filter((name) => name.startsWith('refused'))).toEqual([]);
  });

  it('remembers nothing of a failure that is no refusal: the retry runs again', async () => {
    const key = randomUUID();
    let runs = 0;
    const flaky = () =>
      work.run(async ({ manager }) => {
        runs += 1;
        await manager.query(`INSERT INTO ${table()} (name) VALUES ('flaky-${runs}')`);
        if (runs === 1) throw new Error('connection lost');
        return runs;
      });
    await expect(runIdempotent(request(key), flaky)).rejects.toThrow('connection lost');
    expect(await runIdempotent(request(key), flaky)).toBe(2);
    expect(await runIdempotent(request(key), flaky)).toBe(2);
    expect((await things()).filter((name) => name.startsWith('flaky'))).toEqual(['flaky-2']);
  });

  it('resumes a mutation of several units of work where it was interrupted', async () => {
    const key = randomUUID();
    let crash = true;
    const twoSteps = async () => {
      const first = await createThing('step-1');
      if (crash) throw new Error('process killed between the two commits');
      const second = await createThing('step-2');
      return [first.name, second.name];
    };
    await expect(runIdempotent(request(key), twoSteps)).rejects.toThrow('process killed');
    crash = false;
    expect(await runIdempotent(request(key), twoSteps)).toEqual(['step-1', 'step-2']);
    expect(await runIdempotent(request(key), twoSteps)).toEqual(['step-1', 'step-2']);
    expect((await things()).filter((name) => name.startsWith('step'))).toEqual(['step-1', 'step-2']);
  });

  it('does not count work started after the mutation answered (background work it kicked off)', async () => {
    const key = randomUUID();
    let background: Promise<unknown> = Promise.resolve();
    await runIdempotent(request(key), async () => {
      const created = await createThing('answered');
      background = new Promise((resolve) => setImmediate(resolve)).then(() => createThing('background'));
      return created;
    });
    await background;
    expect(await runIdempotent(request(key), () => createThing('never'))).toMatchObject({ name: 'answered' });
    expect((await things()).filter((name) => ['answered', 'background', 'never'].includes(name)).sort()).toEqual(['answered', 'background']);
  });

  it('forgets a key after its time: the same key then runs again, and pruning deletes expired keys', async () => {
    const key = randomUUID();
    await runIdempotent(request(key), () => createThing('before-expiry'));
    now = new Date(now.getTime() + 24 * HOUR);
    await runIdempotent(request(key, 'other input'), () => createThing('after-expiry'));
    expect((await things()).filter((name) => name.includes('expiry')).sort()).toEqual(['after-expiry', 'before-expiry']);

    const count = async () => Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".idempotency_keys`))[0].n);
    const before = await count();
    now = new Date(now.getTime() + 1);
    // Everything but the key just taken over is more than 24 h old now.
    expect(await keys.prune(db.dataSource, now, 2)).toBe(before - 1);
    expect(await count()).toBe(1);
  });
});
