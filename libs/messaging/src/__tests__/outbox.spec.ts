import type { EntityManager } from 'typeorm';
import { Topics, type EventPayload } from '@offboarding/contracts';
import { Outbox } from '../outbox';

const organizationId = '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f';
const granted: EventPayload<'com.offboarding.entitlements.entitlement_granted.v1'> = {
  organizationId,
  entitlementId: '5e0f8c2a-9b7d-4e1f-8a3c-6d2b1f0e9a8c',
  class: 'PLG',
  product: 'Forms Pro',
  grantedAt: '2024-03-01T09:31:00Z',
};

/** Records the statements the outbox would run in the caller's transaction. */
function fakeManager() {
  const query = jest.fn<Promise<unknown[]>, [string, unknown[]]>().mockResolvedValue([]);
  const manager = { connection: { options: { schema: 'entitlements_x' } }, query } as unknown as EntityManager;
  return { manager, query };
}

describe('Outbox.add', () => {
  it('writes the event row with the caller’s manager, to its producer’s topic', async () => {
    const { manager, query } = fakeManager();
    const envelope = await new Outbox('entitlements').add(
      manager,
      'com.offboarding.entitlements.entitlement_granted.v1',
      organizationId,
      granted,
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    );
    expect(envelope).toMatchObject({ source: '/offboarding/entitlements', subject: organizationId, data: granted, specversion: '1.0' });
    expect(query).toHaveBeenCalledTimes(1);
    const [sql, params] = query.mock.calls[0];
    expect(sql).toContain('INSERT INTO "entitlements_x".outbox');
    // The first parameter is the NOTIFY channel of the schema's outbox, then the row.
    expect(sql).toContain('pg_notify($1');
    expect(params[0]).toBe('outbox:entitlements_x');
    expect(params.slice(1, 5)).toEqual([envelope.id, Topics.entitlements, organizationId, envelope.type]);
    expect(JSON.parse(params[5] as string)).toMatchObject({ ce_id: envelope.id, ce_subject: organizationId, traceparent: expect.any(String) });
    expect(JSON.parse(params[6] as string)).toEqual(granted);
  });

  it('refuses an invalid payload before writing anything', async () => {
    const { manager, query } = fakeManager();
    const bad = { ...granted, product: '' };
    await expect(
      new Outbox('entitlements').add(manager, 'com.offboarding.entitlements.entitlement_granted.v1', organizationId, bad),
    ).rejects.toThrow(/product/);
    expect(query).not.toHaveBeenCalled();
  });

  it('refuses a type the service does not produce', async () => {
    const { manager, query } = fakeManager();
    await expect(
      new Outbox('provisioning').add(manager, 'com.offboarding.entitlements.entitlement_granted.v1', organizationId, granted),
    ).rejects.toThrow(/provisioning cannot publish .* produced by entitlements/);
    expect(query).not.toHaveBeenCalled();
  });

  it('refuses a subject other than the payload’s organization', async () => {
    const { manager } = fakeManager();
    const other = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    await expect(
      new Outbox('entitlements').add(manager, 'com.offboarding.entitlements.entitlement_granted.v1', other, granted),
    ).rejects.toThrow(/differs from the payload's organizationId/);
    await expect(
      new Outbox('entitlements').add(manager, 'com.offboarding.entitlements.entitlement_granted.v1', 'acme', granted),
    ).rejects.toThrow(/must be an organization id/);
  });

  it('refuses a malformed traceparent', async () => {
    const { manager } = fakeManager();
    await expect(
      new Outbox('entitlements').add(manager, 'com.offboarding.entitlements.entitlement_granted.v1', organizationId, granted, {
        traceparent: 'nope',
      }),
    ).rejects.toThrow(/traceparent/);
  });
});
