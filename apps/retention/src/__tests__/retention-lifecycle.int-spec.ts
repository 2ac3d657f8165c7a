import { createHash, createHmac, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { maskPii } from '@offboarding/platform';
import { waitFor } from '@offboarding/testing';
import { certificateHash } from '../purge/certificate';
import type { EventType } from '@offboarding/contracts';
import { toExportModel } from '../timeline/retention.mappers';
import { cancelLast, createOrganization, type Harness, openHarness, policy as samplePolicy, startOffboarding } from './harness';
import { readZip } from './zip-reader';

const day0 = '2025-01-01T09:00:00.000Z';

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

async function milestones(h: Harness, organizationId: string): Promise<Record<string, { status: string; reason: string | null; requestId: string | null }>> {
  const latest = await h.timeline.latestCase(organizationId);
  const rows = await h.timeline.milestones(latest!.id);
  return Object.fromEntries(rows.map((row) => [row.milestone, { status: row.status, reason: row.blockedReason, requestId: row.requestId }]));
}

async function confirmPurge(h: Harness, organizationId: string, requestId: string, services: readonly ('entitlements' | 'provisioning' | 'identity')[]): Promise<void> {
  for (const service of services) {
    await h.deliver(`com.offboarding.${service}.organization_purged.v1`, {
      organizationId,
      requestId,
      deleted: { [`${service}_rows`]: 2 },
      purgedAt: h.clock.now().toISOString(),
    });
  }
}

describe('retention: the vendor timeline from day 0 to the deletion certificate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: day0 });
  });
  afterAll(() => h?.close());

  it('runs every milestone, masks irreversibly, and purges only when approved, unheld and eligible', async () => {
    const org = await createOrganization(h, 'VENDOR');
    const other = await createOrganization(h, 'VENDOR');
    await startOffboarding(h, org, 'VENDOR');
    await startOffboarding(h, other, 'VENDOR');

    const opened = await h.timeline.latestCase(org);
    expect(opened).toMatchObject({ status: 'OPEN', origin: 'OFFBOARDING', organizationType: 'VENDOR', dayZero: '2025-01-01' });
    expect(opened!.exportWindowClosesAt.toISOString()).toBe('2025-01-08T00:00:00.000Z');
    expect(opened!.purgeEligibleAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect((await milestones(h, org)).ENTITLEMENTS_CANCELLED.status).toBe('DONE');

    // Day 7: the export window closes; collaborators may no longer export, admins still may.
    h.clock.advanceDays(7);
    await h.runJob('timeline-tick');
    expect((await milestones(h, org)).EXPORT_WINDOW_CLOSES.status).toBe('DONE');
    const refused = await h.exports.request({ organizationId: org, actor: 'collaborator-1', role: 'COLLABORATOR' }).catch((error: unknown) => error);
    expect(codeOf(refused)).toBe('EXPORT_WINDOW_CLOSED');
    // The vendor asked for more time: the window reopens for three more days.
    await h.admin.extendExportWindow({ organizationId: org, days: 3, reason: 'vendor asked to finish their export', actor: 'admin-1' });
    expect((await milestones(h, org)).EXPORT_WINDOW_CLOSES.status).toBe('PENDING');
    await expect(h.exports.request({ organizationId: org, actor: 'collaborator-1', role: 'COLLABORATOR' })).resolves.toMatchObject({ status: 'PENDING' });

    // Day 30: SSO shutdown is requested; masking waits for the end of access.
    h.clock.advanceDays(23);
    await h.runJob('timeline-tick');
    const due = await milestones(h, org);
    expect(due.SSO_SHUTDOWN.requestId).not.toBeNull();
    expect(due.PII_MASKED).toMatchObject({ status: 'PENDING', requestId: null });
    expect((await h.published(org)).map((event) => event.type)).not.toContain('com.offboarding.retention.pii_masking_requested.v1');

    // Two days without identity's answer: both milestones say why they wait.
    h.clock.advanceDays(2);
    await h.runJob('timeline-tick');
    const waiting = await milestones(h, org);
    expect(waiting.SSO_SHUTDOWN).toMatchObject({ status: 'BLOCKED', reason: expect.stringContaining('sso_shutdown_completed') });
    expect(waiting.PII_MASKED).toMatchObject({ status: 'BLOCKED', requestId: null, reason: expect.stringContaining('waiting for the SSO shutdown') });

    // Access ended: masking is requested with identity's confirmation, not at the next tick.
    await h.deliver('com.offboarding.identity.sso_shutdown_completed.v1', {
      organizationId: org,
      requestId: due.SSO_SHUTDOWN.requestId!,
      deactivatedUsers: 4,
      deletedConnections: 1,
      revokedSessions: 2,
      completedAt: h.clock.now().toISOString(),
    });
    const afterSso = await milestones(h, org);
    expect(afterSso.SSO_SHUTDOWN.status).toBe('DONE');
    expect(afterSso.PII_MASKED).toMatchObject({ status: 'PENDING', requestId: expect.any(String) });
    const maskingRequest = (await h.published(org)).find((event) => event.type === 'com.offboarding.retention.pii_masking_requested.v1')!.payload as { requestId: string; maskingKeyRef: string };
    const served = await h.masking.lookup(maskingRequest.maskingKeyRef);
    expect(served.kind).toBe('found');
    const key = (served as { key: Buffer }).key;
    expect(key).toHaveLength(32);
    const email = 'Jane.Doe@vendor.example';
    const masked = maskPii(key, email);

    // Two of three confirmed; two days later the milestone shows who is missing.
    for (const service of ['entitlements', 'provisioning'] as const) {
      await h.deliver(`com.offboarding.${service}.pii_masked.v1`, { organizationId: org, requestId: maskingRequest.requestId, maskedRecords: 3, maskedAt: h.clock.now().toISOString() });
    }
    h.clock.advanceDays(2);
    await h.runJob('timeline-tick');
    expect((await milestones(h, org)).PII_MASKED).toMatchObject({ status: 'BLOCKED', reason: expect.stringContaining('waiting for pii_masked from identity') });
    expect((await h.masking.lookup(maskingRequest.maskingKeyRef)).kind).toBe('found');

    await h.deliver('com.offboarding.identity.pii_masked.v1', { organizationId: org, requestId: maskingRequest.requestId, maskedRecords: 5, maskedAt: h.clock.now().toISOString() });
    const confirmed = await milestones(h, org);
    expect(confirmed.PII_MASKED.status).toBe('DONE');
    expect(confirmed.SSO_SHUTDOWN.status).toBe('DONE');

    // The key is gone: nobody can re-derive the masked value or match it by hashing candidates.
    expect((await h.masking.lookup(maskingRequest.maskingKeyRef)).kind).toBe('destroyed');
    expect(Number((await h.db.dataSource.query(`SELECT count(*) AS n FROM "${h.db.schema}".masking_keys WHERE organization_id = $1`, [org]))[0].n)).toBe(0);
    const candidates = ['jane.doe@vendor.example', email, 'john@vendor.example'];
    const attempts = candidates.flatMap((candidate) => [
      `masked:${createHash('sha256').update(candidate).digest('hex')}`,
      `masked:${createHmac('sha256', Buffer.alloc(32)).update(candidate).digest('hex')}`,
      `masked:${createHmac('sha256', '').update(candidate).digest('hex')}`,
      maskPii(Buffer.alloc(32), candidate),
      maskPii(Buffer.alloc(32, 0xff), candidate),
    ]);
    expect(attempts).not.toContain(masked);
    // Nothing retention published or recorded holds the key.
    const everything = JSON.stringify(await h.db.dataSource.query(`SELECT payload FROM "${h.db.schema}".outbox`)) + JSON.stringify(await h.db.dataSource.query(`SELECT details FROM "${h.db.schema}".audit_entries`));
    expect(everything).not.toContain(key.toString('base64'));
    expect(everything).not.toContain(key.toString('hex'));

    // Day 90: portal hidden on identity's confirmation, then the final confirmation.
    h.clock.advanceDays(56);
    await h.runJob('timeline-tick');
    const portal = await milestones(h, org);
    expect(portal.PORTAL_HIDDEN.requestId).not.toBeNull();
    expect(portal.FINAL_CONFIRMATION.status).toBe('PENDING');
    await h.deliver('com.offboarding.identity.portal_access_disabled.v1', { organizationId: org, requestId: portal.PORTAL_HIDDEN.requestId, disabledAt: h.clock.now().toISOString() });
    await h.runJob('timeline-tick');
    expect((await milestones(h, org)).FINAL_CONFIRMATION.status).toBe('DONE');
    expect((await h.published(org)).map((event) => event.type)).toContain('com.offboarding.retention.offboarding_completed.v1');

    // Not yet eligible: nothing can be approved or purged early.
    const early = await h.admin.approvePurge(org, 'admin-1').catch((error: unknown) => error);
    expect(codeOf(early)).toBe('INVALID_TRANSITION');
    expect(await h.runJob('purge')).toBe(0);

    // Day 365: the purge queue.
    h.clock.advanceDays(276);
    await h.runJob('timeline-tick');
    expect((await h.timeline.latestCase(org))!.status).toBe('PURGE_QUEUED');
    expect((await h.purge.queue({ first: 10, after: null })).edges.map((edge) => edge.node.organizationId).sort()).toEqual([org, other].sort());
    expect(await h.runJob('purge')).toBe(0); // eligible, but nobody approved

    // A hold blocks an approved purge, and no approval is taken while it lasts; releasing it
    // voids the approval; its releaser may not approve.
    const first = await h.admin.approvePurge(org, 'admin-1');
    await h.admin.placeLegalHold({ organizationId: org, reason: 'litigation 2026-17', actor: 'admin-1' });
    expect(await h.runJob('purge')).toBe(0);
    const eventsBefore = (await h.published(org)).length;
    const held = await h.admin.approvePurge(org, 'admin-4').catch((error: unknown) => error);
    expect(held).toMatchObject({ code: 'LEGAL_HOLD', message: expect.stringContaining('release the hold') });
    expect((await h.published(org)).length).toBe(eventsBefore);
    expect((await h.purge.liveRequest((await h.timeline.latestCase(org))!.id))).toMatchObject({ requestId: first.requestId, status: 'APPROVED' });
    await h.admin.releaseLegalHold({ organizationId: org, reason: 'litigation settled', actor: 'admin-2' });
    expect((await h.published(org)).map((event) => event.type)).toEqual(
      expect.arrayContaining(['com.offboarding.retention.legal_hold_placed.v1', 'com.offboarding.retention.legal_hold_released.v1', 'com.offboarding.retention.purge_approval_revoked.v1']),
    );
    const four = await h.admin.approvePurge(org, 'admin-2').catch((error: unknown) => error);
    expect(codeOf(four)).toBe('FOUR_EYES_REQUIRED');
    const approval = await h.admin.approvePurge(org, 'admin-3');
    expect(approval).toMatchObject({ status: 'APPROVED', approvedBy: 'admin-3', counterpartActor: 'admin-2', counterpartChange: 'LEGAL_HOLD_RELEASED' });

    expect(await h.runJob('purge')).toBe(1);
    const purgeRequest = (await h.published(org)).find((event) => event.type === 'com.offboarding.retention.organization_purge_requested.v1')!.payload as { requestId: string };
    expect(purgeRequest.requestId).toBe(approval.requestId);
    // The other organization was never approved: nothing was requested for it.
    expect((await h.published(other)).map((event) => event.type)).not.toContain('com.offboarding.retention.organization_purge_requested.v1');

    await confirmPurge(h, org, approval.requestId, ['entitlements', 'provisioning']);
    expect(await h.purge.issueCertificates()).toBe(0); // identity has not confirmed
    await confirmPurge(h, org, approval.requestId, ['identity']);
    await waitFor(async () => (await h.purge.certificate(org)) ?? undefined, { description: 'the deletion certificate' });

    const certificate = (await h.purge.certificate(org))!;
    expect(certificate.sha256).toBe(certificateHash(certificate.content));
    expect(certificate.content).toMatchObject({
      organizationId: org,
      requestId: approval.requestId,
      tombstone: { organizationId: org, organizationType: 'VENDOR', dayZero: '2025-01-01', purgedAt: expect.any(String), createdAt: day0 },
      approval: { approvedBy: 'admin-3', lastChangeBy: 'admin-2', lastChange: 'LEGAL_HOLD_RELEASED' },
      confirmations: {
        entitlements: { deleted: { entitlements_rows: 2 } },
        provisioning: { deleted: { provisioning_rows: 2 } },
        identity: { deleted: { identity_rows: 2 } },
        retention: { deleted: expect.objectContaining({ timeline_milestones: 7, legal_holds: 1, retention_extensions: 1, data_exports: 1 }) },
      },
    });
    expect((await h.timeline.latestCase(org))!.status).toBe('PURGED');

    // The trail survives, intact; the other organization's rows are untouched.
    expect(await h.auditTrail.verifyChain(org)).toMatchObject({ intact: true, firstBrokenSequence: null });
    const trail = await h.auditTrail.list(org, { first: 100, after: null });
    expect(trail.edges.map((edge) => edge.node.eventType)).toContain('com.offboarding.retention.deletion_certificate_issued.v1');
    const count = async (table: string, id: string) =>
      Number((await h.db.dataSource.query(`SELECT count(*) AS n FROM "${h.db.schema}".${table} WHERE organization_id = $1`, [id]))[0].n);
    expect(await count('timeline_milestones', org)).toBe(0);
    expect(await count('timeline_milestones', other)).toBe(7);
    expect(await count('known_organizations', other)).toBe(1);
    expect((await h.timeline.latestCase(other))!.status).toBe('PURGE_QUEUED');

    // After purge nothing is left to export.
    const afterPurge = await h.exports.request({ organizationId: org, actor: 'admin-1', role: 'ADMIN' }).catch((error: unknown) => error);
    expect(codeOf(afterPurge)).toBe('INVALID_TRANSITION');
  });
});

describe('retention: extensions, holds, bad input, win-back', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: day0 });
  });
  afterAll(() => h?.close());

  it('opens a customer case on the last cancellation, follows the archive, and closes it when won back', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    await cancelLast(h, org);
    const opened = await h.timeline.latestCase(org);
    expect(opened).toMatchObject({ origin: 'CANCELLATION', organizationType: 'CUSTOMER', status: 'OPEN' });
    // Customer defaults: export until the end of retention, SSO at the archive (with masking at the latest).
    expect(opened!.exportWindowClosesAt.toISOString()).toBe(opened!.purgeEligibleAt.toISOString());
    const sso = (await h.timeline.milestones(opened!.id)).find((m) => m.milestone === 'SSO_SHUTDOWN')!;
    expect(sso).toMatchObject({ dueAt: opened!.purgeEligibleAt, dueRule: 'at archive, with masking at the latest' });
    h.clock.advanceDays(3);
    await h.deliver('com.offboarding.entitlements.organization_archived.v1', { organizationId: org, archivedAt: h.clock.now().toISOString(), archivedBy: 'admin-1' });
    const archivedSso = (await h.timeline.milestones(opened!.id)).find((m) => m.milestone === 'SSO_SHUTDOWN')!;
    expect(archivedSso.dueAt?.toISOString()).toBe(h.clock.now().toISOString());
    await h.runJob('timeline-tick');
    expect((await h.published(org)).map((e) => e.type)).toContain('com.offboarding.retention.sso_shutdown_requested.v1');

    await h.deliver('com.offboarding.entitlements.entitlement_reactivated.v1', {
      organizationId: org,
      entitlementId: randomUUID(),
      class: 'PLG',
      product: 'Forms Pro',
      reference: 'ORDER-1',
      reactivatedAt: h.clock.now().toISOString(),
      reactivatedBy: 'admin-1',
    });
    const closed = await h.timeline.latestCase(org);
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'REACTIVATED' });
    const statuses = (await h.timeline.milestones(closed!.id)).map((m) => m.status);
    expect(statuses.filter((status) => status === 'PENDING' || status === 'BLOCKED')).toEqual([]);
    expect(statuses).toContain('SKIPPED');
  });

  it('records a run of events with the batch form exactly as one at a time: same trail, same case, same events', async () => {
    const wave = (organizationId: string): { type: EventType; data: unknown }[] => {
      const now = h.clock.now().toISOString();
      const cancelled = (remainingActiveEntitlements: number) => ({
        type: 'com.offboarding.entitlements.entitlement_cancelled.v1' as const,
        data: {
          organizationId,
          entitlementId: randomUUID(),
          class: 'PLG',
          reason: 'CONTRACT_END',
          cancelledAt: now,
          cancelledBy: 'admin-1',
          policy: samplePolicy,
          reactivatableUntil: null,
          portalVisibleUntil: now,
          remainingActiveEntitlements,
        },
      });
      const licence = () => ({
        type: 'com.offboarding.provisioning.license_cancelled.v1' as const,
        data: { organizationId, entitlementId: randomUUID(), licenseId: randomUUID(), cancelledAt: now },
      });
      const suspended = () => ({
        type: 'com.offboarding.entitlements.entitlement_suspended.v1' as const,
        data: { organizationId, entitlementId: randomUUID(), class: 'PLG', reason: 'NON_PAYMENT', suspendedAt: now, graceEndsAt: now },
      });
      return [
        { type: 'com.offboarding.entitlements.organization_created.v1', data: { organizationId, type: 'CUSTOMER', vendorId: null, createdAt: now } },
        suspended(),
        suspended(),
        licence(),
        licence(),
        cancelled(1),
        licence(),
        // The last cancellation opens the case, whose own events join the trail before the next entry.
        cancelled(0),
        licence(),
        licence(),
      ];
    };
    const outcome = async (organizationId: string) => {
      const entries = await h.db.dataSource.query<{ sequence: number; event_type: string }[]>(
        `SELECT sequence, event_type FROM "${h.db.schema}".audit_entries WHERE organization_id = $1 ORDER BY sequence`,
        [organizationId],
      );
      const opened = await h.timeline.latestCase(organizationId);
      return {
        broken: await h.auditTrail.verify(organizationId),
        entries: entries.map((entry) => `${entry.sequence} ${entry.event_type}`),
        case: opened && { origin: opened.origin, status: opened.status },
        published: (await h.published(organizationId)).map((event) => event.type),
      };
    };
    const oneAtATime = randomUUID();
    for (const { type, data } of wave(oneAtATime)) await h.deliver(type, data as never);
    const asRun = randomUUID();
    await h.deliverRun(wave(asRun));
    const expected = await outcome(oneAtATime);
    expect(expected.case).toMatchObject({ origin: 'CANCELLATION', status: 'OPEN' });
    expect(expected.entries.length).toBeGreaterThan(10);
    expect(await outcome(asRun)).toEqual(expected);
  });

  it('previews the timeline before anything starts, with the organization overrides', async () => {
    const org = await createOrganization(h, 'VENDOR');
    await h.timeline.setPolicy({ organizationId: org, exportWindowDays: 14, actor: 'admin-1' });
    const { timeline } = await h.timeline.preview(org, '2025-03-01');
    expect(timeline.exportWindowClosesAt.toISOString()).toBe('2025-03-15T00:00:00.000Z');
    expect(timeline.milestones.find((m) => m.milestone === 'SSO_SHUTDOWN')!.dueAt!.toISOString()).toBe('2025-03-31T00:00:00.000Z');
    expect(await h.timeline.latestCase(org)).toBeNull();
    await expect(h.timeline.preview(org, '2025-02-30')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(h.timeline.setPolicy({ organizationId: org, retentionDays: -1, actor: 'admin-1' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses bad input with a clear code and changes nothing; an extension takes the organization out of the queue', async () => {
    const org = await createOrganization(h, 'VENDOR');
    await startOffboarding(h, org, 'VENDOR');
    const before = (await h.published(org)).length;
    await expect(h.admin.extendRetention({ organizationId: org, until: '2024-01-01', reason: 'too early', actor: 'admin-1' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'until' } });
    await expect(h.admin.extendRetention({ organizationId: org, until: 'soon', reason: 'x', actor: 'admin-1' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(h.admin.placeLegalHold({ organizationId: org, reason: ' ', actor: 'admin-1' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(h.admin.releaseLegalHold({ organizationId: org, reason: 'nothing to release', actor: 'admin-1' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(h.admin.extendExportWindow({ organizationId: org, days: 400, reason: 'too long', actor: 'admin-1' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(h.admin.approvePurge(randomUUID(), 'admin-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.published(org)).length).toBe(before);

    await h.admin.placeLegalHold({ organizationId: org, reason: 'audit request', actor: 'admin-1' });
    await expect(h.admin.placeLegalHold({ organizationId: org, reason: 'again', actor: 'admin-1' })).rejects.toMatchObject({ code: 'CONFLICT' });

    // A hold keeps masking from starting when it falls due.
    h.clock.advanceDays(31);
    await h.runJob('timeline-tick');
    expect((await milestones(h, org)).PII_MASKED).toMatchObject({ status: 'BLOCKED', requestId: null, reason: expect.stringContaining('legal hold') });

    h.clock.advanceDays(340);
    await h.runJob('timeline-tick');
    expect((await h.timeline.latestCase(org))!.status).toBe('PURGE_QUEUED');
    const extended = await h.admin.extendRetention({ organizationId: org, until: '2026-06-01', reason: 'tax audit', actor: 'admin-1' });
    expect(extended).toMatchObject({ status: 'OPEN', lastDecisionChange: 'RETENTION_EXTENDED', lastDecisionChangeBy: 'admin-1' });
    expect(extended.purgeEligibleAt.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect((await milestones(h, org)).PURGE_ELIGIBLE.status).toBe('PENDING');
    await expect(h.admin.approvePurge(org, 'admin-2')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('detects an audit entry altered directly in the database', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    await cancelLast(h, org);
    await h.deliver('com.offboarding.entitlements.organization_archived.v1', { organizationId: org, archivedAt: h.clock.now().toISOString(), archivedBy: 'admin-1' });
    expect(await h.auditTrail.verifyChain(org)).toEqual({ intact: true, checkedEntries: 4, firstBrokenSequence: null, reason: null });
    const table = `"${h.db.schema}".audit_entries`;
    // The table refuses updates (append-only trigger); someone with the owner's rights lifts it.
    await expect(h.db.dataSource.query(`UPDATE ${table} SET details = '{}' WHERE organization_id = $1 AND sequence = 3`, [org])).rejects.toThrow(/append-only/);
    await h.db.dataSource.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_entries_append_only`);
    await h.db.dataSource.query(`UPDATE ${table} SET details = jsonb_set(details, '{cancelledBy}', '"someone-else"') WHERE organization_id = $1 AND sequence = 2`, [org]);
    await h.db.dataSource.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_entries_append_only`);
    const report = await h.auditTrail.verifyChain(org);
    expect(report).toMatchObject({ intact: false, firstBrokenSequence: 2, reason: expect.stringContaining('altered') });
  });
});

describe('retention: data export', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ now: day0 });
  });
  afterAll(() => h?.close());

  it('writes one JSON and one CSV per collection of every service plus a manifest whose checksums verify', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    h.services.collections.entitlements.organizations = {
      columns: ['id', 'name', 'tax_id'],
      rows: (id) => [{ id, name: 'Acme, "the" GmbH', tax_id: 'DE123' }],
    };
    h.services.collections.entitlements.organization_contacts = {
      columns: ['id', 'organization_id', 'email'],
      rows: (id) => Array.from({ length: 1200 }, (_, i) => ({ id: `c${i}`, organization_id: id, email: `person${i}@acme.example` })),
    };
    h.services.collections.provisioning.licenses = { columns: ['id', 'organization_id', 'status'], rows: () => [] };
    h.services.collections.identity.portal_access = { columns: ['organization_id', 'enabled'], rows: (id) => [{ organization_id: id, enabled: true }] };

    const requested = await h.exports.request({ organizationId: org, actor: 'collaborator-1', role: 'COLLABORATOR' });
    const ready = await waitFor(async () => {
      const row = await h.exports.find(requested.id);
      if (row?.status === 'FAILED') throw new Error(row.error ?? 'failed');
      return row?.status === 'READY' ? row : undefined;
    }, { timeoutMs: 60_000, description: 'the export' });
    expect(ready.collections).toEqual({
      'entitlements/organization_contacts': 1200,
      'entitlements/organizations': 1,
      'identity/portal_access': 1,
      'provisioning/licenses': 0,
      'retention/audit_trail': 2,
    });
    expect((await h.published(org)).map((e) => e.type)).toContain('com.offboarding.retention.data_export_ready.v1');

    const entries = await readZip(path.join(h.storage.root, ready.storageKey!));
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as { files: { path: string; sha256: string; bytes: number; rows: number }[]; collections: unknown[] };
    expect([...entries.keys()].sort()).toEqual([...manifest.files.map((f) => f.path), 'manifest.json'].sort());
    expect(manifest.files).toHaveLength(10);
    for (const file of manifest.files) {
      const content = entries.get(file.path)!;
      expect(createHash('sha256').update(content).digest('hex')).toBe(file.sha256);
      expect(content.length).toBe(file.bytes);
    }
    const contacts = JSON.parse(entries.get('entitlements/organization_contacts.json')!.toString()) as { email: string }[];
    expect(contacts).toHaveLength(1200);
    expect(contacts[1199].email).toBe('person1199@acme.example');
    expect(JSON.parse(entries.get('provisioning/licenses.json')!.toString())).toEqual([]);
    expect(entries.get('entitlements/organizations.csv')!.toString()).toBe(`id,name,tax_id\r\n${org},"Acme, ""the"" GmbH",DE123\r\n`);
    expect(entries.get('provisioning/licenses.csv')!.toString()).toBe('id,organization_id,status\r\n');
    const trail = JSON.parse(entries.get('retention/audit_trail.json')!.toString()) as { sequence: number; event_type: string }[];
    expect(trail.map((entry) => entry.sequence)).toEqual([1, 2]);

    const link = h.exports.downloadUrlOf(ready);
    expect(link?.url).toMatch(new RegExp(`^http://localhost:4000/exports/${ready.id}/download\\?expires=\\d+&signature=[0-9a-f]{64}$`));
  });

  it('reports its progress while it runs: collections done of the total and rows written, never going back, ending at the final counts', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    h.services.collections.entitlements.organizations = { columns: ['id', 'name'], rows: (id) => [{ id, name: 'Acme' }] };
    h.services.collections.entitlements.organization_contacts = {
      columns: ['id', 'organization_id', 'email'],
      rows: (id) => Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}`, organization_id: id, email: `person${i}@acme.example` })),
    };
    h.services.collections.provisioning.licenses = { columns: ['id', 'organization_id', 'status'], rows: () => [] };
    h.services.collections.identity.portal_access = { columns: ['organization_id', 'enabled'], rows: (id) => [{ organization_id: id, enabled: true }] };
    // The contacts (the first collection) stop after 2000 rows until released: the export is caught in the middle.
    let release!: () => void;
    h.services.holds.set('entitlements/organization_contacts', { afterRows: 2000, released: new Promise<void>((resolve) => (release = resolve)) });
    const seen: { collectionsDone: number; collectionsTotal: number | null; rowsWritten: number }[] = [];
    const look = async () => {
      const model = toExportModel((await h.exports.find(requested.id))!);
      seen.push({ collectionsDone: model.collectionsDone, collectionsTotal: model.collectionsTotal, rowsWritten: model.rowsWritten });
      return model;
    };
    const requested = await h.exports.request({ organizationId: org, actor: 'admin-1', role: 'ADMIN' });
    try {
      expect(toExportModel(requested)).toMatchObject({ status: 'PENDING', collectionsDone: 0, collectionsTotal: null, rowsWritten: 0 });
      const middle = await waitFor(async () => {
        const model = await look();
        return model.status === 'RUNNING' && model.rowsWritten > 0 ? model : undefined;
      }, { timeoutMs: 30_000, description: 'the export to report rows while the contacts are held' });
      // Four services' collections and the audit trail; none finished while the first is held.
      expect(middle).toMatchObject({ collectionsTotal: 5, collectionsDone: 0 });
      expect(middle.rowsWritten).toBeLessThanOrEqual(2000);
    } finally {
      release();
      h.services.holds.clear();
    }
    const ready = await waitFor(async () => {
      const model = await look();
      if (model.status === 'FAILED') throw new Error(model.error ?? 'failed');
      return model.status === 'READY' ? model : undefined;
    }, { timeoutMs: 60_000, description: 'the export' });
    const rows = ready.collections.reduce((sum, entry) => sum + entry.rows, 0);
    expect(ready).toMatchObject({ collectionsDone: 5, collectionsTotal: 5, rowsWritten: rows });
    expect(rows).toBe(3000 + 1 + 0 + 1 + ready.collections.find((entry) => entry.collection === 'audit_trail')!.rows);
    for (let i = 1; i < seen.length; i += 1) {
      expect(seen[i].collectionsDone).toBeGreaterThanOrEqual(seen[i - 1].collectionsDone);
      expect(seen[i].rowsWritten).toBeGreaterThanOrEqual(seen[i - 1].rowsWritten);
    }
  });

  it('fails an export cleanly when a service cannot be read, leaving no file', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    h.services.collections.provisioning.broken = { columns: ['id'], rows: () => Array.from({ length: 5000 }, (_, i) => ({ id: i })) };
    h.services.cutAfterFirstLine.add('provisioning/broken');
    const requested = await h.exports.request({ organizationId: org, actor: 'admin-1', role: 'ADMIN' });
    const failed = await waitFor(async () => {
      const row = await h.exports.find(requested.id);
      return row?.status === 'FAILED' ? row : undefined;
    }, { timeoutMs: 60_000, description: 'the failed export' });
    expect(failed.error).toMatch(/provisioning/);
    expect(await h.storage.exists(`data-exports/${org}/${requested.id}.zip`)).toBe(false);
    delete h.services.collections.provisioning.broken;
    h.services.cutAfterFirstLine.clear();
  });

  it('fails an export whose first service is unreachable without ending the process, and the next one works', async () => {
    const org = await createOrganization(h, 'CUSTOMER');
    const reachable = h.config.internalUrls.entitlements;
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      h.config.internalUrls.entitlements = 'http://127.0.0.1:1';
      const requested = await h.exports.request({ organizationId: org, actor: 'admin-1', role: 'ADMIN' });
      const failed = await waitFor(async () => {
        const row = await h.exports.find(requested.id);
        return row?.status === 'FAILED' ? row : undefined;
      }, { timeoutMs: 60_000, description: 'the failed export' });
      expect(failed.error).toMatch(/entitlements unreachable/);
      h.config.internalUrls.entitlements = reachable;
      const again = await h.exports.request({ organizationId: org, actor: 'admin-1', role: 'ADMIN' });
      await waitFor(async () => (await h.exports.find(again.id))?.status === 'READY', { timeoutMs: 60_000, description: 'the next export' });
      expect(crashes).toEqual([]);
    } finally {
      h.config.internalUrls.entitlements = reachable;
      process.off('uncaughtException', onCrash);
    }
  });
});
