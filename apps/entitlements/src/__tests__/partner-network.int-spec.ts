import { randomUUID } from 'node:crypto';
import { type Harness, openHarness } from './harness';

const actor = 'staff-1';
const STARTED = 'com.offboarding.entitlements.offboarding_started.v1';
const DAY_ZERO = 'com.offboarding.entitlements.offboarding_entitlements_cancelled.v1';

/** A vendor's offboarding is its partners' offboarding (SPEC §3.2), in the service that owns both. */
describe('a vendor offboarded with its partner network', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness({ now: '2026-03-01T10:00:00Z' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const organization = (type: 'VENDOR' | 'PARTNER' | 'CUSTOMER', vendorId: string | null = null) =>
    h.organizations.create({ name: `${type} ${randomUUID().slice(0, 8)}`, type, vendorId, actor });
  const grant = (organizationId: string, cls: 'PLG' | 'AFL' = 'AFL') => h.entitlements.grant({ organizationId, class: cls, product: `${cls} plan`, actor });
  const start = (organizationId: string, dayZero: string) => h.offboarding.start({ organizationId, reason: 'CONTRACT_END', dayZero, pointOfContact: 'Ana', actor });
  const payloads = async (organizationId: string, type: string) => (await h.events(organizationId)).filter((e) => e.type === type).map((e) => e.payload);
  const statusOf = async (id: string) => (await h.organizations.getById(id)).status;
  const openCount = async (organizationId: string) =>
    Number((await h.db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${h.db.schema}".entitlements WHERE organization_id = $1 AND status <> 'CANCELLED'`, [organizationId]))[0].n);

  it('starts every partner’s offboarding on the vendor’s day 0, supersedes a partner’s own, keeps an archived one archived', async () => {
    const vendor = await organization('VENDOR');
    await grant(vendor.id, 'PLG');
    const active = await organization('PARTNER', vendor.id);
    await grant(active.id);
    await grant(active.id, 'PLG');
    const leaving = await organization('PARTNER', vendor.id);
    await grant(leaving.id);
    const own = await start(leaving.id, '2026-04-01');
    const archived = await organization('PARTNER', vendor.id);
    await h.organizations.archive(archived.id, actor);
    const other = await organization('PARTNER', (await organization('VENDOR')).id);

    const vendorCase = await start(vendor.id, '2026-03-01');
    const partners = [active.id, leaving.id, archived.id].sort();
    expect((await payloads(vendor.id, STARTED))[0]).toMatchObject({ partnerOrganizationIds: partners, vendorCaseId: null, organizationType: 'VENDOR' });

    for (const partnerId of partners) {
      const partnerCase = await h.offboarding.currentCase(partnerId);
      expect(partnerCase).toMatchObject({ vendorCaseId: vendorCase.id, dayZero: '2026-03-01', reason: 'CONTRACT_END', status: 'ENTITLEMENTS_CANCELLED' });
      // The partner's timeline is the vendor's: its started event carries the vendor's case and policy.
      expect((await payloads(partnerId, STARTED)).at(-1)).toMatchObject({ vendorCaseId: vendorCase.id, vendorId: vendor.id, partnerOrganizationIds: [], policy: vendorCase.policySnapshot });
    }
    expect(await statusOf(active.id)).toBe('OFFBOARDING');
    expect(await statusOf(archived.id)).toBe('ARCHIVED');
    expect(await openCount(active.id)).toBe(0);
    expect(await payloads(active.id, DAY_ZERO)).toEqual([expect.objectContaining({ cancelledEntitlements: 2 })]);
    expect(await payloads(archived.id, DAY_ZERO)).toEqual([expect.objectContaining({ cancelledEntitlements: 0 })]);
    expect(await payloads(vendor.id, DAY_ZERO)).toEqual([expect.objectContaining({ caseId: vendorCase.id, cancelledEntitlements: 1 })]);
    // The partner's own offboarding gave way; a partner of another vendor is untouched.
    const superseded = await h.db.dataSource.query<{ status: string }[]>(`SELECT status FROM "${h.db.schema}".offboarding_cases WHERE id = $1`, [own.id]);
    expect(superseded[0].status).toBe('SUPERSEDED');
    expect(await h.offboarding.currentCase(other.id)).toBeNull();
    // Every step has its audit entry, on the organization it changed.
    const audited = async (id: string) => (await payloads(id, 'com.offboarding.entitlements.audit_recorded.v1')).map((entry) => entry.action);
    expect(await audited(leaving.id)).toEqual(expect.arrayContaining(['offboarding_case.supersede', 'organization.start_offboarding_with_vendor']));
    expect(await audited(archived.id)).toContain('organization.start_offboarding_with_vendor');

    // No partner joins a vendor on its way out; a partner's case is cancelled only with its vendor's.
    await expect(organization('PARTNER', vendor.id)).rejects.toMatchObject({ code: 'VENDOR_OFFBOARDING', message: expect.stringContaining('day 0 2026-03-01') });
    await expect(h.offboarding.cancel(active.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining("cancel the vendor's offboarding") });
    await expect(start(active.id, '2026-05-01')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('with its vendor') });
  });

  it("cancels the partners' offboarding with the vendor's before day 0, and the day-0 job takes the partners along otherwise", async () => {
    const vendor = await organization('VENDOR');
    const partner = await organization('PARTNER', vendor.id);
    await grant(partner.id);
    await start(vendor.id, '2026-03-10');
    expect(await statusOf(partner.id)).toBe('OFFBOARDING');
    await h.offboarding.cancel(vendor.id, actor);
    expect(await statusOf(vendor.id)).toBe('ACTIVE');
    expect(await statusOf(partner.id)).toBe('ACTIVE');
    expect(await h.offboarding.currentCase(partner.id)).toMatchObject({ status: 'CANCELLED' });
    expect(await payloads(partner.id, 'com.offboarding.entitlements.offboarding_cancelled.v1')).toHaveLength(1);
    await organization('PARTNER', vendor.id);

    const again = await start(vendor.id, '2026-03-06');
    h.clock.advanceDays(4);
    expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(0);
    h.clock.advanceDays(1);
    expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(3);
    expect(await h.offboarding.currentCase(partner.id)).toMatchObject({ vendorCaseId: again.id, status: 'ENTITLEMENTS_CANCELLED' });
    expect(await openCount(partner.id)).toBe(0);
    await expect(h.offboarding.cancel(vendor.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('can no longer be cancelled') });
  });

  it('archives the partners with the vendor, and archives a vendor whose offboarding completed', async () => {
    const vendor = await organization('VENDOR');
    const partner = await organization('PARTNER', vendor.id);
    const late = await organization('PARTNER', vendor.id);
    await grant(late.id);
    const dayZero = new Date(h.clock.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    const vendorCase = await start(vendor.id, dayZero);
    // Before day 0 a partner still has an entitlement: the vendor cannot be archived, and says why.
    await expect(h.organizations.archive(vendor.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining(`partner ${late.id}`) });
    const completed = {
      organizationId: vendor.id,
      caseId: randomUUID(),
      organizationType: 'VENDOR' as const,
      dayZero: vendorCase.dayZero,
      milestones: [],
      counts: { entitlementsCancelled: 0, usersDeactivated: 0, ssoConnectionsDeleted: 0, sessionsRevoked: 0, recordsMasked: 0, dataExports: 0 },
      partnerOrganizationIds: [partner.id, late.id],
      partnerCounts: { entitlementsCancelled: 0, usersDeactivated: 0, ssoConnectionsDeleted: 0, sessionsRevoked: 0, recordsMasked: 0, dataExports: 0 },
      purgeEligibleAt: '2027-03-01T00:00:00.000Z',
      completedAt: h.clock.now().toISOString(),
    };
    // The completion cannot archive either: it leaves everything as it was and says so.
    await h.db.dataSource.transaction((manager) => h.organizations.onOffboardingCompleted(manager, completed));
    expect(await statusOf(vendor.id)).toBe('OFFBOARDING');

    h.clock.advanceDays(3);
    await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now());
    await h.db.dataSource.transaction((manager) => h.organizations.onOffboardingCompleted(manager, completed));
    for (const id of [vendor.id, partner.id, late.id]) {
      expect(await statusOf(id)).toBe('ARCHIVED');
      expect(await payloads(id, 'com.offboarding.entitlements.organization_archived.v1')).toEqual([expect.objectContaining({ archivedBy: 'system:offboarding-completed' })]);
    }
    // A customer's completion changes nothing here (its SSO shutdown waits for an archive by staff).
    const customer = await organization('CUSTOMER');
    await start(customer.id, dayZero);
    await h.db.dataSource.transaction((manager) => h.organizations.onOffboardingCompleted(manager, { ...completed, organizationId: customer.id, organizationType: 'CUSTOMER' }));
    expect(await statusOf(customer.id)).toBe('OFFBOARDING');
  });
});
