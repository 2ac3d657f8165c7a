import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventType } from '@offboarding/contracts';
import type { ReceivedEvent } from '@offboarding/messaging';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { readZip } from '../apps/retention/src/__tests__/zip-reader';
import { startStack, type RunningStack } from '../tools/stack';
import { type EventLog, readEvents } from './event-log';
import { graphql, graphqlRequest, login, SEEDED_ADMIN } from './graphql-client';

// The customer timeline (day 0 → 7 → 30 → 90 → 365 → purge) and the vendor timeline (export
// window of 7 days, SSO shutdown and masking by day 30, purge after retention) through the
// gateway, moving the whole stack through time with _devAdvanceClock / _devRunScheduledJobs.
// Every service answers for itself, identity included (SSO shutdown, portal, masking, purge).

// Free ports of its own, so the run never collides with a developer's stack or another run.
let ports = { gatewayPort: 0, firstServicePort: 0, brokerPort: 0 };
const serviceUrl = (index: number) => `http://localhost:${ports.firstServicePort + index}`;
const STACK_START_MS = 300_000;
const EVENTUALLY = { timeoutMs: 90_000, intervalMs: 250 };

interface MilestoneView {
  milestone: string;
  status: string;
  dueAt: string | null;
  dueRule: string;
  blockedReason: string | null;
}
interface RetentionView {
  organization: {
    status: string;
    timeline: { milestones: MilestoneView[] } | null;
    retention: { status: string; purgeEligibleAt: string; exportWindowClosesAt: string; onLegalHold: boolean; maskingKeyDestroyedAt: string | null } | null;
    auditTrailIntact: boolean;
  } | null;
}

const RETENTION_VIEW = `
  query View($id: ID!) {
    organization(id: $id) {
      status
      timeline { milestones { milestone status dueAt dueRule blockedReason } }
      retention { status purgeEligibleAt exportWindowClosesAt onLegalHold maskingKeyDestroyedAt }
      auditTrailIntact
    }
  }`;

describe('retention timelines through the gateway', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-retention-e2e-'));
  const logs: string[] = [];
  let retentionEvents: ReceivedEvent[] = [];
  let stack: RunningStack;
  let eventLog: EventLog;

  let token = '';
  let adminId = '';
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(stack.graphqlUrl, query, variables, token);
  const view = async (id: string) => (await gql<RetentionView>(RETENTION_VIEW, { id })).organization!;
  const milestone = async (id: string, kind: string) => (await view(id)).timeline!.milestones.find((m) => m.milestone === kind)!;
  const runJobs = async () => {
    const { _devRunScheduledJobs: runs } = await gql<{ _devRunScheduledJobs: { service: string; job: string; status: string }[] }>(
      `mutation { _devRunScheduledJobs { service job status } }`,
    );
    expect(runs.filter((run) => run.status === 'FAILED')).toEqual([]);
    return runs;
  };
  const advance = async (days: number) => {
    await gql(`mutation A($days: Int!) { _devAdvanceClock(days: $days) { now } }`, { days });
    return runJobs();
  };
  const requestOf = (organizationId: string, type: EventType) =>
    waitFor(() => retentionEvents.find((event) => event.subject === organizationId && event.type === type), { ...EVENTUALLY, description: `${type} for ${organizationId}` });


  beforeAll(async () => {
    const first = await freePortBlock(6);
    ports = { gatewayPort: first, firstServicePort: first + 1, brokerPort: first + 5 };
    stack = await startStack({
      ...ports,
      dataDir,
      env: {
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        RETENTION_INTERNAL_URL: serviceUrl(3),
        ENTITLEMENTS_INTERNAL_URL: serviceUrl(0),
        PROVISIONING_INTERNAL_URL: serviceUrl(1),
        IDENTITY_INTERNAL_URL: serviceUrl(2),
        PUBLIC_BASE_URL: serviceUrl(3),
      },
      onLog: (line) => logs.push(line),
    });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    adminId = (await gql<{ me: { id: string } }>('{ me { id } }')).me.id;
    eventLog = await readEvents(stack.kafkaBrokers, ['offboarding.retention.v1'], 'retention-e2e');
    retentionEvents = eventLog.events;
  }, STACK_START_MS);

  afterAll(async () => {
    await eventLog?.stop();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (logs.length > 0) process.stderr.write(`stack warnings and errors:\n${logs.slice(-150).join('\n')}\n`);
  });

  let customer = '';
  let vendor = '';
  let firstLink = '';

  it('day 0: offboarding starts for a customer and a vendor; the timelines show every date', async () => {
    const create = async (name: string, type: string) =>
      (await gql<{ createOrganization: { id: string } }>(`mutation C($name: String!, $type: OrganizationType!) { createOrganization(input: { name: $name, type: $type }) { id } }`, { name, type }))
        .createOrganization.id;
    customer = await create('Customer Ltd', 'CUSTOMER');
    vendor = await create('Vendor GmbH', 'VENDOR');
    for (const id of [customer, vendor]) {
      await gql(`mutation G($org: ID!) { grantEntitlement(input: { organizationId: $org, class: PLG, product: "Forms Pro" }) { id } }`, { org: id });
    }
    const { _devNow } = await gql<{ _devNow: { now: string } }>(`{ _devNow { now } }`);
    const today = _devNow.now.slice(0, 10);

    const preview = await gql<{ previewOffboardingTimeline: { milestones: MilestoneView[] } }>(
      `query P($org: ID!, $day: String!) { previewOffboardingTimeline(organizationId: $org, dayZero: $day) { milestones { milestone dueAt dueRule status } } }`,
      { org: vendor, day: today },
    );
    const dueDay = (kind: string) => preview.previewOffboardingTimeline.milestones.find((m) => m.milestone === kind)?.dueAt?.slice(0, 10);
    const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    expect([dueDay('EXPORT_WINDOW_CLOSES'), dueDay('SSO_SHUTDOWN'), dueDay('PII_MASKED'), dueDay('PORTAL_HIDDEN'), dueDay('FINAL_CONFIRMATION'), dueDay('PURGE_ELIGIBLE')]).toEqual([
      plus(7),
      plus(30),
      plus(30),
      plus(90),
      plus(90),
      plus(365),
    ]);

    // An export before anything is cancelled, downloaded through its signed link.
    const { requestDataExport } = await gql<{ requestDataExport: { id: string; status: string } }>(`mutation E($org: ID!) { requestDataExport(organizationId: $org) { id status } }`, { org: customer });
    const ready = await waitFor(async () => {
      const { dataExport } = await gql<{ dataExport: { status: string; downloadUrl: string | null; error: string | null } }>(
        `query D($id: ID!) { dataExport(id: $id) { status downloadUrl error } }`,
        { id: requestDataExport.id },
      );
      if (dataExport.status === 'FAILED') throw new Error(dataExport.error ?? 'export failed');
      return dataExport.status === 'READY' ? dataExport : undefined;
    }, { ...EVENTUALLY, description: 'the data export' });
    firstLink = ready.downloadUrl!;
    const response = await fetch(firstLink);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const zipFile = path.join(dataDir, 'export.zip');
    fs.writeFileSync(zipFile, Buffer.from(await response.arrayBuffer()));
    const entries = await readZip(zipFile);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as { files: { path: string; sha256: string; rows: number }[] };
    for (const file of manifest.files) expect(createHash('sha256').update(entries.get(file.path)!).digest('hex')).toBe(file.sha256);
    const organizations = JSON.parse(entries.get('entitlements/organizations.json')!.toString()) as { id: string; name: string }[];
    expect(organizations).toEqual([expect.objectContaining({ id: customer, name: 'Customer Ltd' })]);
    expect(manifest.files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['entitlements/entitlements.json', 'entitlements/entitlements.csv', 'provisioning/licenses.json', 'provisioning/licenses.csv', 'retention/audit_trail.json']),
    );
    const tampered = firstLink.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(firstLink.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 60}`))).status).toBe(403);

    for (const id of [customer, vendor]) {
      await gql(`mutation S($org: ID!, $day: String!) { startOffboarding(input: { organizationId: $org, reason: CONTRACT_END, dayZero: $day, pointOfContact: "AM" }) { id } }`, {
        org: id,
        day: today,
      });
    }
    for (const id of [customer, vendor]) {
      await waitFor(async () => (await milestone(id, 'ENTITLEMENTS_CANCELLED'))?.status === 'DONE', { ...EVENTUALLY, description: 'entitlements cancelled on day 0' });
    }
    const customerView = await view(customer);
    expect(customerView.retention).toMatchObject({ status: 'OPEN', onLegalHold: false });
    // SSO shutdown at archive, with masking (at purge) at the latest: access always ends before masking.
    expect(customerView.timeline!.milestones.find((m) => m.milestone === 'SSO_SHUTDOWN')).toMatchObject({
      dueAt: customerView.retention!.purgeEligibleAt,
      dueRule: 'at archive, with masking at the latest',
      status: 'PENDING',
    });
    expect(customerView.retention!.exportWindowClosesAt).toBe(customerView.retention!.purgeEligibleAt);
  }, 180_000);

  it('day 7: the vendor export window closes; the old download link has expired; the customer is archived and its SSO shut down', async () => {
    await advance(7);
    await waitFor(async () => (await milestone(vendor, 'EXPORT_WINDOW_CLOSES')).status === 'DONE', { ...EVENTUALLY, description: 'vendor export window closed' });
    expect((await milestone(customer, 'EXPORT_WINDOW_CLOSES')).status).toBe('PENDING');
    expect((await fetch(firstLink)).status).toBe(410);

    await gql(`mutation A($id: ID!) { archiveOrganization(id: $id) { status } }`, { id: customer });
    await waitFor(async () => (await milestone(customer, 'SSO_SHUTDOWN')).dueRule === 'at archive', { ...EVENTUALLY, description: 'SSO shutdown due at archive' });
    await runJobs();
    await requestOf(customer, 'com.offboarding.retention.sso_shutdown_requested.v1');
    await waitFor(async () => (await milestone(customer, 'SSO_SHUTDOWN')).status === 'DONE', { ...EVENTUALLY, description: 'customer SSO shut down' });
  }, 180_000);

  it('day 30: the vendor is shut down and masked by every service; the key is destroyed', async () => {
    await advance(23);
    await requestOf(vendor, 'com.offboarding.retention.sso_shutdown_requested.v1');
    const masking = await requestOf(vendor, 'com.offboarding.retention.pii_masking_requested.v1');
    const { maskingKeyRef } = masking.data as { maskingKeyRef: string };
    const keyUrl = `${serviceUrl(3)}/internal/masking-keys/${maskingKeyRef}`;
    expect((await fetch(keyUrl)).status).toBe(401);

    // Entitlements and provisioning fetch the key from retention, mask and confirm on their own.
    await waitFor(async () => (await milestone(vendor, 'PII_MASKED')).status === 'DONE', { ...EVENTUALLY, description: 'every service confirmed masking' });
    expect((await milestone(vendor, 'SSO_SHUTDOWN')).status).toBe('DONE');
    expect((await view(vendor)).retention!.maskingKeyDestroyedAt).not.toBeNull();
    expect((await fetch(keyUrl, { headers: { 'x-offboarding-internal-token': 'development-internal-token' } })).status).toBe(410);
  }, 180_000);

  it('day 90: portals hidden on identity’s confirmation, then the final confirmations', async () => {
    await advance(60);
    for (const id of [customer, vendor]) {
      await requestOf(id, 'com.offboarding.retention.portal_hide_requested.v1');
      await waitFor(async () => (await milestone(id, 'PORTAL_HIDDEN')).status === 'DONE', { ...EVENTUALLY, description: 'portal hidden' });
    }
    await runJobs();
    for (const id of [customer, vendor]) {
      expect((await milestone(id, 'FINAL_CONFIRMATION')).status).toBe('DONE');
      await requestOf(id, 'com.offboarding.retention.offboarding_completed.v1');
    }
  }, 180_000);

  it('day 365: both enter the purge queue; the customer is masked at purge, approved and purged with a certificate; a hold and four eyes stop the vendor', async () => {
    // Nothing is approved early.
    const early = await graphqlRequest(stack.graphqlUrl, `mutation P($org: ID!) { approvePurge(organizationId: $org) { status } }`, { org: customer }, token);
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION' });

    await advance(275);
    const { purgeQueue } = await gql<{ purgeQueue: { edges: { node: { organizationId: string; status: string; deletionPreview: { service: string; collection: string; rows: number }[] } }[] } }>(
      `{ purgeQueue(first: 10) { edges { node { organizationId status deletionPreview { service collection rows } } } } }`,
    );
    const queued = purgeQueue.edges.map((edge) => edge.node);
    expect(queued.map((entry) => entry.organizationId).sort()).toEqual([customer, vendor].sort());
    expect(queued.find((entry) => entry.organizationId === customer)!.deletionPreview).toEqual(
      expect.arrayContaining([{ service: 'entitlements', collection: 'entitlements', rows: 1 }, { service: 'provisioning', collection: 'licenses', rows: 1 }]),
    );

    // The customer's masking falls due at purge.
    await requestOf(customer, 'com.offboarding.retention.pii_masking_requested.v1');
    await waitFor(async () => (await milestone(customer, 'PII_MASKED')).status === 'DONE', { ...EVENTUALLY, description: 'the customer masked' });

    // The vendor: a hold keeps an approved purge back, and no approval is taken while it lasts;
    // after its release the releaser cannot approve.
    await gql(`mutation P($org: ID!) { approvePurge(organizationId: $org) { status } }`, { org: vendor });
    await gql(`mutation H($org: ID!) { placeLegalHold(input: { organizationId: $org, reason: "court order 17/2026" }) { status } }`, { org: vendor });
    const held = await graphqlRequest(stack.graphqlUrl, `mutation P($org: ID!) { approvePurge(organizationId: $org) { status } }`, { org: vendor }, token);
    expect(held.errors?.[0]?.extensions).toMatchObject({ code: 'LEGAL_HOLD' });
    await gql(`mutation P($org: ID!) { approvePurge(organizationId: $org) { status approvedBy } }`, { org: customer }).then((data) =>
      expect(data).toEqual({ approvePurge: { status: 'APPROVED', approvedBy: adminId } }),
    );
    await runJobs();
    await requestOf(customer, 'com.offboarding.retention.organization_purge_requested.v1');
    expect(retentionEvents.some((event) => event.subject === vendor && event.type === 'com.offboarding.retention.organization_purge_requested.v1')).toBe(false);
    expect((await view(vendor)).retention).toMatchObject({ status: 'PURGE_QUEUED', onLegalHold: true });
    await gql(`mutation R($org: ID!) { releaseLegalHold(input: { organizationId: $org, reason: "order lifted" }) { status } }`, { org: vendor });
    // The seeded admin released the hold, so the same admin's approval is refused (another admin
    // would be accepted: covered by the retention integration tests).
    const fourEyes = await graphqlRequest(stack.graphqlUrl, `mutation P($org: ID!) { approvePurge(organizationId: $org) { status } }`, { org: vendor }, token);
    expect(fourEyes.errors?.[0]?.extensions).toMatchObject({ code: 'FOUR_EYES_REQUIRED' });

    // Each round runs the jobs once more (the purge job issues the certificate when all confirmed).
    await waitFor(async () => (await view(customer)).retention?.status === 'PURGED' || (await runJobs(), false), { timeoutMs: 120_000, intervalMs: 2_000, description: 'the customer purged' });

    const { organization } = await gql<{ organization: { status: string; deletionCertificate: { sha256: string; content: string; deleted: { service: string; collection: string; rows: number }[] } } }>(
      `query C($id: ID!) { organization(id: $id) { status deletionCertificate { sha256 content deleted { service collection rows } } } }`,
      { id: customer },
    );
    expect(organization.status).toBe('PURGED');
    expect(createHash('sha256').update(organization.deletionCertificate.content).digest('hex')).toBe(organization.deletionCertificate.sha256);
    const content = JSON.parse(organization.deletionCertificate.content) as { organizationId: string; tombstone: { organizationType: string }; approval: { approvedBy: string } };
    expect(content).toMatchObject({ organizationId: customer, tombstone: { organizationType: 'CUSTOMER' }, approval: { approvedBy: adminId } });
    expect(organization.deletionCertificate.deleted).toEqual(
      expect.arrayContaining([expect.objectContaining({ service: 'entitlements', collection: 'entitlements', rows: 1 }), expect.objectContaining({ service: 'provisioning', collection: 'licenses', rows: 1 })]),
    );

    // The trail survived the purge and verifies; the vendor's data is untouched.
    const { verifyAuditTrail } = await gql<{ verifyAuditTrail: { intact: boolean; checkedEntries: number } }>(
      `query V($org: ID!) { verifyAuditTrail(organizationId: $org) { intact checkedEntries } }`,
      { org: customer },
    );
    expect(verifyAuditTrail.intact).toBe(true);
    expect(verifyAuditTrail.checkedEntries).toBeGreaterThan(20);
    expect((await view(vendor)).timeline!.milestones).toHaveLength(7);
    const afterPurge = await graphqlRequest(stack.graphqlUrl, `mutation E($org: ID!) { requestDataExport(organizationId: $org) { id } }`, { org: customer }, token);
    expect(afterPurge.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION' });
  }, 240_000);
});
