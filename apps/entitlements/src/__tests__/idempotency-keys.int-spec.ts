import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type RunningEntitlements, startEntitlementsApp } from './entitlements-app';

// Idempotency-Key on the entitlements service as it runs (Nest, GraphQL over HTTP, its own
// database, messaging off): the platform honours the header for every mutation.

describe('mutations with an Idempotency-Key', () => {
  let service: RunningEntitlements;
  const post: RunningEntitlements['post'] = (query, variables, options) => service.post(query, variables, options);
  const CREATE = 'mutation Create($input: CreateOrganizationInput!) { createOrganization(input: $input) { id name createdAt } }';
  const createOrganization = (name: string, key?: string, token?: string) =>
    post<{ createOrganization: { id: string; name: string; createdAt: string } }>(CREATE, { input: { name, type: 'CUSTOMER' } }, { key, token });
  const count = async (sql: string, params: unknown[]) => Number((await service.app.get(DataSource).query<{ n: string }[]>(sql, params))[0].n);
  const organizationsNamed = (name: string) => count('SELECT count(*) AS n FROM entitlements.organizations WHERE name = $1', [name]);

  beforeAll(async () => {
    service = await startEntitlementsApp();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('creates once: a retry with the key answers the first organization, whatever it selects', async () => {
    const key = randomUUID();
    const first = await createOrganization('Once GmbH', key);
    expect(first.errors).toBeUndefined();
    const retry = await createOrganization('Once GmbH', key);
    expect(retry).toEqual(first);
    // Another spelling of the same mutation and input is the same request.
    const respelled = await post<{ again: { id: string; status: string } }>(
      'mutation { again: createOrganization(input: { type: CUSTOMER, name: "Once GmbH", taxId: null }) { id status } }',
      {},
      { key },
    );
    expect(respelled.data?.again).toEqual({ id: first.data!.createOrganization.id, status: 'ACTIVE' });
    expect(await organizationsNamed('Once GmbH')).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM entitlements.outbox WHERE message_key = $1 AND type LIKE '%organization_created%'`, [first.data!.createOrganization.id])).toBe(1);
  });

  it('marks an answer from the record with Idempotent-Replayed: true, a refusal too, and never a first execution', async () => {
    const key = randomUUID();
    const send = () => service.exchange(CREATE, { input: { name: 'Replayed GmbH', type: 'CUSTOMER' } }, { key });
    const first = await send();
    const retry = await send();
    expect([first.headers.get('idempotent-replayed'), retry.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    expect(retry.answer).toEqual(first.answer);
    // A recorded refusal is an answer from the record as well.
    const missing = randomUUID();
    const ARCHIVE = 'mutation A($id: ID!) { archiveOrganization(id: $id) { id } }';
    const refusalKey = randomUUID();
    const refused = await service.exchange(ARCHIVE, { id: missing }, { key: refusalKey });
    const refusedAgain = await service.exchange(ARCHIVE, { id: missing }, { key: refusalKey });
    expect(refused.answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(refusedAgain.answer.errors).toEqual(refused.answer.errors);
    expect([refused.headers.get('idempotent-replayed'), refusedAgain.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    // Without a key nothing is replayed.
    expect((await service.exchange(CREATE, { input: { name: 'Replayed GmbH', type: 'CUSTOMER' } })).headers.get('idempotent-replayed')).toBeNull();
  });

  it('runs every time without a key, and a key of another caller is another key', async () => {
    await createOrganization('Twice GmbH');
    await createOrganization('Twice GmbH');
    expect(await organizationsNamed('Twice GmbH')).toBe(2);
    const key = randomUUID();
    const other = await service.identity.token({ role: 'ADMIN', userId: randomUUID() });
    const mine = await createOrganization('Per Caller AG', key);
    const theirs = await createOrganization('Per Caller AG', key, other);
    expect(theirs.data!.createOrganization.id).not.toBe(mine.data!.createOrganization.id);
    expect(await organizationsNamed('Per Caller AG')).toBe(2);
  });

  it('answers IDEMPOTENCY_KEY_REUSED for the key with other input or another mutation, changing nothing', async () => {
    const key = randomUUID();
    const first = await createOrganization('Reuse One', key);
    const otherInput = await createOrganization('Reuse Two', key);
    expect(otherInput.errors?.[0]).toMatchObject({
      message: 'this Idempotency-Key was used for createOrganization with other input: send a new key for a new request',
      extensions: { code: 'IDEMPOTENCY_KEY_REUSED', operation: 'createOrganization', keyUsedFor: 'createOrganization' },
    });
    const otherMutation = await post('mutation($id: ID!) { archiveOrganization(id: $id) { status } }', { id: first.data!.createOrganization.id }, { key });
    expect(otherMutation.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', keyUsedFor: 'createOrganization' });
    expect(await organizationsNamed('Reuse Two')).toBe(0);
    const status = await post<{ organization: { status: string } }>('query($id: ID!) { organization(id: $id) { status } }', { id: first.data!.createOrganization.id });
    expect(status.data?.organization.status).toBe('ACTIVE');
  });

  it("remembers the domain's refusal: the retry gets it again even after the obstacle is gone", async () => {
    const { data } = await createOrganization('Refused Ltd');
    const organizationId = data!.createOrganization.id;
    const granted = await post<{ grantEntitlement: { id: string } }>(
      'mutation($id: ID!) { grantEntitlement(input: { organizationId: $id, class: ORD, product: "Widget" }) { id } }',
      { id: organizationId },
    );
    const archive = (key: string) => post<{ archiveOrganization: { status: string } }>('mutation($id: ID!) { archiveOrganization(id: $id) { status } }', { id: organizationId }, { key });
    const key = randomUUID();
    const refused = await archive(key);
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
    await post('mutation($id: ID!) { cancelEntitlement(input: { entitlementId: $id, reason: OTHER }) { status } }', { id: granted.data!.grantEntitlement.id });
    expect(await archive(key)).toEqual(refused);
    expect((await archive(randomUUID())).data?.archiveOrganization.status).toBe('ARCHIVED');
  });

  it('does not remember input refused before anything ran: the corrected retry with the key runs', async () => {
    const key = randomUUID();
    const invalid = await createOrganization('   ', key);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const corrected = await createOrganization('Corrected Oy', key);
    expect(corrected.errors).toBeUndefined();
    expect(await organizationsNamed('Corrected Oy')).toBe(1);
  });

  it('refuses a malformed key, two keys, and one key over two mutations, changing nothing', async () => {
    for (const key of ['', 'x'.repeat(256), 'with space', 'ünïcode']) {
      const answer = await post(CREATE, { input: { name: 'Bad Key Inc', type: 'CUSTOMER' } }, { key });
      expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key' } });
    }
    const doubled = await post(CREATE, { input: { name: 'Bad Key Inc', type: 'CUSTOMER' } }, { key: [randomUUID(), randomUUID()] });
    expect(doubled.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const two = await post(
      'mutation { a: createOrganization(input: { name: "Bad Key Inc", type: CUSTOMER }) { id } ...More } fragment More on Mutation { b: createOrganization(input: { name: "Bad Key Inc", type: VENDOR }) { id } }',
      {},
      { key: randomUUID() },
    );
    expect(two.errors?.[0]?.message).toBe('Idempotency-Key: one key covers one mutation; this request has 2: send each with a key of its own');
    expect(await organizationsNamed('Bad Key Inc')).toBe(0);
  });

  it('lets queries carry a key without effect', async () => {
    const answer = await post<{ organizations: { totalCount: number } }>('{ organizations { totalCount } }', {}, { key: randomUUID() });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.organizations.totalCount).toBeGreaterThan(0);
  });
});
