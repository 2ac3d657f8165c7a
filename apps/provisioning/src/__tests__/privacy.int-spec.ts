import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { EntitlementClass } from '@offboarding/contracts';
import { maskPii } from '@offboarding/platform';
import { waitFor } from '@offboarding/testing';
import { envelope, entitlementEvents, openProvisioningKit, TEST_MASKING_KEY, type ProvisioningKit } from './provisioning-test-kit';

const TABLES = [
  'known_entitlements',
  'provisioning_policies',
  'licenses',
  'site_activations',
  'environments',
  'environment_exports',
  'customer_services',
  'contracts',
  'service_requests',
  'credit_balances',
  'campaigns',
  'tracking_links',
  'partner_relationships',
  'course_seats',
  'enrollments',
  'fulfilments',
];
const CLASSES: EntitlementClass[] = ['PLG', 'ENV', 'SVC', 'AFL', 'EDU', 'ORD'];

describe('masking and purge requests', () => {
  let kit: ProvisioningKit;

  beforeAll(async () => {
    kit = await openProvisioningKit();
  });

  afterAll(async () => {
    await kit?.close();
  });

  /** An organization using every class, with contacts, a site, a request, an enrolment and an export. */
  async function populatedOrganization() {
    const organizationId = randomUUID();
    const entitlements = Object.fromEntries(
      await Promise.all(
        CLASSES.map(async (entitlementClass) => {
          const events = entitlementEvents(organizationId, entitlementClass);
          await kit.deliver(events.granted());
          return [entitlementClass, events.entitlementId] as const;
        }),
      ),
    ) as Record<EntitlementClass, string>;
    const [license] = await kit.licenses.listForOrganization(organizationId);
    await kit.licenses.recordSiteActivation({ licenseKey: license.licenseKey, siteUrl: 'https://shop.example.com/', version: '1.0.0' });
    const [environment] = await kit.environments.listForOrganization(organizationId);
    await kit.environments.updateContact(environment.id, 'Dana Ops', 'Dana.Ops@Acme.example');
    const artifact = await kit.environments.exportData(environment.id, 'staff-1');
    const [service] = await kit.serviceContracts.services(organizationId);
    await kit.serviceContracts.openServiceRequest(service.id, 'Rotate keys');
    const campaign = await kit.affiliates.createCampaign({
      entitlementId: entitlements.AFL,
      name: 'Autumn',
      targetUrl: 'https://acme.example/autumn',
      contactName: 'Robin Partner',
      contactEmail: 'robin@partner.example',
    });
    const [relationship] = await kit.affiliates.partnerRelationships(organizationId);
    await kit.affiliates.updatePartnerContact(relationship.id, 'Sam Affiliate', 'sam@affiliate.example');
    await kit.education.enrollLearner({ entitlementId: entitlements.EDU, learnerRef: 'learner-1', course: 'Basics' });
    await kit.policies.set({ organizationId, class: 'ENV', deprovisionOnCancel: false, actor: 'staff-1' });
    return { organizationId, environment, campaign, relationship, artifact };
  }

  async function counts(organizationId: string): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) result[table] = await kit.count(table, organizationId);
    return result;
  }

  it('masks contact names and e-mails with the organization key, once, and confirms', async () => {
    const org = await populatedOrganization();
    const bystander = await populatedOrganization();
    const requestId = randomUUID();
    const request = () =>
      envelope('com.offboarding.retention.pii_masking_requested.v1', {
        organizationId: org.organizationId,
        requestId,
        maskingKeyRef: `masking-key/${requestId}`,
        requestedAt: '2027-01-01T00:00:00Z',
      });

    await kit.deliver(request());
    expect(kit.maskingKeys.asked).toContain(`masking-key/${requestId}`);
    const [environment] = await kit.environments.listForOrganization(org.organizationId);
    expect(environment).toMatchObject({
      contactName: maskPii(TEST_MASKING_KEY, 'Dana Ops'),
      contactEmail: maskPii(TEST_MASKING_KEY, 'dana.ops@acme.example'),
    });
    const campaigns = await kit.affiliates.campaigns(org.organizationId);
    expect(campaigns.find((c) => c.id === org.campaign.id)).toMatchObject({ contactEmail: maskPii(TEST_MASKING_KEY, 'robin@partner.example') });
    expect((await kit.affiliates.partnerRelationships(org.organizationId))[0].contactName).toBe(maskPii(TEST_MASKING_KEY, 'Sam Affiliate'));
    expect((await kit.environments.listForOrganization(bystander.organizationId))[0].contactName).toBe('Dana Ops');
    // Campaigns and links invalidated with the masking (the AFL entitlement was never cancelled).
    expect(campaigns.map((c) => c.status)).toEqual(campaigns.map(() => 'INVALIDATED'));
    const links = await kit.affiliates.trackingLinksOf(org.campaign.id);
    for (const link of links) expect(await kit.affiliates.resolveTrackingLink(link.code)).toEqual({ kind: 'gone' });
    const invalidated = (await kit.outbox(org.organizationId)).filter((e) => e.type.endsWith('campaign_invalidated.v1')).map((e) => e.payload);
    expect(invalidated).toContainEqual(expect.objectContaining({ campaignId: org.campaign.id, reason: 'PII_MASKED' }));
    expect((await kit.affiliates.campaigns(bystander.organizationId)).map((c) => c.status)).not.toContain('INVALIDATED');

    // A second request (another event id) finds nothing left to mask.
    await kit.deliver(request());
    const confirmations = (await kit.outbox(org.organizationId)).filter((e) => e.type.endsWith('pii_masked.v1')).map((e) => e.payload);
    expect(confirmations).toEqual([
      expect.objectContaining({ requestId, maskedRecords: 3 }),
      expect.objectContaining({ requestId, maskedRecords: 0 }),
    ]);
    expect(JSON.stringify(await kit.outbox(org.organizationId))).not.toMatch(/Dana|robin@|Sam Affiliate/);
  });

  it("deletes every row and export file of the organization in batches, confirms with counts, and leaves other organizations alone", async () => {
    const org = await populatedOrganization();
    const bystander = await populatedOrganization();
    // Far more rows than one batch, so the purge needs several transactions for one table.
    await kit.dataSource.query(
      `INSERT INTO "${kit.db.schema}".known_entitlements (entitlement_id, organization_id, class, product, status, granted_at, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'ORD', 'Bulk order', 'ACTIVE', now(), now(), now() FROM generate_series(1, 1201)`,
      [org.organizationId],
    );
    const before = await counts(org.organizationId);
    const bystanderBefore = await counts(bystander.organizationId);
    expect(before.known_entitlements).toBe(1207);
    const exportFile = path.join(kit.storageRoot, ...org.artifact.storageKey.split('/'));
    expect(existsSync(exportFile)).toBe(true);

    const requestId = randomUUID();
    const request = envelope('com.offboarding.retention.organization_purge_requested.v1', {
      organizationId: org.organizationId,
      requestId,
      requestedAt: '2027-02-01T00:00:00Z',
    });
    expect(await kit.deliver(request)).toBe(true);
    // The same request redelivered, and re-sent under a new event id, is recorded once.
    expect(await kit.deliver(request)).toBe(false);
    expect(await kit.deliver({ ...request, id: randomUUID() })).toBe(true);
    const [recorded] = await kit.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${kit.db.schema}".purge_requests WHERE request_id = $1`, [requestId]);
    expect(recorded.n).toBe('1');

    // The handler wakes the purge worker once the request is committed; no scheduler round needed.
    await waitFor(
      async () =>
        (
          await kit.dataSource.query<{ status: string }[]>(`SELECT status FROM "${kit.db.schema}".purge_requests WHERE request_id = $1`, [requestId])
        )[0]?.status === 'COMPLETED',
      { timeoutMs: 20_000, description: 'the purge to complete' },
    );
    expect(await counts(org.organizationId)).toEqual(Object.fromEntries(TABLES.map((table) => [table, 0])));
    expect(await counts(bystander.organizationId)).toEqual(bystanderBefore);
    expect(existsSync(exportFile)).toBe(false);
    expect(existsSync(path.join(kit.storageRoot, ...bystander.artifact.storageKey.split('/')))).toBe(true);

    const purged = (await kit.outbox(org.organizationId)).filter((e) => e.type.endsWith('organization_purged.v1'));
    expect(purged).toHaveLength(1);
    expect(purged[0].payload).toEqual({
      organizationId: org.organizationId,
      requestId,
      deleted: { ...before, environment_export_files: 1 },
      purgedAt: expect.any(String),
    });

    // Running again finds nothing pending and publishes nothing more.
    expect(await kit.purge.runPending()).toBe(0);
    expect((await kit.outbox(org.organizationId)).filter((e) => e.type.endsWith('organization_purged.v1'))).toHaveLength(1);
  });
});
