import { randomUUID } from 'node:crypto';
import { type Harness, openHarness } from './harness';

const actor = 'staff-1';
const AUDIT = 'com.offboarding.entitlements.audit_recorded.v1';

describe('entitlement and organization lifecycle', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness({ now: '2026-03-01T10:00:00Z' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const customer = (name = `Customer ${randomUUID().slice(0, 8)}`) =>
    h.organizations.create({
      name,
      taxId: 'DE123456789',
      type: 'CUSTOMER',
      contacts: [{ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+49 30 1234567', address: 'Unter den Linden 1, Berlin' }],
      actor,
    });
  const grant = (organizationId: string, cls: 'PLG' | 'ENV' | 'SVC' | 'ORD' | 'AFL' | 'EDU' = 'PLG') =>
    h.entitlements.grant({ organizationId, class: cls, product: `${cls} plan`, actor });
  const domainTypes = async (organizationId: string) => (await h.events(organizationId)).map((e) => e.type).filter((t) => t !== AUDIT);
  const audits = async (organizationId: string) =>
    (await h.events(organizationId)).filter((e) => e.type === AUDIT).map((e) => e.payload);

  describe('cancellation policy', () => {
    it('snapshots the policy in force; editing the policy later changes nothing already cancelled', async () => {
      const org = await customer();
      await h.policies.set({ organizationId: org.id, portalVisibilityDays: 10, dataRetentionDays: 200, allowReactivation: true, reactivationWindowDays: 20, refundEligible: false, gracePeriodDays: 5, actor });
      const entitlement = await grant(org.id);
      const cancelled = await h.entitlements.cancel({ entitlementId: entitlement.id, reason: 'CUSTOMER_REQUEST', actor });
      expect(cancelled.policySnapshot).toEqual({ portalVisibilityDays: 10, dataRetentionDays: 200, allowReactivation: true, reactivationWindowDays: 20, refundEligible: false, gracePeriodDays: 5 });
      expect(cancelled.reactivatableUntil?.toISOString()).toBe('2026-03-21T10:00:00.000Z');
      expect(cancelled.portalVisibleUntil?.toISOString()).toBe('2026-03-11T10:00:00.000Z');

      await h.policies.set({ organizationId: org.id, portalVisibilityDays: 1, dataRetentionDays: 1, allowReactivation: false, reactivationWindowDays: 1, refundEligible: true, gracePeriodDays: 1, actor });
      const reread = await h.entitlements.findById(entitlement.id);
      expect(reread?.policySnapshot?.reactivationWindowDays).toBe(20);
      expect(reread?.reactivatableUntil?.toISOString()).toBe('2026-03-21T10:00:00.000Z');
      const event = (await h.events(org.id)).find((e) => e.type === 'com.offboarding.entitlements.entitlement_cancelled.v1');
      expect(event?.payload).toMatchObject({ policy: { reactivationWindowDays: 20 }, remainingActiveEntitlements: 0, reactivatableUntil: '2026-03-21T10:00:00.000Z' });
    });

    it('falls back from the organization override to the global policy to the SPEC defaults', async () => {
      const org = await customer();
      expect(await h.policies.effective(org.id)).toMatchObject({ scope: 'DEFAULT', portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30 });
      await h.policies.set({ organizationId: null, portalVisibilityDays: 60, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30, actor });
      expect(await h.policies.effective(org.id)).toMatchObject({ scope: 'GLOBAL', portalVisibilityDays: 60 });
      await h.policies.set({ organizationId: null, portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30, actor });
      await expect(h.policies.set({ organizationId: null, portalVisibilityDays: -1, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30, actor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('quotes a prorated refund for unused prepaid time when refund-eligible, and publishes it', async () => {
      const org = await customer();
      await h.policies.set({ organizationId: org.id, portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: true, gracePeriodDays: 30, actor });
      const entitlement = await h.entitlements.grant({
        organizationId: org.id,
        class: 'SVC',
        product: 'Managed support',
        prepaid: { amountMinor: 36_500, currency: 'EUR', from: new Date('2026-01-01T10:00:00Z'), until: new Date('2027-01-01T10:00:00Z') },
        actor,
      });
      const cancelled = await h.entitlements.cancel({ entitlementId: entitlement.id, reason: 'SWITCHING_PROVIDER', actor });
      // 2026-03-01 → 2027-01-01 is 306 unused days of 365.
      expect(cancelled.refundQuote).toMatchObject({ amountMinor: 30_600, currency: 'EUR', unusedDays: 306, prepaidDays: 365 });
      const quoted = (await h.events(org.id)).find((e) => e.type === 'com.offboarding.entitlements.refund_quoted.v1');
      expect(quoted?.payload).toMatchObject({ entitlementId: entitlement.id, amountMinor: 30_600, currency: 'EUR' });
    });
  });

  describe('non-payment', () => {
    it('suspends with a grace period, restores on recovery, and refuses what the state does not allow', async () => {
      const org = await customer();
      const entitlement = await grant(org.id, 'ENV');
      const suspended = await h.entitlements.recordPaymentFailure(entitlement.id, actor);
      expect(suspended).toMatchObject({ status: 'SUSPENDED', suspensionReason: 'NON_PAYMENT' });
      expect(suspended.graceEndsAt?.toISOString()).toBe('2026-03-31T10:00:00.000Z');
      await expect(h.entitlements.recordPaymentFailure(entitlement.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: 'SUSPENDED' } });
      await expect(h.entitlements.resume(entitlement.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/SUSPENDED for NON_PAYMENT/) });
      const restored = await h.entitlements.recordPaymentRecovered(entitlement.id, actor);
      expect(restored).toMatchObject({ status: 'ACTIVE', suspensionReason: null, graceEndsAt: null });
      await expect(h.entitlements.recordPaymentRecovered(entitlement.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: 'ACTIVE' } });
      expect(await domainTypes(org.id)).toEqual([
        'com.offboarding.entitlements.organization_created.v1',
        'com.offboarding.entitlements.contact_added.v1',
        'com.offboarding.entitlements.entitlement_granted.v1',
        'com.offboarding.entitlements.entitlement_suspended.v1',
        'com.offboarding.entitlements.entitlement_resumed.v1',
      ]);
      expect((await audits(org.id)).map((a) => [a.action, a.beforeStatus, a.afterStatus, a.reason])).toEqual([
        ['organization.create', null, 'ACTIVE', null],
        ['entitlement.grant', null, 'ACTIVE', null],
        ['entitlement.payment_failed', 'ACTIVE', 'SUSPENDED', 'NON_PAYMENT'],
        ['entitlement.payment_recovered', 'SUSPENDED', 'ACTIVE', 'NON_PAYMENT'],
      ]);
    });

    it('cancels with NON_PAYMENT once the grace period has passed, exactly once, and leaves the rest', async () => {
      const org = await customer();
      const unpaid = await grant(org.id, 'PLG');
      const paid = await grant(org.id, 'SVC');
      await h.entitlements.recordPaymentFailure(unpaid.id, actor);
      h.clock.advanceDays(29);
      expect(await h.entitlements.cancelExpiredGracePeriods(h.clock.now())).toBe(0);
      h.clock.advanceDays(2);
      expect(await h.entitlements.cancelExpiredGracePeriods(h.clock.now())).toBe(1);
      expect(await h.entitlements.cancelExpiredGracePeriods(h.clock.now())).toBe(0);
      expect(await h.entitlements.findById(unpaid.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'NON_PAYMENT', cancelledBy: 'system:grace-period-sweep' });
      expect(await h.entitlements.findById(paid.id)).toMatchObject({ status: 'ACTIVE' });
      expect((await domainTypes(org.id)).filter((t) => t.endsWith('entitlement_cancelled.v1'))).toHaveLength(1);
    });
  });

  describe('reactivation', () => {
    it('reactivates inside the window with a new reference and refuses outside it', async () => {
      const org = await customer();
      const inside = await grant(org.id);
      const outside = await grant(org.id, 'EDU');
      await h.entitlements.cancel({ entitlementId: inside.id, reason: 'CUSTOMER_REQUEST', actor });
      await h.entitlements.cancel({ entitlementId: outside.id, reason: 'CUSTOMER_REQUEST', actor });
      await expect(h.entitlements.reactivate({ entitlementId: inside.id, reference: '  ', actor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      h.clock.advanceDays(89);
      const back = await h.entitlements.reactivate({ entitlementId: inside.id, reference: 'ORDER-2026-77', actor });
      expect(back).toMatchObject({ status: 'ACTIVE', orderReference: 'ORDER-2026-77', cancelledAt: null, policySnapshot: null });
      await expect(h.entitlements.reactivate({ entitlementId: inside.id, reference: 'ORDER-2', actor })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: 'ACTIVE' } });
      h.clock.advanceDays(2);
      await expect(h.entitlements.reactivate({ entitlementId: outside.id, reference: 'ORDER-2026-78', actor })).rejects.toMatchObject({
        code: 'REACTIVATION_WINDOW_CLOSED',
        message: expect.stringMatching(/window closed at/),
      });
      expect(await h.entitlements.findById(outside.id)).toMatchObject({ status: 'CANCELLED' });
      const reactivated = (await h.events(org.id)).find((e) => e.type === 'com.offboarding.entitlements.entitlement_reactivated.v1');
      expect(reactivated?.payload).toMatchObject({ entitlementId: inside.id, reference: 'ORDER-2026-77', class: 'PLG' });
    });

    it('refuses reactivation when the policy forbids it or once the PII was masked', async () => {
      const org = await customer();
      await h.policies.set({ organizationId: org.id, portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: false, reactivationWindowDays: 90, refundEligible: false, gracePeriodDays: 30, actor });
      const forbidden = await grant(org.id);
      await h.entitlements.cancel({ entitlementId: forbidden.id, reason: 'OTHER', actor });
      await expect(h.entitlements.reactivate({ entitlementId: forbidden.id, reference: 'R-1', actor })).rejects.toMatchObject({ code: 'REACTIVATION_WINDOW_CLOSED', message: expect.stringMatching(/does not allow/) });

      const masked = await customer();
      const entitlement = await grant(masked.id);
      await h.entitlements.cancel({ entitlementId: entitlement.id, reason: 'OTHER', actor });
      await h.db.dataSource.transaction((m) =>
        h.dataLifecycle.onMaskingRequested(m, { organizationId: masked.id, requestId: randomUUID(), maskingKeyRef: 'ref', requestedAt: h.clock.now().toISOString() }),
      );
      await expect(h.entitlements.reactivate({ entitlementId: entitlement.id, reference: 'R-2', actor })).rejects.toMatchObject({ code: 'REACTIVATION_WINDOW_CLOSED', message: expect.stringMatching(/masked or purged/) });
    });
  });

  describe('archive', () => {
    it('archives only when every entitlement is cancelled, listing the ones that are not', async () => {
      const org = await customer();
      const a = await grant(org.id, 'PLG');
      h.clock.advanceMs(1);
      const b = await grant(org.id, 'SVC');
      await h.entitlements.recordPaymentFailure(b.id, actor);
      const error = await h.organizations.archive(org.id, actor).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_TRANSITION', details: { openEntitlementIds: [a.id, b.id] } });
      expect((error as Error).message).toMatch(new RegExp(`${a.id} \\(PLG PLG plan, ACTIVE\\).*${b.id} \\(SVC SVC plan, SUSPENDED\\)`));
      await h.entitlements.cancel({ entitlementId: a.id, reason: 'CONTRACT_END', actor });
      await h.entitlements.cancel({ entitlementId: b.id, reason: 'CONTRACT_END', actor });
      const archived = await h.organizations.archive(org.id, actor);
      expect(archived).toMatchObject({ status: 'ARCHIVED' });
      expect(archived.archivedAt).toEqual(h.clock.now());

      const listed = await h.organizations.list({ includeArchived: false }, { first: 100, after: null });
      expect(listed.edges.some((edge) => edge.node.id === org.id)).toBe(false);
      const all = await h.organizations.list({ includeArchived: true }, { first: 100, after: null });
      expect(all.edges.some((edge) => edge.node.id === org.id)).toBe(true);

      const ordersBefore = await h.count('orders');
      await expect(h.records.createOrder({ organizationId: org.id, reference: 'PO-1', description: 'Seats', amountMinor: 100, currency: 'EUR' }, actor)).rejects.toMatchObject({ code: 'ORGANIZATION_ARCHIVED' });
      await expect(h.records.createQuote({ organizationId: org.id, reference: 'Q-1', description: 'Seats', amountMinor: 100, currency: 'EUR' }, actor)).rejects.toMatchObject({ code: 'ORGANIZATION_ARCHIVED' });
      expect(await h.count('orders')).toBe(ordersBefore);
      await expect(h.organizations.archive(org.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { currentStatus: 'ARCHIVED' } });
    });

    it('unarchives within the reactivation window only, and reactivation unarchives', async () => {
      const org = await customer();
      const entitlement = await grant(org.id);
      await h.entitlements.cancel({ entitlementId: entitlement.id, reason: 'CONTRACT_END', actor });
      await h.organizations.archive(org.id, actor);
      expect(await h.organizations.unarchive(org.id, actor)).toMatchObject({ status: 'ACTIVE', archivedAt: null });
      await h.organizations.archive(org.id, actor);
      const back = await h.entitlements.reactivate({ entitlementId: entitlement.id, reference: 'WINBACK-1', actor });
      expect(back.status).toBe('ACTIVE');
      expect(await h.organizations.getById(org.id)).toMatchObject({ status: 'ACTIVE' });
      expect(await domainTypes(org.id)).toContain('com.offboarding.entitlements.organization_unarchived.v1');

      const late = await customer();
      const lateEntitlement = await grant(late.id);
      await h.entitlements.cancel({ entitlementId: lateEntitlement.id, reason: 'CONTRACT_END', actor });
      await h.organizations.archive(late.id, actor);
      h.clock.advanceDays(91);
      await expect(h.organizations.unarchive(late.id, actor)).rejects.toMatchObject({ code: 'REACTIVATION_WINDOW_CLOSED' });
      expect(await h.organizations.getById(late.id)).toMatchObject({ status: 'ARCHIVED' });
    });
  });

  describe('offboarding', () => {
    it('with day 0 today cancels every open entitlement at once with the reason and publishes the start', async () => {
      const org = await customer();
      const a = await grant(org.id, 'PLG');
      const b = await grant(org.id, 'AFL');
      await h.entitlements.recordPaymentFailure(b.id, actor);
      const today = h.clock.now().toISOString().slice(0, 10);
      const started = await h.offboarding.start({ organizationId: org.id, reason: 'BUSINESS_CLOSURE', dayZero: today, pointOfContact: 'account-manager-7', notes: 'closing down', actor });
      expect(started).toMatchObject({ status: 'ENTITLEMENTS_CANCELLED', dayZero: today });
      for (const id of [a.id, b.id]) expect(await h.entitlements.findById(id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'BUSINESS_CLOSURE' });
      expect(await h.organizations.getById(org.id)).toMatchObject({ status: 'OFFBOARDING' });
      const event = (await h.events(org.id)).find((e) => e.type === 'com.offboarding.entitlements.offboarding_started.v1');
      expect(event?.payload).toMatchObject({ organizationType: 'CUSTOMER', dayZero: today, reason: 'BUSINESS_CLOSURE', policy: { dataRetentionDays: 365 } });
      expect(JSON.stringify(event?.payload)).not.toMatch(/closing down|account-manager/);
      await expect(h.offboarding.start({ organizationId: org.id, reason: 'OTHER', dayZero: today, pointOfContact: 'x', actor })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(h.offboarding.cancel(org.id, actor)).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    });

    it('cancels them all with one statement per change set, publishing per entitlement in order: cancellation, refund, audit entry', async () => {
      const org = await customer();
      await h.policies.set({ organizationId: org.id, portalVisibilityDays: 90, dataRetentionDays: 365, allowReactivation: true, reactivationWindowDays: 90, refundEligible: true, gracePeriodDays: 30, actor });
      const plain = await grant(org.id, 'PLG');
      const prepaid = await h.entitlements.grant({
        organizationId: org.id,
        class: 'SVC',
        product: 'Managed support',
        prepaid: { amountMinor: 36_500, currency: 'EUR', from: new Date('2026-01-01T10:00:00Z'), until: new Date('2027-01-01T10:00:00Z') },
        actor,
      });
      const third = await grant(org.id, 'ENV');
      const before = (await h.events(org.id)).length;
      const today = h.clock.now().toISOString().slice(0, 10);
      await h.offboarding.start({ organizationId: org.id, reason: 'CONTRACT_END', dayZero: today, pointOfContact: 'am-1', actor });
      const events = (await h.events(org.id)).slice(before);
      const summary = events.map((e) => {
        const kind = e.type.split('.')[3];
        if (kind === 'audit_recorded') return `audit ${String(e.payload.action)} ${String(e.payload.subjectId === org.id ? 'org' : e.payload.subjectId)}`;
        if (kind === 'entitlement_cancelled') return `cancelled ${String(e.payload.entitlementId)} remaining ${String(e.payload.remainingActiveEntitlements)}`;
        if (kind === 'refund_quoted') return `refund ${String(e.payload.entitlementId)} ${String(e.payload.amountMinor)}`;
        return kind;
      });
      // Cancelled in lock order: creation time, then id (the test clock stands still, so by id).
      const [first, second, last] = [plain, prepaid, third].map((entitlement) => entitlement.id).sort();
      const quote = (await h.entitlements.findById(prepaid.id))?.refundQuote;
      expect(quote?.amountMinor).toBeGreaterThan(0);
      const refund = (id: string) => (id === prepaid.id ? [`refund ${id} ${quote?.amountMinor}`] : []);
      expect(summary).toEqual([
        'offboarding_started',
        'audit organization.start_offboarding org',
        ...[first, second, last].flatMap((id, index) => [`cancelled ${id} remaining ${2 - index}`, ...refund(id), `audit entitlement.cancel ${id}`]),
        'offboarding_entitlements_cancelled',
      ]);
      for (const entitlement of [plain, prepaid, third]) {
        expect(await h.entitlements.findById(entitlement.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CONTRACT_END', suspendedAt: null });
      }
      expect((await h.entitlements.findById(plain.id))?.refundQuote).toBeNull();
      expect((await h.organizations.getById(org.id)).cancelledAt).not.toBeNull();
    });

    it('with a future day 0 cancels on that day through the job, and can be called off before it', async () => {
      const org = await customer();
      const entitlement = await grant(org.id, 'ENV');
      const dayZero = new Date(h.clock.now().getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
      const started = await h.offboarding.start({ organizationId: org.id, reason: 'CONTRACT_END', dayZero, pointOfContact: 'am-1', actor });
      expect(started.status).toBe('SCHEDULED');
      expect(await h.entitlements.findById(entitlement.id)).toMatchObject({ status: 'ACTIVE' });
      h.clock.advanceDays(9);
      expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(0);
      h.clock.advanceDays(1);
      expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(1);
      expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(0);
      expect(await h.entitlements.findById(entitlement.id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CONTRACT_END', cancelledBy: 'system:offboarding-day-zero' });

      const other = await customer();
      const kept = await grant(other.id);
      const later = new Date(h.clock.now().getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
      await h.offboarding.start({ organizationId: other.id, reason: 'CONTRACT_END', dayZero: later, pointOfContact: 'am-1', actor });
      expect(await h.offboarding.cancel(other.id, actor)).toMatchObject({ status: 'CANCELLED' });
      expect(await h.organizations.getById(other.id)).toMatchObject({ status: 'ACTIVE' });
      h.clock.advanceDays(6);
      expect(await h.offboarding.cancelEntitlementsOnDayZero(h.clock.now())).toBe(0);
      expect(await h.entitlements.findById(kept.id)).toMatchObject({ status: 'ACTIVE' });
      expect(await domainTypes(other.id)).toContain('com.offboarding.entitlements.offboarding_cancelled.v1');
    });

    it('refuses bad input and changes nothing', async () => {
      const org = await customer();
      const before = await h.count('offboarding_cases');
      await expect(h.offboarding.start({ organizationId: org.id, reason: 'OTHER', dayZero: '2026-02-30', pointOfContact: 'am', actor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(h.offboarding.start({ organizationId: org.id, reason: 'OTHER', dayZero: '2026-03-01', pointOfContact: ' ', actor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(h.offboarding.start({ organizationId: randomUUID(), reason: 'OTHER', dayZero: '2026-03-01', pointOfContact: 'am', actor })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.count('offboarding_cases')).toBe(before);
      expect(await h.organizations.getById(org.id)).toMatchObject({ status: 'ACTIVE' });
    });
  });

  describe('masking and purge', () => {
    it('masks contacts with the keyed hash, consistently, and confirms once', async () => {
      const org = await customer();
      const requestId = randomUUID();
      await h.db.dataSource.transaction((m) =>
        h.dataLifecycle.onMaskingRequested(m, { organizationId: org.id, requestId, maskingKeyRef: 'ref', requestedAt: h.clock.now().toISOString() }),
      );
      const [contact] = (await h.organizations.listContacts(org.id, { first: 10, after: null })).edges.map((e) => e.node);
      expect(contact.email).toMatch(/^masked:[0-9a-f]{64}$/);
      expect(contact.name).not.toContain('Ada');
      expect(contact.maskedAt).not.toBeNull();
      const confirmation = (await h.events(org.id)).find((e) => e.type === 'com.offboarding.entitlements.pii_masked.v1');
      expect(confirmation?.payload).toMatchObject({ requestId, maskedRecords: 1 });
      expect(JSON.stringify(await h.db.dataSource.query(`SELECT * FROM "${h.db.schema}".organization_contacts WHERE organization_id = $1`, [org.id]))).not.toMatch(/ada@example\.com|Lovelace|Linden/);
    });

    it('purges in bounded batches down to the tombstone, confirms with counts, and leaves other organizations alone', async () => {
      const doomed = await customer('Doomed GmbH');
      const bystander = await customer('Bystander AG');
      for (const org of [doomed, bystander]) {
        const e = await grant(org.id, 'SVC');
        for (let i = 0; i < 7; i += 1) await h.records.createOrder({ organizationId: org.id, reference: `PO-${i}`, description: 'Order', amountMinor: 100 * i, currency: 'EUR' }, actor);
        await h.records.createInvoice({ organizationId: org.id, number: 'INV-1', amountMinor: 500, currency: 'EUR', dueInDays: 14 }, actor);
        await h.records.addDocument({ organizationId: org.id, title: 'Contract', kind: 'CONTRACT', contentType: 'text/plain', content: 'terms' }, actor);
        await h.entitlements.cancel({ entitlementId: e.id, reason: 'CONTRACT_END', actor });
      }
      const bystanderCounts = await Promise.all(['orders', 'invoices', 'documents', 'entitlements', 'organization_contacts'].map((t) => h.count(t, bystander.id)));

      const open = await customer();
      await grant(open.id);
      await h.organizations.archive(doomed.id, actor);
      await expect(
        h.db.dataSource.transaction((m) => h.dataLifecycle.onPurgeRequested(m, { organizationId: open.id, requestId: randomUUID(), requestedAt: h.clock.now().toISOString() })),
      ).rejects.toThrow(/not cancelled/);

      const requestId = randomUUID();
      await h.db.dataSource.transaction((m) => h.dataLifecycle.onPurgeRequested(m, { organizationId: doomed.id, requestId, requestedAt: h.clock.now().toISOString() }));
      await h.db.dataSource.transaction((m) => h.dataLifecycle.onPurgeRequested(m, { organizationId: doomed.id, requestId, requestedAt: h.clock.now().toISOString() }));
      await h.dataLifecycle.purgePending(3);
      await h.dataLifecycle.purgePending(3);

      for (const table of ['orders', 'invoices', 'documents', 'entitlements', 'organization_contacts', 'offboarding_cases', 'quotes']) {
        expect(await h.count(table, doomed.id)).toBe(0);
      }
      const tombstone = await h.organizations.getById(doomed.id);
      expect(tombstone).toMatchObject({ id: doomed.id, name: 'Doomed GmbH', taxId: 'DE123456789', status: 'PURGED' });
      expect(tombstone.purgedAt).not.toBeNull();
      expect(tombstone.archivedAt).not.toBeNull();
      expect(tombstone.cancelledAt).not.toBeNull();
      const confirmations = (await h.events(doomed.id)).filter((e) => e.type === 'com.offboarding.entitlements.organization_purged.v1');
      expect(confirmations).toHaveLength(1);
      expect(confirmations[0].payload).toMatchObject({
        requestId,
        deleted: { orders: 7, invoices: 1, documents: 1, entitlements: 1, organization_contacts: 1, quotes: 0, offboarding_cases: 0, cancellation_policies: 0 },
      });
      expect(await Promise.all(['orders', 'invoices', 'documents', 'entitlements', 'organization_contacts'].map((t) => h.count(t, bystander.id)))).toEqual(bystanderCounts);
    });
  });
});
