import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePortBlock, kcatInstalled, waitFor } from '@offboarding/testing';
import { startStack, type RunningStack } from '../tools/stack';
import { graphql as graphqlAs, graphqlRequest as graphqlRequestAs, login, SEEDED_ADMIN } from './graphql-client';
import { headerMap, readTopicWithKcat } from './kcat';

// The whole embedded stack as `npm start` runs it (dev broker, four services, gateway as
// separate processes), on free ports of its own (kept across its restart) so it can run beside
// a developer's stack and other test runs.
let ports = { gatewayPort: 0, firstServicePort: 0, brokerPort: 0 };
// The tests poll every 50 ms while waiting for events: far above a person's request rate.
const RATE_LIMIT_FOR_POLLING = { RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '1000' };

interface OrganizationView {
  organization: {
    name: string;
    entitlements: { totalCount: number; edges: { node: { id: string; class: string; status: string; cancellationReason: string | null } }[] };
    licenses: { status: string; entitlementId: string }[];
    portalAccess: { enabled: boolean } | null;
    auditTrail: { totalCount: number; edges: { node: { sequence: number; eventType: string } }[] };
    auditTrailIntact: boolean;
  } | null;
}

const ORGANIZATION_VIEW = `
  query View($id: ID!) {
    organization(id: $id) {
      name
      entitlements { totalCount edges { node { id class status cancellationReason } } }
      licenses { status entitlementId }
      portalAccess { enabled }
      auditTrail(first: 100) { totalCount edges { node { sequence eventType } } }
      auditTrailIntact
    }
  }`;

describe('the offboarding slice through the gateway', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-e2e-'));
  const logs: string[] = [];
  let stack: RunningStack;

  // Every operation but login needs a token: the tests act as the seeded staff admin.
  let adminToken = '';
  const graphql = <T>(url: string, query: string, variables: Record<string, unknown> = {}) => graphqlAs<T>(url, query, variables, adminToken);
  const graphqlRequest = <T>(url: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequestAs<T>(url, query, variables, adminToken);

  const start = async () => {
    const running = await startStack({ ...ports, dataDir, env: { LOG_LEVEL: 'warn', KAFKA_BROKERS: '', DATABASE_URL: '', ...RATE_LIMIT_FOR_POLLING }, onLog: (line) => logs.push(line) });
    adminToken = await login(running.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    return running;
  };
  const view = async (id: string) => (await graphql<OrganizationView>(stack.graphqlUrl, ORGANIZATION_VIEW, { id })).organization;

  // A fresh stack copies a database template per service and starts five processes: minutes
  // on a busy two-core machine, not seconds.
  const STACK_START_MS = 300_000;

  beforeAll(async () => {
    const first = await freePortBlock(6);
    ports = { gatewayPort: first, firstServicePort: first + 1, brokerPort: first + 5 };
    stack = await start();
  }, STACK_START_MS);

  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    // Only warnings and errors are logged: worth seeing whenever there are any.
    if (logs.length > 0) process.stderr.write(`stack warnings and errors:\n${logs.slice(-150).join('\n')}\n`);
  });

  let organizationId = '';
  let entitlementId = '';

  it('cancels a PLG entitlement and its licence, visible from all four subgraphs in one query', async () => {
    const { createOrganization } = await graphql<{ createOrganization: { id: string; status: string } }>(
      stack.graphqlUrl,
      `mutation { createOrganization(input: { name: "Acme GmbH", taxId: "DE123456789", type: CUSTOMER }) { id status } }`,
    );
    organizationId = createOrganization.id;
    expect(createOrganization.status).toBe('ACTIVE');

    const { grantEntitlement } = await graphql<{ grantEntitlement: { id: string; status: string } }>(
      stack.graphqlUrl,
      `mutation Grant($org: ID!) { grantEntitlement(input: { organizationId: $org, class: PLG, product: "SEO Plugin Pro" }) { id status } }`,
      { org: organizationId },
    );
    entitlementId = grantEntitlement.id;
    await waitFor(async () => (await view(organizationId))?.licenses[0]?.status === 'ACTIVE', {
      timeoutMs: 60_000,
      description: 'the licence issued by provisioning',
    });

    const { cancelEntitlement } = await graphql<{ cancelEntitlement: { status: string; cancellationReason: string } }>(
      stack.graphqlUrl,
      `mutation Cancel($id: ID!) { cancelEntitlement(input: { entitlementId: $id, reason: SWITCHING_PROVIDER, notes: "moving on" }) { status cancellationReason } }`,
      { id: entitlementId },
    );
    expect(cancelEntitlement).toEqual({ status: 'CANCELLED', cancellationReason: 'SWITCHING_PROVIDER' });

    const organization = await waitFor(
      async () => {
        const current = await view(organizationId);
        // create: organization_created, its audit entry, portal_access_enabled; grant and cancel:
        // the entitlement event, its audit entry, the licence event, the resources event; the
        // last cancellation opens a retention case.
        return current?.licenses[0]?.status === 'CANCELLED' && current.auditTrail.totalCount === 12 ? current : undefined;
      },
      { timeoutMs: 60_000, description: 'licence cancelled and twelve audit trail entries' },
    );
    expect(organization.name).toBe('Acme GmbH');
    expect(organization.entitlements.edges.map((edge) => edge.node)).toEqual([
      { id: entitlementId, class: 'PLG', status: 'CANCELLED', cancellationReason: 'SWITCHING_PROVIDER' },
    ]);
    expect(organization.licenses).toEqual([{ status: 'CANCELLED', entitlementId }]);
    expect(organization.portalAccess).toEqual({ enabled: true });
    const trail = organization.auditTrail.edges.map((edge) => edge.node.eventType);
    expect(trail).toEqual(
      expect.arrayContaining([
        'com.offboarding.entitlements.entitlement_cancelled.v1',
        'com.offboarding.entitlements.entitlement_granted.v1',
        'com.offboarding.entitlements.organization_created.v1',
        'com.offboarding.entitlements.audit_recorded.v1',
        'com.offboarding.identity.portal_access_enabled.v1',
        'com.offboarding.provisioning.license_cancelled.v1',
        'com.offboarding.provisioning.license_issued.v1',
        'com.offboarding.provisioning.resources_provisioned.v1',
        'com.offboarding.provisioning.resources_deprovisioned.v1',
      ]),
    );
    // One audit entry per action of the entitlements service: create, grant, cancel.
    expect(trail.filter((type) => type === 'com.offboarding.entitlements.audit_recorded.v1')).toHaveLength(3);
    expect(organization.auditTrailIntact).toBe(true);
  });

  // Runs wherever kcat is installed and always in CI; see describeWithKcat.
  const itWithKcat = process.env.CI || kcatInstalled() ? it : it.skip;

  itWithKcat('publishes license_cancelled on offboarding.provisioning.v1 as a CloudEvent that kcat reads', () => {
    const messages = readTopicWithKcat(stack.kafkaBrokers, 'offboarding.provisioning.v1');
    const cancelled = messages.filter((message) => headerMap(message).ce_type === 'com.offboarding.provisioning.license_cancelled.v1');
    expect(cancelled).toHaveLength(1);
    const [message] = cancelled;
    expect(message.key).toBe(organizationId);
    expect(headerMap(message)).toMatchObject({
      ce_specversion: '1.0',
      ce_source: '/offboarding/provisioning',
      ce_subject: organizationId,
      'content-type': 'application/json',
    });
    expect(JSON.parse(message.payload!)).toMatchObject({ organizationId, entitlementId });
  });

  it('refuses bad input with a clear code and changes nothing', async () => {
    const again = await graphqlRequest(stack.graphqlUrl, `mutation Cancel($id: ID!) { cancelEntitlement(input: { entitlementId: $id, reason: OTHER }) { status } }`, {
      id: entitlementId,
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentStatus: 'CANCELLED' });
    const badOrganization = await graphqlRequest(stack.graphqlUrl, `mutation { createOrganization(input: { name: "  ", type: CUSTOMER }) { id } }`);
    expect(badOrganization.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const missing = await graphqlRequest(stack.graphqlUrl, `mutation { grantEntitlement(input: { organizationId: "00000000-0000-4000-8000-000000000000", class: ENV, product: "x" }) { id } }`);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(JSON.stringify([again, badOrganization, missing])).not.toMatch(/stacktrace|\.ts:\d+/i);

    const listing = await graphql<{ organizations: { totalCount: number } }>(stack.graphqlUrl, `{ organizations { totalCount } }`);
    expect(listing.organizations.totalCount).toBe(1);
  });

  it('advances the clock 31 days: an unpaid entitlement is cancelled for NON_PAYMENT and its licence downstream', async () => {
    const { createOrganization } = await graphql<{ createOrganization: { id: string } }>(
      stack.graphqlUrl,
      `mutation { createOrganization(input: { name: "Late Payer Ltd", type: CUSTOMER }) { id } }`,
    );
    const org = createOrganization.id;
    const { grantEntitlement } = await graphql<{ grantEntitlement: { id: string } }>(
      stack.graphqlUrl,
      `mutation Grant($org: ID!) { grantEntitlement(input: { organizationId: $org, class: PLG, product: "Forms Pro" }) { id } }`,
      { org },
    );
    const licenceOf = async () => (await view(org))?.licenses.find((licence) => licence.entitlementId === grantEntitlement.id)?.status;
    await waitFor(async () => (await licenceOf()) === 'ACTIVE', { timeoutMs: 60_000, description: 'the licence issued' });

    const { recordPaymentFailure } = await graphql<{ recordPaymentFailure: { status: string; suspensionReason: string; graceEndsAt: string } }>(
      stack.graphqlUrl,
      `mutation Fail($id: ID!) { recordPaymentFailure(entitlementId: $id) { status suspensionReason graceEndsAt } }`,
      { id: grantEntitlement.id },
    );
    expect(recordPaymentFailure).toMatchObject({ status: 'SUSPENDED', suspensionReason: 'NON_PAYMENT' });

    const { _devNow: before } = await graphql<{ _devNow: { now: string; offsetDays: number } }>(stack.graphqlUrl, `{ _devNow { now offsetDays } }`);
    const { _devAdvanceClock: after } = await graphql<{ _devAdvanceClock: { now: string; offsetDays: number; services: { service: string; offsetMs: number }[] } }>(
      stack.graphqlUrl,
      `mutation { _devAdvanceClock(days: 31) { now offsetDays services { service offsetMs } } }`,
    );
    expect(after.offsetDays).toBe(before.offsetDays + 31);
    expect(new Set(after.services.map((service) => service.offsetMs)).size).toBe(1);
    expect(Date.parse(after.now)).toBeGreaterThan(Date.parse(recordPaymentFailure.graceEndsAt));

    const { _devRunScheduledJobs: runs } = await graphql<{ _devRunScheduledJobs: { service: string; job: string; status: string; processed: number }[] }>(
      stack.graphqlUrl,
      `mutation { _devRunScheduledJobs { service job status processed } }`,
    );
    expect(runs.map((run) => `${run.service}:${run.job}`)).toEqual(expect.arrayContaining(['entitlements:grace-period-sweep', 'entitlements:offboarding-day-zero']));
    expect(runs.every((run) => run.status !== 'FAILED')).toBe(true);

    // The in-service scheduler may have got there first; either way it happened exactly once.
    const { entitlement } = await graphql<{ entitlement: { status: string; cancellationReason: string; cancelledBy: string } }>(
      stack.graphqlUrl,
      `query E($id: ID!) { entitlement(id: $id) { status cancellationReason cancelledBy } }`,
      { id: grantEntitlement.id },
    );
    expect(entitlement).toEqual({ status: 'CANCELLED', cancellationReason: 'NON_PAYMENT', cancelledBy: 'system:grace-period-sweep' });
    await waitFor(async () => (await licenceOf()) === 'CANCELLED', { timeoutMs: 60_000, description: 'the licence cancelled downstream' });
  });

  it('lets a collaborator read only their own organization, revokes sessions within seconds and shuts out an archived organization', async () => {
    const anonymous = await graphqlRequestAs(stack.graphqlUrl, '{ organizations { totalCount } }');
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });

    const create = async (name: string) =>
      (await graphql<{ createOrganization: { id: string } }>(stack.graphqlUrl, `mutation C($name: String!) { createOrganization(input: { name: $name, type: CUSTOMER }) { id } }`, { name }))
        .createOrganization.id;
    const own = await create('Portal Customer AG');
    const other = await create('Someone Else BV');
    await waitFor(
      async () => (await graphql<{ organization: { portalAccess: { enabled: boolean } | null } }>(stack.graphqlUrl, 'query P($id: ID!) { organization(id: $id) { portalAccess { enabled } } }', { id: own })).organization.portalAccess?.enabled,
      { timeoutMs: 60_000, description: 'identity knows the organization' },
    );
    await graphql(stack.graphqlUrl, 'mutation U($org: ID!) { createUser(input: { email: "cleo@portal.example", displayName: "Cleo", role: COLLABORATOR, organizationId: $org, password: "cleo-password-1" }) { id } }', {
      org: own,
    });
    const cleo = await login(stack.graphqlUrl, 'cleo@portal.example', 'cleo-password-1');
    const asCleo = <T>(query: string, variables: Record<string, unknown> = {}) => graphqlRequestAs<T>(stack.graphqlUrl, query, variables, cleo);

    const mine = await asCleo<{ organization: { name: string; portalAccess: { enabled: boolean }; licenses: unknown[] } }>(
      'query O($id: ID!) { organization(id: $id) { name portalAccess { enabled } licenses { status } auditTrailIntact } }',
      { id: own },
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.organization).toMatchObject({ name: 'Portal Customer AG', portalAccess: { enabled: true }, licenses: [] });
    expect((await asCleo('query O($id: ID!) { organization(id: $id) { name } }', { id: other })).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect((await asCleo('{ organizations { totalCount } }')).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect((await asCleo('mutation { createOrganization(input: { name: "Mine now", type: CUSTOMER }) { id } }')).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });

    // Revocation: a logged-out session's token is refused at the gateway within the poll interval.
    const second = await login(stack.graphqlUrl, 'cleo@portal.example', 'cleo-password-1');
    expect((await graphqlRequestAs<{ logout: boolean }>(stack.graphqlUrl, 'mutation { logout }', {}, second)).data?.logout).toBe(true);
    const loggedOutAt = performance.now();
    await waitFor(async () => (await graphqlRequestAs(stack.graphqlUrl, '{ me { id } }', {}, second)).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED', {
      timeoutMs: 10_000,
      intervalMs: 20,
      description: 'the logged-out token refused at the gateway',
    });
    const delayMs = performance.now() - loggedOutAt;
    expect(delayMs).toBeLessThan(2_500);
    logs.push(`[e2e]           revocation seen at the gateway after ${Math.round(delayMs)} ms`);

    // Archive: identity hears organization_archived, revokes the sessions; the gateway says why.
    await graphql(stack.graphqlUrl, 'mutation A($id: ID!) { archiveOrganization(id: $id) { status } }', { id: own });
    const refused = await waitFor(
      async () => {
        const answer = await asCleo('{ me { id } }');
        return answer.errors?.[0]?.extensions?.code === 'FORBIDDEN' ? answer.errors[0] : undefined;
      },
      { timeoutMs: 60_000, description: "the archived organization's collaborator refused" },
    );
    expect(refused.message).toMatch(/organization is archived/);
    const again = await graphqlRequestAs(stack.graphqlUrl, 'mutation { login(email: "cleo@portal.example", password: "cleo-password-1") { accessToken } }');
    expect(again.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/archived/) });
  });

  it('locks password guessing through the gateway, and a subgraph reached directly refuses a logged-out token too', async () => {
    const organization = (await graphql<{ createOrganization: { id: string } }>(stack.graphqlUrl, 'mutation { createOrganization(input: { name: "Guarded GmbH", type: CUSTOMER }) { id } }'))
      .createOrganization.id;
    await waitFor(
      async () => (await graphql<{ organization: { portalAccess: { enabled: boolean } | null } }>(stack.graphqlUrl, 'query P($id: ID!) { organization(id: $id) { portalAccess { enabled } } }', { id: organization })).organization.portalAccess?.enabled,
      { timeoutMs: 60_000, description: 'identity knows the organization' },
    );
    await graphql(stack.graphqlUrl, 'mutation U($org: ID!) { createUser(input: { email: "dana@guarded.example", displayName: "Dana", role: COLLABORATOR, organizationId: $org, password: "dana-password-1" }) { id } }', {
      org: organization,
    });
    const attempt = async (password: string) => {
      const response = await fetch(stack.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation L($p: String!) { login(email: "dana@guarded.example", password: $p) { accessToken } }', variables: { p: password } }),
      });
      const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
      return { retryAfter: response.headers.get('retry-after'), extensions: body.errors?.[0]?.extensions };
    };
    for (let i = 0; i < 5; i += 1) expect((await attempt(`guess-${i}`)).extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const locked = await attempt('dana-password-1');
    expect(locked.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'ACCOUNT_LOCKED', retryAfterSeconds: expect.any(Number) });
    expect(Number(locked.retryAfter)).toBe(locked.extensions?.retryAfterSeconds);

    // The session revocation list is every subgraph's too: straight to entitlements, not via the gateway.
    const session = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
    const direct = `${stack.serviceUrls.entitlements}/graphql`;
    expect((await graphqlRequestAs(direct, '{ organizations(first: 1) { totalCount } }', {}, session)).errors).toBeUndefined();
    expect((await graphqlRequestAs<{ logout: boolean }>(stack.graphqlUrl, 'mutation { logout }', {}, session)).data?.logout).toBe(true);
    await waitFor(async () => (await graphqlRequestAs(direct, '{ organizations(first: 1) { totalCount } }', {}, session)).errors?.[0]?.extensions?.reason === 'LOGOUT', {
      timeoutMs: 10_000,
      description: 'the entitlements subgraph to refuse the logged-out token',
    });
  });

  it('keeps every record and every event across a restart of the whole stack, delivering nothing twice', async () => {
    const before = await view(organizationId);
    await stack.stop();
    stack = await start();

    expect(await view(organizationId)).toEqual(before);

    // New work after the restart flows through; the audit count proves no earlier event came back.
    await graphql(
      stack.graphqlUrl,
      `mutation Grant($org: ID!) { grantEntitlement(input: { organizationId: $org, class: PLG, product: "Backup Add-on" }) { id } }`,
      { org: organizationId },
    );
    const after = await waitFor(
      async () => {
        const current = await view(organizationId);
        return current?.licenses.length === 2 && current.auditTrail.totalCount === 17 ? current : undefined;
      },
      { timeoutMs: 60_000, description: 'the new licence, the four trail entries of its grant and its retention case closed' },
    );
    expect(after.auditTrail.edges.map((edge) => edge.node.sequence)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(after.auditTrailIntact).toBe(true);
    if (process.env.CI || kcatInstalled()) {
      const cancelled = readTopicWithKcat(stack.kafkaBrokers, 'offboarding.provisioning.v1').filter(
        (message) => headerMap(message).ce_type === 'com.offboarding.provisioning.license_cancelled.v1' && message.key === organizationId,
      );
      expect(cancelled).toHaveLength(1);
    }
  }, STACK_START_MS);
});
