import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SignJWT } from 'jose';
import { type EventType, Topics } from '@offboarding/contracts';
import type { ReceivedEvent } from '@offboarding/messaging';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { readZip } from '../apps/retention/src/__tests__/zip-reader';
import { startStack, type RunningStack } from '../tools/stack';
import { type EventLog, readEvents } from './event-log';
import { graphql, graphqlRequest, login, SEEDED_ADMIN } from './graphql-client';

// Both source documents through the gateway, as a front-end team and an event consumer see them:
// a vendor with partners (users, SSO, contacts, campaigns, links) offboarded as one network, a
// vendor that asks for a delay in deactivation, a vendor whose offboarding is called off, and a
// customer that leaves and comes back. One stack for all of them; the clock moves for everyone.

let ports = { gatewayPort: 0, firstServicePort: 0, brokerPort: 0 };
const STACK_START_MS = 300_000;
const EVENTUALLY = { timeoutMs: 90_000, intervalMs: 250 };
const DAY_MS = 86_400_000;
const PASSWORD = 'a-long-enough-password-1';

interface Milestone {
  milestone: string;
  status: string;
  dueAt: string | null;
  blockedReason: string | null;
  ownCompletedAt: string | null;
  partners: { organizationId: string; status: string; blockedReason: string | null }[];
}
interface View {
  status: string;
  offboarding: { id: string; status: string; vendorCaseId: string | null } | null;
  timeline: { vendorOrganizationId: string | null; partnerOrganizationIds: string[]; milestones: Milestone[] } | null;
  retention: { status: string; exportWindowClosesAt: string; purgeEligibleAt: string; partnerOrganizationIds: string[] } | null;
  users: { edges: { node: { id: string; email: string; status: string } }[] };
}
const VIEW = `query V($id: ID!) { organization(id: $id) {
  status
  offboarding { id status vendorCaseId }
  timeline { vendorOrganizationId partnerOrganizationIds milestones { milestone status dueAt blockedReason ownCompletedAt partners { organizationId status blockedReason } } }
  retention { status exportWindowClosesAt purgeEligibleAt partnerOrganizationIds }
  users(first: 50) { edges { node { id email status } } }
} }`;

interface Network {
  id: string;
  name: string;
  userEmail: string;
  ssoConnectionId: string;
  ssoSecret: string;
  entitlementIds: string[];
}

describe('vendor offboarding reaches the whole partner network; delays, win-back and exports serve their people', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-partner-network-e2e-'));
  const logs: string[] = [];
  let events: ReceivedEvent[] = [];
  let stack: RunningStack;
  let eventLog: EventLog;
  let token = '';
  let gatewayBase = '';

  const gql = <T>(query: string, variables: Record<string, unknown> = {}, as = token) => graphql<T>(stack.graphqlUrl, query, variables, as);
  const refusal = async (query: string, variables: Record<string, unknown> = {}, as = token) => {
    const answer = await graphqlRequest(stack.graphqlUrl, query, variables, as);
    expect(answer.errors?.length).toBeGreaterThan(0);
    return { message: answer.errors![0].message, ...(answer.errors![0].extensions ?? {}) } as { message: string; code: string; [key: string]: unknown };
  };
  const view = async (id: string) => (await gql<{ organization: View }>(VIEW, { id })).organization;
  const milestone = async (id: string, kind: string) => (await view(id)).timeline!.milestones.find((m) => m.milestone === kind)!;
  const runJobs = async () => {
    const { _devRunScheduledJobs: runs } = await gql<{ _devRunScheduledJobs: { service: string; job: string; status: string; error: string | null }[] }>(
      'mutation { _devRunScheduledJobs { service job status error } }',
    );
    expect(runs.filter((run) => run.status === 'FAILED')).toEqual([]);
  };
  const advance = async (days: number) => {
    await gql('mutation A($days: Int!) { _devAdvanceClock(days: $days) { now } }', { days });
    await runJobs();
  };
  const eventsOf = (type: EventType, subject?: string) => events.filter((event) => event.type === type && (subject === undefined || event.subject === subject));
  const eventually = <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false) => waitFor(probe, { ...EVENTUALLY, description: what });
  const eventFor = (type: EventType, subject: string, matches: (data: Record<string, unknown>) => boolean = () => true) =>
    eventually(`${type} for ${subject}`, () => eventsOf(type, subject).find((event) => matches(event.data as Record<string, unknown>)));
  const whenDone = (id: string, kind: string, jobs = true) =>
    eventually(`${kind} done for ${id}`, async () => {
      if ((await milestone(id, kind)).status === 'DONE') return true;
      if (jobs) await runJobs();
      return false;
    });
  const today = async () => (await gql<{ _devNow: { now: string } }>('{ _devNow { now } }'))._devNow.now.slice(0, 10);
  const startOffboarding = (organizationId: string, dayZero: string) =>
    gql<{ startOffboarding: { id: string } }>(
      'mutation S($org: ID!, $day: String!) { startOffboarding(input: { organizationId: $org, reason: CONTRACT_END, dayZero: $day, pointOfContact: "Ana (AM)" }) { id } }',
      { org: organizationId, day: dayZero },
    );
  const exportOf = async (organizationId: string, as = token) => {
    const { requestDataExport } = await gql<{ requestDataExport: { id: string } }>('mutation E($org: ID!) { requestDataExport(organizationId: $org) { id } }', { org: organizationId }, as);
    const ready = await eventually('the data export', async () => {
      const { dataExport } = await gql<{ dataExport: { status: string; downloadUrl: string | null; error: string | null } }>(
        'query D($id: ID!) { dataExport(id: $id) { status downloadUrl error } }',
        { id: requestDataExport.id },
        as,
      );
      if (dataExport.status === 'FAILED') throw new Error(dataExport.error ?? 'export failed');
      return dataExport.status === 'READY' ? dataExport : undefined;
    });
    expect(new URL(ready.downloadUrl!).origin).toBe(gatewayBase);
    const response = await fetch(ready.downloadUrl!);
    expect(response.status).toBe(200);
    const file = path.join(dataDir, `${requestDataExport.id}.zip`);
    const bytes = Buffer.from(await response.arrayBuffer());
    fs.writeFileSync(file, bytes);
    const entries = await readZip(file);
    const json = <T>(name: string) => JSON.parse(entries.get(name)!.toString()) as T;
    return { entries, json, text: [...entries.values()].map((entry) => entry.toString()).join('\n') };
  };
  const ssoAssertion = (secret: string, email: string) =>
    new SignJWT({ email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://idp.example')
      .setAudience('offboarding-portal')
      .setSubject(email)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(new TextEncoder().encode(secret));
  const ssoLogin = async (connectionId: string, secret: string, email: string) =>
    graphqlRequest<{ loginWithSso: { accessToken: string } }>(
      stack.graphqlUrl,
      'mutation L($c: ID!, $a: String!) { loginWithSso(connectionId: $c, assertion: $a) { accessToken } }',
      { c: connectionId, a: await ssoAssertion(secret, email) },
    );

  /** An organization with a user (password and SSO), contacts, and entitlements of the given classes. */
  async function organization(name: string, type: 'CUSTOMER' | 'VENDOR' | 'PARTNER', classes: string[], vendorId: string | null = null): Promise<Network> {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const { createOrganization } = await gql<{ createOrganization: { id: string } }>(
      'mutation C($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }',
      {
        input: {
          name,
          type,
          vendorId,
          taxId: `TAX-${slug}`,
          contacts: [{ name: `Contact of ${name}`, email: `contact@${slug}.example`, phone: '+49 30 123456', address: `${name} Street 1, Berlin` }],
        },
      },
    );
    const id = createOrganization.id;
    const userEmail = `user@${slug}.example`;
    await gql('mutation U($input: CreateUserInput!) { createUser(input: $input) { id } }', {
      input: { email: userEmail, displayName: `User of ${name}`, role: type === 'PARTNER' ? 'PARTNER_USER' : 'COLLABORATOR', organizationId: id, password: PASSWORD },
    });
    const ssoSecret = `sso-secret-of-${slug}-${randomUUID()}`;
    const { createSsoConnection } = await gql<{ createSsoConnection: { id: string } }>(
      'mutation S($input: CreateSsoConnectionInput!) { createSsoConnection(input: $input) { id } }',
      { input: { organizationId: id, protocol: 'OIDC', issuer: 'https://idp.example', clientId: 'offboarding-portal', secret: ssoSecret } },
    );
    const entitlementIds: string[] = [];
    for (const entitlementClass of classes) {
      const { grantEntitlement } = await gql<{ grantEntitlement: { id: string } }>(
        'mutation G($org: ID!, $class: EntitlementClass!) { grantEntitlement(input: { organizationId: $org, class: $class, product: "Partner Suite" }) { id } }',
        { org: id, class: entitlementClass },
      );
      entitlementIds.push(grantEntitlement.id);
    }
    return { id, name, userEmail, ssoConnectionId: createSsoConnection.id, ssoSecret, entitlementIds };
  }

  const trackingLinksOf = async (id: string) =>
    (await gql<{ organization: { campaigns: { status: string; trackingLinks: { url: string; status: string }[] }[] } }>(
      'query T($id: ID!) { organization(id: $id) { campaigns { status trackingLinks { url status } } } }',
      { id },
    )).organization.campaigns;

  beforeAll(async () => {
    const first = await freePortBlock(6);
    ports = { gatewayPort: first, firstServicePort: first + 1, brokerPort: first + 5 };
    gatewayBase = `http://localhost:${ports.gatewayPort}`;
    stack = await startStack({ ...ports, dataDir, env: { LOG_LEVEL: 'warn', KAFKA_BROKERS: '', DATABASE_URL: '', PUBLIC_BASE_URL: '' }, onLog: (line) => logs.push(line) });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    eventLog = await readEvents(stack.kafkaBrokers, Object.values(Topics), 'partner-network-e2e');
    events = eventLog.events;
  }, STACK_START_MS);

  afterAll(async () => {
    await eventLog?.stop();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (logs.length > 0) process.stderr.write(`stack warnings and errors:\n${logs.slice(-150).join('\n')}\n`);
  });

  let vendor: Network;
  let partners: Network[];
  let delayed: Network;
  let delayedPartner: Network;
  let withdrawn: Network;
  let withdrawnPartner: Network;
  let customer: Network;
  let dayZero = '';
  let partnerToken = '';
  let linkUrl = '';

  it('day 0: a vendor’s offboarding takes its partners along; a delay moves deactivation; a withdrawn one brings its partners back', async () => {
    vendor = await organization('Vendor Network GmbH', 'VENDOR', ['AFL', 'PLG']);
    partners = [await organization('Partner One Ltd', 'PARTNER', ['AFL'], vendor.id), await organization('Partner Two Ltd', 'PARTNER', ['AFL', 'PLG'], vendor.id)];
    delayed = await organization('Delayed Vendor AG', 'VENDOR', ['PLG']);
    delayedPartner = await organization('Delayed Partner SARL', 'PARTNER', ['AFL'], delayed.id);
    withdrawn = await organization('Staying Vendor BV', 'VENDOR', ['PLG']);
    withdrawnPartner = await organization('Staying Partner BV', 'PARTNER', ['AFL'], withdrawn.id);
    dayZero = await today();

    // A partner's tracking link works on the gateway's origin until the vendor leaves.
    [linkUrl] = (await trackingLinksOf(partners[0].id)).flatMap((campaign) => campaign.trackingLinks.map((link) => link.url));
    expect(new URL(linkUrl).origin).toBe(gatewayBase);
    const live = await fetch(linkUrl, { redirect: 'manual' });
    expect(live.status).toBe(302);
    partnerToken = await login(stack.graphqlUrl, partners[0].userEmail, PASSWORD);

    await startOffboarding(vendor.id, dayZero);
    await startOffboarding(delayed.id, dayZero);
    const future = new Date(Date.parse(`${dayZero}T00:00:00Z`) + 10 * DAY_MS).toISOString().slice(0, 10);
    await startOffboarding(withdrawn.id, future);

    // offboarding_started carries the partners; each partner has a case of its own, linked to the vendor's.
    const started = await eventFor('com.offboarding.entitlements.offboarding_started.v1', vendor.id);
    expect((started.data as { partnerOrganizationIds: string[] }).partnerOrganizationIds.sort()).toEqual(partners.map((p) => p.id).sort());
    const vendorCase = (await view(vendor.id)).offboarding!;
    for (const partner of partners) {
      const partnerView = await view(partner.id);
      expect(partnerView.status).toBe('OFFBOARDING');
      expect(partnerView.offboarding).toMatchObject({ vendorCaseId: vendorCase.id, status: 'ENTITLEMENTS_CANCELLED' });
      await eventFor('com.offboarding.entitlements.offboarding_started.v1', partner.id, (data) => data.vendorCaseId === vendorCase.id);
    }
    // Entitlements cancelled on day 0, campaigns invalidated, links gone.
    await eventually('the partner link answers 410', async () => (await fetch(linkUrl, { redirect: 'manual' })).status === 410);
    await eventFor('com.offboarding.provisioning.campaign_invalidated.v1', partners[0].id, (data) => data.reason === 'ENTITLEMENT_CANCELLED');
    await eventFor('com.offboarding.provisioning.tracking_link_disabled.v1', partners[0].id, (data) => data.reason === 'CANCELLED');
    expect((await trackingLinksOf(partners[1].id)).map((campaign) => campaign.status)).toEqual(['INVALIDATED']);

    // The vendor's milestone is done with every partner's, and its timeline shows each partner.
    await whenDone(vendor.id, 'ENTITLEMENTS_CANCELLED', false);
    const vendorView = await view(vendor.id);
    expect(vendorView.timeline!.partnerOrganizationIds.sort()).toEqual(partners.map((p) => p.id).sort());
    const cancelled = vendorView.timeline!.milestones.find((m) => m.milestone === 'ENTITLEMENTS_CANCELLED')!;
    expect(cancelled.partners.map((p) => [p.organizationId, p.status]).sort()).toEqual(partners.map((p) => [p.id, 'DONE']).sort());
    const partnerTimeline = (await view(partners[0].id)).timeline!;
    expect(partnerTimeline.vendorOrganizationId).toBe(vendor.id);
    for (const kind of ['EXPORT_WINDOW_CLOSES', 'SSO_SHUTDOWN', 'PII_MASKED', 'PURGE_ELIGIBLE']) {
      expect(partnerTimeline.milestones.find((m) => m.milestone === kind)!.dueAt).toBe(vendorView.timeline!.milestones.find((m) => m.milestone === kind)!.dueAt);
    }

    // No new partner for a vendor on its way out; a partner's case is cancelled with its vendor only.
    expect(
      await refusal('mutation C($v: ID!) { createOrganization(input: { name: "Late Partner", type: PARTNER, vendorId: $v }) { id } }', { v: vendor.id }),
    ).toMatchObject({ code: 'VENDOR_OFFBOARDING', message: expect.stringMatching(/is being offboarded .*no new partners/) });
    await eventFor('com.offboarding.entitlements.offboarding_started.v1', withdrawnPartner.id);
    expect(await refusal('mutation X($o: ID!) { cancelOffboarding(organizationId: $o) { id } }', { o: withdrawnPartner.id })).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringMatching(/cancel the vendor's offboarding/),
    });
    expect((await view(withdrawnPartner.id)).status).toBe('OFFBOARDING');
    await gql('mutation X($o: ID!) { cancelOffboarding(organizationId: $o) { id } }', { o: withdrawn.id });
    expect((await view(withdrawn.id)).status).toBe('ACTIVE');
    expect(await view(withdrawnPartner.id)).toMatchObject({ status: 'ACTIVE', offboarding: { status: 'CANCELLED' } });
    await eventFor('com.offboarding.entitlements.offboarding_cancelled.v1', withdrawnPartner.id);
    await eventually('the withdrawn partner’s retention case closed', async () => (await view(withdrawnPartner.id)).retention?.status === 'CLOSED');

    // The delayed vendor asked for 30 more days: nothing that ends access falls inside the window.
    await eventually('the delayed vendor’s partner case', async () => (await view(delayedPartner.id)).retention !== null);
    expect(await refusal('mutation W($o: ID!) { extendExportWindow(organizationId: $o, days: 5, reason: "partner asks") { status } }', { o: delayedPartner.id })).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringMatching(/vendor's timeline/),
    });
    await gql('mutation W($o: ID!) { extendExportWindow(organizationId: $o, days: 30, reason: "vendor asked for a delay in deactivation") { status } }', { o: delayed.id });
    const closes = Date.parse(`${dayZero}T00:00:00Z`) + 37 * DAY_MS;
    for (const id of [delayed.id, delayedPartner.id]) {
      const milestones = (await view(id)).timeline!.milestones;
      expect(Date.parse(milestones.find((m) => m.milestone === 'EXPORT_WINDOW_CLOSES')!.dueAt!)).toBe(closes);
      for (const kind of ['SSO_SHUTDOWN', 'PII_MASKED', 'PORTAL_HIDDEN', 'FINAL_CONFIRMATION']) {
        expect(Date.parse(milestones.find((m) => m.milestone === kind)!.dueAt!)).toBeGreaterThanOrEqual(closes);
      }
    }
    const extended = await eventFor('com.offboarding.retention.export_window_extended.v1', delayed.id);
    expect((extended.data as { rescheduled: { milestone: string }[] }).rescheduled.map((entry) => entry.milestone)).toEqual(expect.arrayContaining(['SSO_SHUTDOWN', 'PII_MASKED']));
    await eventFor('com.offboarding.retention.export_window_extended.v1', delayedPartner.id);

    // Milestone notices: the vendor's export window closes in 7 days.
    await runJobs();
    const notice = await eventFor('com.offboarding.retention.milestone_upcoming.v1', vendor.id, (data) => data.milestone === 'EXPORT_WINDOW_CLOSES');
    expect(notice.data).toMatchObject({ noticeDays: 7, daysLeft: 7, vendorOrganizationId: null });
    await eventFor('com.offboarding.retention.milestone_upcoming.v1', partners[0].id, (data) => data.milestone === 'EXPORT_WINDOW_CLOSES' && data.vendorOrganizationId === vendor.id);
  }, 240_000);

  it('day 0: the vendor’s export holds its partners and their contacts; a partner exports inside the window', async () => {
    const vendorExport = await exportOf(vendor.id);
    const listed = vendorExport.json<{ id: string; name: string; status: string; created_at: string }[]>('entitlements/partners.json');
    expect(listed.map((partner) => partner.name).sort()).toEqual(['Partner One Ltd', 'Partner Two Ltd']);
    expect(listed.every((partner) => partner.status === 'OFFBOARDING' && partner.created_at)).toBe(true);
    expect(vendorExport.entries.get('entitlements/partners.csv')!.toString()).toMatch(/^id,name,type,status,created_at/);
    const contacts = vendorExport.json<{ organization_id: string; email: string }[]>('entitlements/partner_contacts.json');
    expect(contacts.map((contact) => contact.email).sort()).toEqual(['contact@partner-one-ltd.example', 'contact@partner-two-ltd.example']);
    const manifest = vendorExport.json<{ files: { path: string }[] }>('manifest.json');
    expect(manifest.files.map((file) => file.path)).toEqual(expect.arrayContaining(['entitlements/partners.json', 'entitlements/partners.csv', 'entitlements/partner_contacts.json', 'entitlements/partner_contacts.csv']));

    // The partner's own export, by its own user, inside the vendor's window.
    const partnerExport = await exportOf(partners[0].id, partnerToken);
    expect(partnerExport.json<{ email: string }[]>('identity/users.json').map((user) => user.email)).toEqual([partners[0].userEmail]);
  }, 120_000);

  it('day 0: the customer leaves — exports and the environment export reach the customer, on the one public origin, complete and without secrets', async () => {
    customer = await organization('Returning Customer Inc', 'CUSTOMER', ['PLG', 'ENV', 'SVC']);
    await gql('mutation O($org: ID!) { createOrder(input: { organizationId: $org, reference: "PO-1", description: "Annual plan", amountMinor: 120000, currency: "EUR" }) { id } }', { org: customer.id });
    await gql('mutation Q($org: ID!) { createQuote(input: { organizationId: $org, reference: "Q-1", description: "Renewal", amountMinor: 99000, currency: "EUR" }) { id } }', { org: customer.id });
    await gql('mutation I($org: ID!) { createInvoice(input: { organizationId: $org, number: "INV-1", amountMinor: 120000, currency: "EUR" }) { id } }', { org: customer.id });
    await gql('mutation D($org: ID!) { addDocument(input: { organizationId: $org, title: "Contract", kind: "CONTRACT", content: "signed" }) { id } }', { org: customer.id });
    const { organization: provisioned } = await gql<{ organization: { licenses: { licenseKey: string }[]; services: { id: string }[] } }>(
      'query P($id: ID!) { organization(id: $id) { licenses { licenseKey } services { id } } }',
      { id: customer.id },
    );
    const { openServiceRequest } = await gql<{ openServiceRequest: { id: string } }>('mutation R($s: ID!) { openServiceRequest(serviceId: $s, subject: "Migrate DNS") { id } }', {
      s: provisioned.services[0].id,
    });
    await startOffboarding(customer.id, dayZero);
    await whenDone(customer.id, 'ENTITLEMENTS_CANCELLED', false);

    // The plugin update check is on the gateway's origin and says why there is nothing.
    const key = provisioned.licenses[0].licenseKey;
    await eventually('the licence cancelled', async () => {
      const check = await fetch(`${gatewayBase}/plugin/v1/update-check?licenseKey=${key}&site=https%3A%2F%2Fshop.example&version=1.0.0`);
      return check.status === 403 && ((await check.json()) as { status: string }).status === 'LICENSE_CANCELLED';
    });
    expect((await fetch(`${gatewayBase}/plugin/v1/download?licenseKey=${key}`)).status).toBe(403);

    // Reviewed service requests and frozen credits are events of their own.
    await eventually('the request in review', async () => {
      const answer = await graphqlRequest(stack.graphqlUrl, 'mutation C($id: ID!) { completeServiceRequest(id: $id) { status } }', { id: openServiceRequest.id }, token);
      return !answer.errors;
    });
    await eventFor('com.offboarding.provisioning.service_request_reviewed.v1', customer.id, (data) => data.outcome === 'COMPLETED');
    await eventFor('com.offboarding.provisioning.credit_balance_frozen.v1', customer.id, (data) => data.reason === 'CANCELLED');

    // "Provide the export to the customer": the environment's data behind a signed, expiring link.
    const environmentId = await eventually('the environment deprovisioned', async () => {
      const { organization } = await gql<{ organization: { environments: { id: string; status: string }[] } }>('query E($id: ID!) { organization(id: $id) { environments { id status } } }', { id: customer.id });
      return organization.environments[0]?.status === 'DEPROVISIONED' ? organization.environments[0].id : undefined;
    });
    const { exportEnvironmentData } = await gql<{ exportEnvironmentData: { sha256: string; downloadUrl: string; downloadUrlExpiresAt: string } }>(
      'mutation X($id: ID!) { exportEnvironmentData(id: $id) { sha256 downloadUrl downloadUrlExpiresAt } }',
      { id: environmentId },
    );
    expect(new URL(exportEnvironmentData.downloadUrl).origin).toBe(gatewayBase);
    const environmentFile = await fetch(exportEnvironmentData.downloadUrl);
    expect(environmentFile.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await environmentFile.arrayBuffer())).digest('hex')).toBe(exportEnvironmentData.sha256);
    expect((await fetch(exportEnvironmentData.downloadUrl.replace(/signature=[0-9a-f]/, 'signature=g'))).status).toBe(403);

    // The data export holds the customer's people, and no secret.
    const data = await exportOf(customer.id);
    expect(data.json<{ email: string; display_name: string; status: string }[]>('identity/users.json')).toEqual([
      expect.objectContaining({ email: customer.userEmail, display_name: 'User of Returning Customer Inc', status: 'ACTIVE' }),
    ]);
    expect(data.json<{ email: string; phone: string }[]>('entitlements/organization_contacts.json')).toEqual([
      expect.objectContaining({ email: 'contact@returning-customer-inc.example', phone: '+49 30 123456' }),
    ]);
    expect(data.entries.get('identity/users.csv')!.toString()).toContain(customer.userEmail);
    expect(data.text).not.toContain(customer.ssoSecret);
    expect(data.text).not.toMatch(/scrypt|password_hash|secret_ciphertext|token_hash|refresh_token/);

    // The customer's records reach billing and CRM as events of their own.
    for (const type of [
      'com.offboarding.entitlements.order_created.v1',
      'com.offboarding.entitlements.quote_created.v1',
      'com.offboarding.entitlements.invoice_issued.v1',
      'com.offboarding.entitlements.document_added.v1',
      'com.offboarding.entitlements.contact_added.v1',
      'com.offboarding.identity.user_created.v1',
    ] as const) {
      await eventFor(type, customer.id);
    }
  }, 180_000);

  it('day 6 and 7: the second notice goes out once; the window closes for the vendor’s network but not for the delayed one', async () => {
    await advance(6);
    await runJobs();
    await eventFor('com.offboarding.retention.milestone_upcoming.v1', vendor.id, (data) => data.milestone === 'EXPORT_WINDOW_CLOSES' && data.noticeDays === 1);
    const notices = eventsOf('com.offboarding.retention.milestone_upcoming.v1', vendor.id).filter((event) => (event.data as { milestone: string }).milestone === 'EXPORT_WINDOW_CLOSES');
    expect(notices.map((event) => (event.data as { noticeDays: number }).noticeDays)).toEqual([7, 1]);

    await advance(1);
    await whenDone(vendor.id, 'EXPORT_WINDOW_CLOSES');
    expect(await refusal('mutation E($org: ID!) { requestDataExport(organizationId: $org) { id } }', { org: partners[0].id }, partnerToken)).toMatchObject({ code: 'EXPORT_WINDOW_CLOSED' });
    const delayedToken = await login(stack.graphqlUrl, delayedPartner.userEmail, PASSWORD);
    await gql('mutation E($org: ID!) { requestDataExport(organizationId: $org) { id } }', { org: delayedPartner.id }, delayedToken);

    // The customer is archived: SSO shutdown at archive deletes its password and SSO connection.
    await gql('mutation A($id: ID!) { archiveOrganization(id: $id) { status } }', { id: customer.id });
    await whenDone(customer.id, 'SSO_SHUTDOWN');
    expect(await refusal('mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: customer.userEmail, p: PASSWORD }, '')).toMatchObject({ code: 'UNAUTHENTICATED' });
  }, 180_000);

  it('day 8: the customer comes back — unarchived and reactivated, its people set a password with a link and SSO works again with a new connection', async () => {
    await advance(1);
    await gql('mutation U($id: ID!) { unarchiveOrganization(id: $id) { status } }', { id: customer.id });
    await gql('mutation R($e: ID!) { reactivateEntitlement(input: { entitlementId: $e, reference: "PO-2026-WINBACK" }) { status } }', { e: customer.entitlementIds[0] });
    const userId = (await eventFor('com.offboarding.identity.user_reactivated.v1', customer.id)).data as { userId: string };
    // Their password was deleted at archive: the account is active, but nothing signs in yet.
    expect(await refusal('mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: customer.userEmail, p: PASSWORD }, '')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusal('mutation U($input: CreateUserInput!) { createUser(input: $input) { id } }', {
      input: { email: customer.userEmail, displayName: 'Again', role: 'COLLABORATOR', organizationId: customer.id, password: PASSWORD },
    })).toMatchObject({ code: 'CONFLICT', userId: userId.userId, message: expect.stringMatching(/password-setup link/) });

    const { issuePasswordSetupLink } = await gql<{ issuePasswordSetupLink: { setupId: string; expiresAt: string } }>(
      'mutation P($u: ID!) { issuePasswordSetupLink(input: { userId: $u, purpose: WIN_BACK }) { setupId expiresAt } }',
      { u: userId.userId },
    );
    // The link reaches the person through the event, for the notification service; never through the API.
    const issued = await eventFor('com.offboarding.identity.password_setup_issued.v1', customer.id, (data) => data.setupId === issuePasswordSetupLink.setupId);
    const setupUrl = new URL((issued.data as { setupUrl: string }).setupUrl);
    expect(`${setupUrl.origin}${setupUrl.pathname}`).toBe(`${gatewayBase}/set-password`);
    const setupToken = new URLSearchParams(setupUrl.hash.slice(1)).get('token')!;
    const setPassword = 'mutation S($t: String!, $p: String!) { setPasswordWithSetupLink(token: $t, password: $p) }';
    expect(await gql<{ setPasswordWithSetupLink: boolean }>(setPassword, { t: setupToken, p: 'my-new-password-2026' }, '')).toEqual({ setPasswordWithSetupLink: true });
    expect(await refusal(setPassword, { t: setupToken, p: 'another-password-2026' }, '')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'USED' });
    await login(stack.graphqlUrl, customer.userEmail, 'my-new-password-2026');
    await eventFor('com.offboarding.identity.password_set.v1', customer.id);
    // Never kept in clear: not in the audit trail, not in a log line.
    const trail: { eventType: string; details: string }[] = [];
    for (let after: string | null = null; ; ) {
      const page: { edges: { cursor: string; node: { eventType: string; details: string } }[]; pageInfo: { hasNextPage: boolean } } = (
        await gql<{ organization: { auditTrail: typeof page } }>(
          'query A($id: ID!, $after: String) { organization(id: $id) { auditTrail(first: 100, after: $after) { edges { cursor node { eventType details } } pageInfo { hasNextPage } } } }',
          { id: customer.id, after },
        )
      ).organization.auditTrail;
      trail.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.edges[page.edges.length - 1].cursor;
    }
    const recorded = trail.find((entry) => entry.eventType === 'com.offboarding.identity.password_setup_issued.v1')!;
    expect(recorded.details).toContain('[redacted]');
    expect(JSON.stringify(trail)).not.toContain(setupToken);
    expect(logs.join('\n')).not.toContain(setupToken);

    // The old SSO connection is gone for good; a new one works.
    expect((await ssoLogin(customer.ssoConnectionId, customer.ssoSecret, customer.userEmail)).errors?.[0]?.extensions).toMatchObject({ code: 'SSO_CONNECTION_DELETED' });
    const secret = `new-sso-secret-${randomUUID()}`;
    const { createSsoConnection } = await gql<{ createSsoConnection: { id: string } }>(
      'mutation S($input: CreateSsoConnectionInput!) { createSsoConnection(input: $input) { id } }',
      { input: { organizationId: customer.id, protocol: 'OIDC', issuer: 'https://idp.example', clientId: 'offboarding-portal', secret } },
    );
    expect((await ssoLogin(createSsoConnection.id, secret, customer.userEmail)).errors).toBeUndefined();
  }, 180_000);

  it('day 30: access ends, then the partners’ PII is masked; a partner on hold blocks the vendor’s milestone and says why', async () => {
    await advance(21);
    await gql('mutation H($o: ID!) { placeLegalHold(input: { organizationId: $o, reason: "dispute 2026-4" }) { status } }', { o: partners[1].id });
    await eventFor('com.offboarding.retention.legal_hold_placed.v1', partners[1].id);
    await advance(1);

    await whenDone(partners[0].id, 'PII_MASKED');
    const first = await view(partners[0].id);
    expect(first.users.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ status: 'DEACTIVATED', email: expect.stringMatching(/^masked:/) })]);
    expect(await refusal('mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', { e: partners[0].userEmail, p: PASSWORD }, '')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await ssoLogin(partners[0].ssoConnectionId, partners[0].ssoSecret, partners[0].userEmail)).errors?.[0]?.extensions).toMatchObject({ code: 'SSO_CONNECTION_DELETED' });
    const { organization: masked } = await gql<{ organization: { contacts: { edges: { node: { email: string; name: string } }[] } } }>(
      'query C($id: ID!) { organization(id: $id) { contacts(first: 10) { edges { node { email name } } } } }',
      { id: partners[0].id },
    );
    expect(masked.contacts.edges.map((edge) => edge.node.email)).toEqual([expect.stringMatching(/^masked:/)]);
    // Access ended before masking: the SSO shutdown was confirmed before masking was even requested.
    const shutDown = events.findIndex((event) => event.subject === partners[0].id && event.type === 'com.offboarding.identity.sso_shutdown_completed.v1');
    const maskingAsked = events.findIndex((event) => event.subject === partners[0].id && event.type === 'com.offboarding.retention.pii_masking_requested.v1');
    expect(shutDown).toBeGreaterThanOrEqual(0);
    expect(maskingAsked).toBeGreaterThan(shutDown);

    // The partner on hold is not masked; the vendor's milestone waits for it and says why.
    const blocked = await eventually('the vendor blocked on its partner', async () => {
      const current = await milestone(vendor.id, 'PII_MASKED');
      if (current.status === 'BLOCKED') return current;
      await runJobs();
      return undefined;
    });
    expect(blocked.ownCompletedAt).not.toBeNull();
    expect(blocked.blockedReason).toMatch(new RegExp(`waiting for partner ${partners[1].id}: legal hold`));
    expect(blocked.partners.find((p) => p.organizationId === partners[1].id)).toMatchObject({ status: 'BLOCKED', blockedReason: expect.stringMatching(/legal hold/) });
    expect((await view(partners[1].id)).users.edges[0].node.email).not.toMatch(/^masked:/);

    // Nothing masked while it may still export: the delayed network is untouched.
    expect(eventsOf('com.offboarding.retention.sso_shutdown_requested.v1', delayed.id)).toEqual([]);
    expect(eventsOf('com.offboarding.retention.pii_masking_requested.v1', delayedPartner.id)).toEqual([]);
    const delayedExport = await exportOf(delayed.id, await login(stack.graphqlUrl, delayed.userEmail, PASSWORD));
    expect(delayedExport.json<{ email: string }[]>('identity/users.json').map((user) => user.email)).toEqual([delayed.userEmail]);

    await gql('mutation R($o: ID!) { releaseLegalHold(input: { organizationId: $o, reason: "dispute settled" }) { status } }', { o: partners[1].id });
    await whenDone(vendor.id, 'PII_MASKED');
    expect((await view(partners[1].id)).users.edges[0].node.email).toMatch(/^masked:/);
    await eventFor('com.offboarding.retention.legal_hold_released.v1', partners[1].id);
    // Masked users stay gone: no way back for them.
    expect(
      await refusal('mutation P($u: ID!) { issuePasswordSetupLink(input: { userId: $u, purpose: WIN_BACK }) { setupId } }', { u: first.users.edges[0].node.id }),
    ).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/masked/) });
    // No active user anywhere carries a masked e-mail.
    for (const id of [vendor.id, ...partners.map((p) => p.id)]) {
      expect((await view(id)).users.edges.filter((edge) => edge.node.status === 'ACTIVE' && edge.node.email.startsWith('masked:'))).toEqual([]);
    }
  }, 240_000);

  it('day 37: the delayed network is shut down and masked once its window closed', async () => {
    await advance(7);
    await whenDone(delayedPartner.id, 'PII_MASKED');
    await whenDone(delayed.id, 'PII_MASKED');
    const maskedAt = eventsOf('com.offboarding.retention.pii_masking_requested.v1', delayed.id)[0].time;
    expect(Date.parse(maskedAt)).toBeGreaterThanOrEqual(Date.parse(`${dayZero}T00:00:00Z`) + 37 * DAY_MS);
  }, 180_000);

  it('day 90: the final confirmation says what was done for the network; the vendor is archived with its partners', async () => {
    await advance(53);
    await whenDone(vendor.id, 'FINAL_CONFIRMATION');
    const completed = await eventFor('com.offboarding.retention.offboarding_completed.v1', vendor.id);
    const letter = completed.data as {
      organizationType: string;
      partnerOrganizationIds: string[];
      counts: Record<string, number>;
      partnerCounts: Record<string, number>;
      milestones: { milestone: string; status: string }[];
    };
    expect(letter.organizationType).toBe('VENDOR');
    expect(letter.partnerOrganizationIds.sort()).toEqual(partners.map((p) => p.id).sort());
    expect(letter.counts).toMatchObject({ entitlementsCancelled: 2, ssoConnectionsDeleted: expect.any(Number), recordsMasked: expect.any(Number), dataExports: 1 });
    expect(letter.counts.usersDeactivated + letter.partnerCounts.usersDeactivated).toBe(3);
    expect(letter.counts.ssoConnectionsDeleted + letter.partnerCounts.ssoConnectionsDeleted).toBe(3);
    expect(letter.partnerCounts).toMatchObject({ entitlementsCancelled: 3, recordsMasked: expect.any(Number), dataExports: 1 });
    expect(letter.partnerCounts.recordsMasked).toBeGreaterThanOrEqual(4);
    expect(letter.milestones.filter((m) => m.milestone !== 'PURGE_ELIGIBLE').every((m) => m.status === 'DONE')).toBe(true);
    for (const id of [vendor.id, ...partners.map((p) => p.id)]) {
      await eventually(`${id} archived`, async () => (await gql<{ organization: { status: string } }>('query S($id: ID!) { organization(id: $id) { status } }', { id })).organization.status === 'ARCHIVED');
    }

    // The delayed vendor keeps its data longer: its partner's retention follows, each says so.
    const until = new Date(Date.parse(`${dayZero}T00:00:00Z`) + 400 * DAY_MS).toISOString().slice(0, 10);
    await gql('mutation K($o: ID!, $until: String!) { extendRetention(input: { organizationId: $o, until: $until, reason: "tax audit" }) { status } }', { o: delayed.id, until });
    for (const id of [delayed.id, delayedPartner.id]) {
      const extendedRetention = await eventFor('com.offboarding.retention.retention_extended.v1', id);
      expect((extendedRetention.data as { purgeEligibleAt: string }).purgeEligibleAt.slice(0, 10)).toBe(until);
    }
  }, 180_000);

  it('day 365: purge-eligible with the vendor, never while on hold; the vendor’s approval purges the network', async () => {
    await advance(275);
    const { purgeQueue } = await gql<{ purgeQueue: { edges: { node: { organizationId: string; purgeEligibleAt: string } }[] } }>(
      '{ purgeQueue(first: 50) { edges { node { organizationId purgeEligibleAt } } } }',
    );
    const queued = new Map(purgeQueue.edges.map((edge) => [edge.node.organizationId, edge.node.purgeEligibleAt]));
    for (const partner of partners) expect(queued.get(partner.id)).toBe(queued.get(vendor.id));

    await gql('mutation H($o: ID!) { placeLegalHold(input: { organizationId: $o, reason: "regulator inquiry" }) { status } }', { o: vendor.id });
    const approvals = eventsOf('com.offboarding.retention.purge_approved.v1').length;
    expect(await refusal('mutation P($o: ID!) { approvePurge(organizationId: $o) { status } }', { o: vendor.id })).toMatchObject({ code: 'LEGAL_HOLD', message: expect.stringMatching(/release the hold/) });
    expect(await refusal('mutation P($o: ID!) { approvePurge(organizationId: $o) { status } }', { o: partners[0].id })).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/purged with the vendor/) });
    await runJobs();
    expect(eventsOf('com.offboarding.retention.purge_approved.v1')).toHaveLength(approvals);
    await gql('mutation R($o: ID!) { releaseLegalHold(input: { organizationId: $o, reason: "inquiry closed" }) { status } }', { o: vendor.id });

    // Four eyes: the admin who released the hold does not approve.
    await gql('mutation U($input: CreateUserInput!) { createUser(input: $input) { id } }', {
      input: { email: 'second.admin@offboarding.local', displayName: 'Second Admin', role: 'ADMIN', password: PASSWORD },
    });
    const secondAdmin = await login(stack.graphqlUrl, 'second.admin@offboarding.local', PASSWORD);
    await gql('mutation P($o: ID!) { approvePurge(organizationId: $o) { status } }', { o: vendor.id }, secondAdmin);
    for (const id of [vendor.id, ...partners.map((p) => p.id)]) await eventFor('com.offboarding.retention.purge_approved.v1', id);
    for (const id of [vendor.id, ...partners.map((p) => p.id)]) {
      await eventually(`${id} purged`, async () => {
        const { organization } = await gql<{ organization: { status: string; deletionCertificate: { sha256: string } | null } }>(
          'query C($id: ID!) { organization(id: $id) { status deletionCertificate { sha256 } } }',
          { id },
        );
        if (organization.status === 'PURGED' && organization.deletionCertificate) return true;
        await runJobs();
        return false;
      });
    }
    expect((await view(delayed.id)).status).toBe('ARCHIVED');
    // Kept longer: the delayed network is not even in the queue yet.
    expect(queued.has(delayed.id) || queued.has(delayedPartner.id)).toBe(false);
  }, 300_000);

  it('answers a malformed id with BAD_USER_INPUT and says what was wrong in English', async () => {
    expect(await refusal('{ entitlement(id: "not-an-id") { id } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await refusal('mutation { cancelOffboarding(organizationId: "42") { id } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organizationId' });
    const cancel = 'mutation C($e: ID!) { cancelEntitlement(input: { entitlementId: $e, reason: OTHER }) { status } }';
    expect(await gql(cancel, { e: withdrawn.entitlementIds[0] })).toEqual({ cancelEntitlement: { status: 'CANCELLED' } });
    expect(await refusal(cancel, { e: withdrawn.entitlementIds[0] })).toMatchObject({ code: 'INVALID_TRANSITION', message: 'cannot cancel an entitlement that is CANCELLED' });
  });

  it('keeps the development clock across a restart of the stack', async () => {
    const before = (await gql<{ _devNow: { offsetDays: number } }>('{ _devNow { offsetDays } }'))._devNow.offsetDays;
    expect(before).toBeGreaterThanOrEqual(365);
    await eventLog.stop();
    await stack.stop();
    stack = await startStack({ ...ports, dataDir, env: { LOG_LEVEL: 'warn', KAFKA_BROKERS: '', DATABASE_URL: '', PUBLIC_BASE_URL: '' }, onLog: (line) => logs.push(line) });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    const { _devNow } = await gql<{ _devNow: { offsetDays: number; services: { offsetMs: number }[] } }>('{ _devNow { offsetDays services { offsetMs } } }');
    expect(_devNow.offsetDays).toBeCloseTo(before, 5);
    expect(new Set(_devNow.services.map((service) => service.offsetMs)).size).toBe(1);
  }, STACK_START_MS);
});
