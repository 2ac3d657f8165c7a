import { type Harness, openHarness } from './harness';


describe('entitlements service on a real database', () => {
  let h: Harness;
  let organizations: Harness['organizations'];
  let entitlements: Harness['entitlements'];
  let db: Harness['db'];
  const clock = { advance: (ms: number) => h.clock.advanceMs(ms) };
  const actor = 'staff-1';

  const outboxRows = () =>
    db.dataSource.query<{ type: string; message_key: string; payload: Record<string, unknown> }[]>(
      `SELECT type, message_key, payload FROM "${db.schema}".outbox ORDER BY seq`,
    );
  const count = (table: string) => h.count(table);

  beforeAll(async () => {
    h = await openHarness({ now: '2026-11-01T09:00:00Z' });
    ({ organizations, entitlements, db } = h);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('creates an organization and its event in one transaction', async () => {
    const organization = await organizations.create({ name: '  Acme GmbH ', taxId: 'DE123456789', type: 'CUSTOMER', actor });
    expect(organization).toMatchObject({ name: 'Acme GmbH', status: 'ACTIVE', vendorId: null });
    const rows = (await outboxRows()).filter((row) => row.message_key === organization.id);
    expect(rows.map((row) => row.type)).toEqual([
      'com.offboarding.entitlements.organization_created.v1',
      'com.offboarding.entitlements.audit_recorded.v1',
    ]);
    expect(rows[1].payload).toMatchObject({ action: 'organization.create', actor, afterStatus: 'ACTIVE', subjectId: organization.id });
    expect(rows[0]).toEqual({
      type: 'com.offboarding.entitlements.organization_created.v1',
      message_key: organization.id,
      payload: { organizationId: organization.id, type: 'CUSTOMER', vendorId: null, createdAt: '2026-11-01T09:00:00.000Z' },
    });
  });

  it.each([
    [{ name: '', type: 'CUSTOMER' as const }, /name/],
    [{ name: 'x', taxId: '!', type: 'CUSTOMER' as const }, /taxId/],
    [{ name: 'Partner Co', type: 'PARTNER' as const }, /vendorId: is required/],
    [{ name: 'Partner Co', type: 'PARTNER' as const, vendorId: '00000000-0000-4000-8000-000000000000' }, /does not exist/],
    [{ name: 'Vendor Co', type: 'VENDOR' as const, vendorId: '00000000-0000-4000-8000-000000000000' }, /only allowed for a PARTNER/],
  ])('refuses %p with a clear error and writes nothing', async (input, message) => {
    const before = [await count('organizations'), await count('outbox')];
    await expect(organizations.create({ ...input, actor })).rejects.toThrow(message);
    expect([await count('organizations'), await count('outbox')]).toEqual(before);
  });

  it('links a partner to its vendor', async () => {
    const vendor = await organizations.create({ name: 'Vendor Co', type: 'VENDOR', actor });
    const partner = await organizations.create({ name: 'Partner Co', type: 'PARTNER', vendorId: vendor.id, actor });
    expect(partner.vendorId).toBe(vendor.id);
    await expect(organizations.create({ name: 'P2', type: 'PARTNER', vendorId: partner.id, actor })).rejects.toThrow(/is a PARTNER, not a VENDOR/);
  });

  it('grants and cancels with the reason, actor and one event each; a second cancel is refused', async () => {
    const organization = await organizations.create({ name: 'Globex', type: 'CUSTOMER', actor });
    const granted = await entitlements.grant({ organizationId: organization.id, class: 'PLG', product: 'SEO Plugin Pro', actor });
    clock.advance(60_000);
    const cancelled = await entitlements.cancel({ entitlementId: granted.id, reason: 'BUSINESS_CLOSURE', notes: 'closing', actor: 'staff-1' });
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'BUSINESS_CLOSURE',
      cancellationNotes: 'closing',
      cancelledBy: 'staff-1',
      cancelledAt: new Date('2026-11-01T09:01:00Z'),
    });
    await expect(entitlements.cancel({ entitlementId: granted.id, reason: 'OTHER', actor: 'staff-1' })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { currentStatus: 'CANCELLED' },
    });
    const events = (await outboxRows())
      .filter((row) => row.message_key === organization.id && row.type !== 'com.offboarding.entitlements.audit_recorded.v1')
      .map((row) => row.type);
    expect(events).toEqual([
      'com.offboarding.entitlements.organization_created.v1',
      'com.offboarding.entitlements.entitlement_granted.v1',
      'com.offboarding.entitlements.entitlement_cancelled.v1',
    ]);
    expect((await entitlements.findById(granted.id))?.cancellationReason).toBe('BUSINESS_CLOSURE');
  });

  it('refuses grants to a missing or archived organization without writing', async () => {
    const before = [await count('entitlements'), await count('outbox')];
    await expect(entitlements.grant({ organizationId: '00000000-0000-4000-8000-000000000000', class: 'ENV', product: 'x', actor })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const archived = await organizations.create({ name: 'Gone Ltd', type: 'CUSTOMER', actor });
    await db.dataSource.query(`UPDATE "${db.schema}".organizations SET status = 'ARCHIVED' WHERE id = $1`, [archived.id]);
    const outboxBefore = await count('outbox');
    await expect(entitlements.grant({ organizationId: archived.id, class: 'SVC', product: 'Support', actor })).rejects.toMatchObject({ code: 'ORGANIZATION_ARCHIVED' });
    expect(await count('entitlements')).toBe(before[0]);
    expect(await count('outbox')).toBe(outboxBefore);
  });

  it('pages organizations with cursors and hides archived ones unless asked', async () => {
    const all = await organizations.list({ includeArchived: true }, { first: 100, after: null });
    const visible = await organizations.list({ includeArchived: false }, { first: 100, after: null });
    expect(all.totalCount).toBe(visible.totalCount + 1);
    expect(visible.edges.every((edge) => edge.node.status !== 'ARCHIVED')).toBe(true);

    const first = await organizations.list({ includeArchived: true }, { first: 2, after: null });
    const second = await organizations.list({ includeArchived: true }, { first: 2, after: first.pageInfo.endCursor });
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.edges.map((e) => e.node.id)).toEqual(all.edges.slice(2, 4).map((e) => e.node.id));
    const vendors = await organizations.list({ includeArchived: false, type: 'VENDOR' }, { first: 10, after: null });
    expect(vendors.edges.map((e) => e.node.type)).toEqual(['VENDOR']);
  });
});
