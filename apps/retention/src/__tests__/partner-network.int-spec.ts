import { randomUUID } from 'node:crypto';
import { type Harness, openHarness, policy } from './harness';

const day0 = '2025-01-01T09:00:00.000Z';
const NONE = { entitlementsCancelled: 0, usersDeactivated: 0, ssoConnectionsDeleted: 0, sessionsRevoked: 0, recordsMasked: 0, dataExports: 0 };

/**
 * The retention side of a vendor's offboarding: partner cases on the vendor's timeline, vendor
 * milestones done only with every partner's, the invariants of masking, notices and the letter.
 */
describe('retention: a vendor and its partners on one timeline', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: day0 });
  });
  afterAll(() => h?.close());

  const created = async (type: 'VENDOR' | 'PARTNER' | 'CUSTOMER', vendorId: string | null = null) => {
    const organizationId = randomUUID();
    await h.deliver('com.offboarding.entitlements.organization_created.v1', { organizationId, type, vendorId, createdAt: h.clock.now().toISOString() });
    return organizationId;
  };
  const started = (organizationId: string, caseId: string, type: 'VENDOR' | 'PARTNER', extra: { vendorId?: string; vendorCaseId?: string; partnerOrganizationIds?: string[] }) =>
    h.deliver('com.offboarding.entitlements.offboarding_started.v1', {
      organizationId,
      caseId,
      organizationType: type,
      vendorId: extra.vendorId ?? null,
      reason: 'CONTRACT_END',
      dayZero: h.clock.now().toISOString().slice(0, 10),
      policy,
      startedAt: h.clock.now().toISOString(),
      startedBy: 'admin-1',
      partnerOrganizationIds: extra.partnerOrganizationIds ?? [],
      vendorCaseId: extra.vendorCaseId ?? null,
    });
  const dayZeroDone = (organizationId: string, caseId: string, cancelled = 1) =>
    h.deliver('com.offboarding.entitlements.offboarding_entitlements_cancelled.v1', { organizationId, caseId, cancelledEntitlements: cancelled, cancelledAt: h.clock.now().toISOString() });
  const rows = async (organizationId: string) => {
    const latest = await h.timeline.latestCase(organizationId);
    return Object.fromEntries((await h.timeline.milestones(latest!.id)).map((row) => [row.milestone, row]));
  };
  const published = async (organizationId: string, type: string) => (await h.published(organizationId)).filter((event) => event.type === type).map((event) => event.payload);
  const requestOf = async (organizationId: string, type: string) => (await published(organizationId, type)).at(-1) as { requestId: string; maskingKeyRef?: string } | undefined;

  /** A vendor with two partners, day 0 today; the partners' events may arrive before the vendor's. */
  async function network(partnersFirst = false) {
    const vendor = await created('VENDOR');
    const partners = [await created('PARTNER', vendor), await created('PARTNER', vendor)];
    const vendorCase = randomUUID();
    const partnerCases = [randomUUID(), randomUUID()];
    const startPartners = async () => {
      for (const [index, partner] of partners.entries()) await started(partner, partnerCases[index], 'PARTNER', { vendorId: vendor, vendorCaseId: vendorCase });
    };
    if (partnersFirst) await startPartners();
    await started(vendor, vendorCase, 'VENDOR', { partnerOrganizationIds: partners });
    if (!partnersFirst) await startPartners();
    return { vendor, partners, vendorCase, partnerCases };
  }

  async function confirmSso(organizationId: string, deactivatedUsers = 1) {
    const request = await requestOf(organizationId, 'com.offboarding.retention.sso_shutdown_requested.v1');
    await h.deliver('com.offboarding.identity.sso_shutdown_completed.v1', {
      organizationId,
      requestId: request!.requestId,
      deactivatedUsers,
      deletedConnections: 1,
      revokedSessions: 2,
      completedAt: h.clock.now().toISOString(),
    });
  }
  async function confirmMasking(organizationId: string) {
    const request = await requestOf(organizationId, 'com.offboarding.retention.pii_masking_requested.v1');
    for (const service of ['entitlements', 'provisioning', 'identity'] as const) {
      await h.deliver(`com.offboarding.${service}.pii_masked.v1`, { organizationId, requestId: request!.requestId, maskedRecords: 2, maskedAt: h.clock.now().toISOString() });
    }
  }

  it("runs partner cases on the vendor's policy and dates, whichever event arrives first", async () => {
    // The vendor's policy decides the partners' timeline: its override, not the partner's own type.
    const { vendor, partners } = await network(true);
    const vendorCase = (await h.timeline.latestCase(vendor))!;
    expect(vendorCase.partnerOrganizationIds).toEqual(partners);
    for (const partner of partners) {
      const partnerCase = (await h.timeline.latestCase(partner))!;
      expect(partnerCase).toMatchObject({ vendorOrganizationId: vendor, vendorSourceCaseId: vendorCase.sourceCaseId, organizationType: 'PARTNER' });
      expect(partnerCase.exportWindowClosesAt.toISOString()).toBe('2025-01-08T00:00:00.000Z');
      const dates = Object.fromEntries(Object.entries(await rows(partner)).map(([kind, row]) => [kind, row.dueAt?.toISOString()]));
      const vendorDates = Object.fromEntries(Object.entries(await rows(vendor)).map(([kind, row]) => [kind, row.dueAt?.toISOString()]));
      expect(dates).toEqual(vendorDates);
      expect((await rows(partner)).SSO_SHUTDOWN.dueRule).toBe("day 30 (the vendor's timeline)");
    }
  });

  it("completes a vendor's milestone only with every partner's; a blocked partner blocks the vendor and says why", async () => {
    const { vendor, partners, vendorCase, partnerCases } = await network();
    await dayZeroDone(vendor, vendorCase, 2);
    expect((await rows(vendor)).ENTITLEMENTS_CANCELLED).toMatchObject({ status: 'PENDING', ownCompletedAt: expect.any(Date) });
    await dayZeroDone(partners[0], partnerCases[0]);
    expect((await rows(vendor)).ENTITLEMENTS_CANCELLED.status).toBe('PENDING');
    await dayZeroDone(partners[1], partnerCases[1], 0);
    expect((await rows(vendor)).ENTITLEMENTS_CANCELLED.status).toBe('DONE');

    // Day 7: every window closes; a partner may no longer export, the vendor's admins still may.
    h.clock.advanceDays(7);
    await h.runJob('timeline-tick');
    await h.runJob('timeline-tick');
    expect((await rows(vendor)).EXPORT_WINDOW_CLOSES.status).toBe('DONE');
    await expect(h.exports.request({ organizationId: partners[0], actor: 'partner-user', role: 'PARTNER_USER' })).rejects.toMatchObject({ code: 'EXPORT_WINDOW_CLOSED' });

    // Day 30: the second partner is on hold. Masking waits for the end of access everywhere.
    await h.admin.placeLegalHold({ organizationId: partners[1], reason: 'dispute with a customer', actor: 'admin-1' });
    h.clock.advanceDays(23);
    await h.runJob('timeline-tick');
    for (const id of [vendor, ...partners]) {
      expect(await requestOf(id, 'com.offboarding.retention.sso_shutdown_requested.v1')).toBeDefined();
      expect(await requestOf(id, 'com.offboarding.retention.pii_masking_requested.v1')).toBeUndefined();
    }
    await confirmSso(vendor, 3);
    for (const partner of partners) await confirmSso(partner, 0);
    expect((await rows(vendor)).SSO_SHUTDOWN.status).toBe('DONE');
    // Access ended: masking went out at once, except for the partner on hold.
    expect(await requestOf(partners[0], 'com.offboarding.retention.pii_masking_requested.v1')).toBeDefined();
    expect(await requestOf(partners[1], 'com.offboarding.retention.pii_masking_requested.v1')).toBeUndefined();
    await confirmMasking(vendor);
    await confirmMasking(partners[0]);
    expect((await rows(vendor)).PII_MASKED).toMatchObject({ status: 'PENDING', ownCompletedAt: expect.any(Date) });
    await h.runJob('timeline-tick');
    await h.runJob('timeline-tick');
    const blocked = (await rows(vendor)).PII_MASKED;
    expect(blocked).toMatchObject({ status: 'BLOCKED', blockedReason: expect.stringMatching(new RegExp(`^waiting for partner ${partners[1]}: legal hold since`)) });
    expect((await rows(partners[1])).PII_MASKED).toMatchObject({ status: 'BLOCKED', requestId: null });

    // Released: the partner is masked at the next tick, and the vendor's milestone is done with it.
    await h.admin.releaseLegalHold({ organizationId: partners[1], reason: 'dispute settled', actor: 'admin-2' });
    await h.runJob('timeline-tick');
    await confirmMasking(partners[1]);
    expect((await rows(vendor)).PII_MASKED).toMatchObject({ status: 'DONE', blockedReason: null });
    expect(await published(vendor, 'com.offboarding.retention.milestone_completed.v1')).toContainEqual(expect.objectContaining({ milestone: 'PII_MASKED' }));

    // Day 90: the final confirmation of the vendor comes with every partner's, and says what was done.
    h.clock.advanceDays(60);
    await h.runJob('timeline-tick');
    for (const id of [vendor, ...partners]) {
      const portal = await requestOf(id, 'com.offboarding.retention.portal_hide_requested.v1');
      await h.deliver('com.offboarding.identity.portal_access_disabled.v1', { organizationId: id, requestId: portal!.requestId, disabledAt: h.clock.now().toISOString() });
    }
    await h.runJob('timeline-tick');
    await h.runJob('timeline-tick');
    expect((await rows(vendor)).FINAL_CONFIRMATION.status).toBe('DONE');
    const [letter] = await published(vendor, 'com.offboarding.retention.offboarding_completed.v1');
    expect(letter).toMatchObject({
      organizationType: 'VENDOR',
      partnerOrganizationIds: partners,
      counts: { ...NONE, entitlementsCancelled: 2, usersDeactivated: 3, ssoConnectionsDeleted: 1, sessionsRevoked: 2, recordsMasked: 6 },
      partnerCounts: { ...NONE, entitlementsCancelled: 1, usersDeactivated: 0, ssoConnectionsDeleted: 2, sessionsRevoked: 4, recordsMasked: 12 },
    });
    expect((letter as { milestones: { milestone: string; status: string }[] }).milestones.map((m) => `${m.milestone}:${m.status}`)).toEqual([
      'ENTITLEMENTS_CANCELLED:DONE',
      'EXPORT_WINDOW_CLOSES:DONE',
      'SSO_SHUTDOWN:DONE',
      'PII_MASKED:DONE',
      'PORTAL_HIDDEN:DONE',
      'FINAL_CONFIRMATION:DONE',
      'PURGE_ELIGIBLE:PENDING',
    ]);
    for (const partner of partners) expect(await published(partner, 'com.offboarding.retention.offboarding_completed.v1')).toHaveLength(1);

    // Day 365: the partners are purge-eligible with the vendor and purged with it, never while held.
    h.clock.advanceDays(275);
    await h.runJob('timeline-tick');
    for (const id of [vendor, ...partners]) expect((await h.timeline.latestCase(id))!.status).toBe('PURGE_QUEUED');
    await expect(h.admin.approvePurge(partners[0], 'admin-3')).rejects.toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining('approve the vendor') });
    await h.admin.placeLegalHold({ organizationId: vendor, reason: 'regulator', actor: 'admin-3' });
    await expect(h.admin.approvePurge(vendor, 'admin-4')).rejects.toMatchObject({ code: 'LEGAL_HOLD' });
    await h.admin.releaseLegalHold({ organizationId: vendor, reason: 'regulator done', actor: 'admin-3' });
    // The partner released earlier by admin-2 and the vendor released by admin-3: neither may approve their network.
    await expect(h.admin.approvePurge(vendor, 'admin-3')).rejects.toMatchObject({ code: 'FOUR_EYES_REQUIRED' });
    await h.admin.approvePurge(vendor, 'admin-4');
    for (const id of [vendor, ...partners]) expect(await published(id, 'com.offboarding.retention.purge_approved.v1')).toEqual([expect.objectContaining({ approvedBy: 'admin-4' })]);
    expect(await h.runJob('purge')).toBe(3);
  });

  it('never masks inside an open export window and never before the end of access, and refuses to extend a window once masking started', async () => {
    const vendor = await created('VENDOR');
    const vendorCase = randomUUID();
    // An override that would mask on day 3, inside the 7-day window, and shut SSO down after it.
    await h.timeline.setPolicy({ organizationId: vendor, piiMaskingDays: 3, ssoShutdownDays: 60, actor: 'admin-1' });
    await started(vendor, vendorCase, 'VENDOR', {});
    const dates = await rows(vendor);
    expect(dates.PII_MASKED.dueAt!.getTime()).toBe(dates.EXPORT_WINDOW_CLOSES.dueAt!.getTime());
    expect(dates.SSO_SHUTDOWN.dueAt!.getTime()).toBeLessThanOrEqual(dates.PII_MASKED.dueAt!.getTime());

    // The window is extended before anything ends: everything that ends access moves after it.
    const before = dates.EXPORT_WINDOW_CLOSES.dueAt!;
    await h.admin.extendExportWindow({ organizationId: vendor, days: 20, reason: 'vendor asked for a delay', actor: 'admin-1' });
    const moved = await rows(vendor);
    const closes = moved.EXPORT_WINDOW_CLOSES.dueAt!.getTime();
    expect(closes).toBe(before.getTime() + 20 * 86_400_000);
    for (const kind of ['SSO_SHUTDOWN', 'PII_MASKED', 'PORTAL_HIDDEN', 'FINAL_CONFIRMATION']) expect(moved[kind].dueAt!.getTime()).toBeGreaterThanOrEqual(closes);
    const [extended] = await published(vendor, 'com.offboarding.retention.export_window_extended.v1');
    expect((extended as { rescheduled: { milestone: string }[] }).rescheduled.map((entry) => entry.milestone).sort()).toEqual(['EXPORT_WINDOW_CLOSES', 'PII_MASKED', 'SSO_SHUTDOWN']);

    // Inside the window nothing is requested, even when the clock jumps to a day a milestone was due.
    h.clock.advanceDays(10);
    await h.runJob('timeline-tick');
    expect(await requestOf(vendor, 'com.offboarding.retention.pii_masking_requested.v1')).toBeUndefined();
    expect(await requestOf(vendor, 'com.offboarding.retention.sso_shutdown_requested.v1')).toBeUndefined();
    h.clock.advanceDays(20);
    await h.runJob('timeline-tick');
    expect(await requestOf(vendor, 'com.offboarding.retention.pii_masking_requested.v1')).toBeUndefined();
    await confirmSso(vendor);
    expect(await requestOf(vendor, 'com.offboarding.retention.pii_masking_requested.v1')).toBeDefined();
    await expect(h.admin.extendExportWindow({ organizationId: vendor, days: 5, reason: 'too late now', actor: 'admin-1' })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringContaining('masked'),
    });
  });

  it('sends each milestone notice once per due date, the nearest when the job ran late, and again when the date moves', async () => {
    const vendor = await created('VENDOR');
    await started(vendor, randomUUID(), 'VENDOR', {});
    const notices = async () =>
      ((await published(vendor, 'com.offboarding.retention.milestone_upcoming.v1')) as { milestone: string; noticeDays: number; daysLeft: number; dueAt: string }[]).filter(
        (notice) => notice.milestone === 'EXPORT_WINDOW_CLOSES',
      );
    await h.runJob('timeline-tick');
    await h.runJob('timeline-tick');
    expect(await notices()).toEqual([expect.objectContaining({ noticeDays: 7, daysLeft: 7 })]);
    // The job did not run on day 6: on day 6.5 the 1-day notice goes out (the 7-day one went already).
    h.clock.advanceDays(6.5);
    await h.runJob('timeline-tick');
    await h.runJob('timeline-tick');
    expect((await notices()).map((notice) => [notice.noticeDays, notice.daysLeft])).toEqual([
      [7, 7],
      [1, 1],
    ]);
    // A delay moves the date: the customer hears about the new one.
    await h.admin.extendExportWindow({ organizationId: vendor, days: 10, reason: 'delay', actor: 'admin-1' });
    h.clock.advanceDays(9.8);
    await h.runJob('timeline-tick');
    const last = (await notices()).at(-1)!;
    expect(last).toMatchObject({ noticeDays: 1, daysLeft: 1 });
    expect(Date.parse(last.dueAt)).toBe((await h.timeline.latestCase(vendor))!.exportWindowClosesAt.getTime());
    expect((await notices()).filter((notice) => notice.dueAt === last.dueAt)).toHaveLength(1);
    // Late for both notices of the SSO shutdown (day 30): only the nearest goes out.
    const sso = async () => ((await published(vendor, 'com.offboarding.retention.milestone_upcoming.v1')) as { milestone: string; noticeDays: number }[]).filter((n) => n.milestone === 'SSO_SHUTDOWN');
    h.clock.advanceDays(12.5);
    await h.runJob('timeline-tick');
    expect((await sso()).map((notice) => notice.noticeDays)).toEqual([1]);
  });
});
