import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { EventType } from '@offboarding/contracts';
import { type EventEnvelope, type EventHandler, recordInInbox } from '@offboarding/messaging';
import { EventHandlerRegistry } from '@offboarding/platform';
import { signLink } from '@offboarding/storage';
import { TestIdentity } from '@offboarding/testing';
import { entitlementEvents } from './provisioning-test-kit';

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * The service as it runs: Nest modules, the GraphQL subgraph and the public HTTP endpoints, on an
 * in-memory database with messaging off. Events are fed through the registered handlers exactly
 * as the consumer would feed them.
 */
describe('provisioning service over HTTP', () => {
  let app: INestApplication;
  let baseUrl: string;
  let storageDir: string;
  let identity: TestIdentity;
  let adminToken: string;
  const saved = { ...process.env };

  async function deliver<T extends EventType>(event: EventEnvelope<T>): Promise<void> {
    const handler: EventHandler<T> | undefined = app.get(EventHandlerRegistry).all()[event.type];
    if (!handler) throw new Error(`no handler for ${event.type}`);
    await app.get(DataSource).transaction(async (manager) => {
      if (await recordInInbox(manager, event)) await handler(event, manager);
    });
  }

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  }

  async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown>; location: string | null }> {
    const response = await fetch(`${baseUrl}${pathAndQuery}`, { redirect: 'manual' });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}, location: response.headers.get('location') };
  }

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'provisioning-app-'));
    identity = await TestIdentity.start();
    adminToken = await identity.token({ role: 'ADMIN', expiresIn: 3600 });
    Object.assign(process.env, {
      IDENTITY_URL: identity.graphqlUrl,
      PROVISIONING_DATABASE_URL: 'pglite://memory',
      MESSAGING_ENABLED: 'false',
      SCHEDULER_INTERVAL_MS: '0',
      STORAGE_DIR: storageDir,
      LOG_LEVEL: 'silent',
    });
    // The platform module reads its configuration when the app module is first loaded.
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await identity?.stop();
    process.env = saved;
    await rm(storageDir, { recursive: true, force: true });
  });

  it('answers update checks and downloads for every licence state', async () => {
    const organizationId = randomUUID();
    const plg = entitlementEvents(organizationId, 'PLG', 'SEO Plugin Pro');
    await deliver(plg.granted());
    const published = await graphql<{ publishPluginRelease: { version: string } }>(
      'mutation { publishPluginRelease(product: "SEO Plugin Pro", version: "2.1.0") { version } }',
    );
    expect(published.data?.publishPluginRelease.version).toBe('2.1.0');
    const { data } = await graphql<{ _entities: { licenses: { licenseKey: string }[] }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { licenses { licenseKey } } } }',
      { r: [{ __typename: 'Organization', id: organizationId }] },
    );
    const key = data!._entities[0].licenses[0].licenseKey;
    const check = (version: string) => get(`/plugin/v1/update-check?licenseKey=${key}&site=${encodeURIComponent('https://shop.example.com/')}&version=${version}`);
    const download = () => get(`/plugin/v1/download?licenseKey=${key}`);

    expect(await check('2.0.3')).toMatchObject({ status: 200, body: { status: 'UPDATE_AVAILABLE', updateAvailable: true, latestVersion: '2.1.0' } });
    expect(await check('2.1.0')).toMatchObject({ status: 200, body: { status: 'NO_UPDATE', updateAvailable: false } });
    expect(await download()).toMatchObject({ status: 200, body: { status: 'DOWNLOAD_AUTHORIZED', version: '2.1.0' } });

    await deliver(plg.suspended());
    expect(await check('2.1.0')).toMatchObject({ status: 403, body: { status: 'LICENSE_SUSPENDED', message: 'no update: licence suspended' } });
    expect(await download()).toMatchObject({ status: 403, body: { status: 'LICENSE_SUSPENDED' } });

    await deliver(plg.resumed());
    expect(await check('2.0.3')).toMatchObject({ status: 200, body: { status: 'UPDATE_AVAILABLE' } });

    await deliver(plg.cancelled());
    expect(await check('2.0.3')).toMatchObject({
      status: 403,
      body: { status: 'LICENSE_CANCELLED', updateAvailable: false, message: 'no update: licence cancelled', installedVersion: '2.0.3' },
    });
    expect(await download()).toMatchObject({ status: 403, body: { status: 'LICENSE_CANCELLED', message: 'download refused: licence cancelled' } });
    const sites = await graphql<{ _entities: { licenses: { status: string; siteActivations: { siteUrl: string; installedVersion: string }[] }[] }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { licenses { status siteActivations { siteUrl installedVersion } } } } }',
      { r: [{ __typename: 'Organization', id: organizationId }] },
    );
    expect(sites.data!._entities[0].licenses[0]).toEqual({
      status: 'CANCELLED',
      siteActivations: [{ siteUrl: 'https://shop.example.com', installedVersion: '2.0.3' }],
    });

    await deliver(plg.reactivated());
    expect(await download()).toMatchObject({ status: 200 });

    expect(await get('/plugin/v1/update-check?licenseKey=AAAAAAAA-AAAAAAAA-AAAAAAAA-AAAAAAAA-AAAAAAAA&site=https://x.example&version=1.0')).toMatchObject({
      status: 404,
      body: { status: 'UNKNOWN_LICENSE' },
    });
    expect(await get('/plugin/v1/download?licenseKey=nonsense')).toMatchObject({ status: 404 });
    expect(await get(`/plugin/v1/update-check?licenseKey=${key}`)).toMatchObject({ status: 400, body: { status: 'BAD_REQUEST' } });
    expect(await check('latest')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/version/) } });
    expect(await get('/plugin/v1/download')).toMatchObject({ status: 400 });
  });

  it('redirects tracking links while active and answers 410 Gone once disabled', async () => {
    const organizationId = randomUUID();
    const afl = entitlementEvents(organizationId, 'AFL', 'Partner Programme');
    await deliver(afl.granted());
    const { data } = await graphql<{ _entities: { campaigns: { id: string; trackingLinks: { code: string; url: string }[] }[] }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { campaigns { id trackingLinks { code url } } } } }',
      { r: [{ __typename: 'Organization', id: organizationId }] },
    );
    const campaign = data!._entities[0].campaigns[0];
    const code = campaign.trackingLinks[0].code;
    // Handed out on the public origin (the gateway's), never on this service's own port.
    expect(campaign.trackingLinks[0].url).toBe(`http://localhost:4000/t/${code}`);
    expect(await get(`/t/${code}`)).toMatchObject({ status: 302, location: 'https://www.example.com/' });
    await deliver(afl.cancelled());
    expect(await get(`/t/${code}`)).toMatchObject({ status: 410, body: { status: 'LINK_DISABLED' } });
    expect(await get('/t/unknown-code')).toMatchObject({ status: 404 });

    const read = await graphql('query($id: ID!) { campaign(id: $id) { name } }', { id: campaign.id });
    expect(read.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', resource: 'campaign' });
  });

  it('shows every class on Organization and answers refusals with their error codes', async () => {
    const organizationId = randomUUID();
    for (const entitlementClass of ['ENV', 'SVC', 'EDU', 'ORD'] as const) {
      const events = entitlementEvents(organizationId, entitlementClass);
      await deliver(events.granted());
      await deliver(events.cancelled());
    }
    const { data, errors } = await graphql<{
      _entities: {
        environments: { id: string; status: string; teardownCleared: boolean }[];
        services: { status: string }[];
        contracts: { status: string }[];
        creditBalances: { id: string; status: string }[];
        courseSeats: { status: string }[];
        fulfilments: { status: string }[];
      }[];
    }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization {
        environments { id status teardownCleared } services { status } contracts { status }
        creditBalances { id status } courseSeats { status } fulfilments { status }
      } } }`,
      { r: [{ __typename: 'Organization', id: organizationId }] },
    );
    expect(errors).toBeUndefined();
    const organization = data!._entities[0];
    expect(organization).toMatchObject({
      environments: [{ status: 'DEPROVISIONED', teardownCleared: false }],
      services: [{ status: 'CANCELLED' }],
      contracts: [{ status: 'CANCELLED' }],
      creditBalances: [{ status: 'FROZEN' }],
      fulfilments: [{ status: 'CLOSED' }],
    });
    expect(organization.courseSeats.every((seat) => seat.status === 'RELEASED')).toBe(true);

    const environmentId = organization.environments[0].id;
    const blocked = await graphql('mutation($id: ID!) { tearDownEnvironment(id: $id) { status } }', { id: environmentId });
    expect(blocked.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', blockedBy: 'EXPORT_REQUIRED' });
    const frozen = await graphql('mutation($id: ID!) { consumeCredits(balanceId: $id, amount: 1) { credits } }', { id: organization.creditBalances[0].id });
    expect(frozen.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION' }, message: expect.stringMatching(/FROZEN/) });

    const exported = await graphql<{ exportEnvironmentData: { id: string; sizeBytes: number; sha256: string; downloadUrl: string; downloadUrlExpiresAt: string } }>(
      'mutation($id: ID!) { exportEnvironmentData(id: $id) { id sizeBytes sha256 downloadUrl downloadUrlExpiresAt } }',
      { id: environmentId },
    );
    const artifact = exported.data!.exportEnvironmentData;
    expect(artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    // "Provide the export to the customer": a signed, expiring link on the public origin.
    const link = new URL(artifact.downloadUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`http://localhost:4000/environment-exports/${artifact.id}/download`);
    expect(Number(link.searchParams.get('expires')) * 1000).toBe(Date.parse(artifact.downloadUrlExpiresAt));
    const download = await fetch(`${baseUrl}${link.pathname}${link.search}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain(`export-${artifact.id}.jsonl`);
    const body = Buffer.from(await download.arrayBuffer());
    expect(body.length).toBe(artifact.sizeBytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(artifact.sha256);
    const tampered = `${baseUrl}${link.pathname}?expires=${Number(link.searchParams.get('expires')) + 1}&signature=${link.searchParams.get('signature')}`;
    expect((await fetch(tampered)).status).toBe(403);
    // A data-export signature for the same id opens nothing here.
    const expires = link.searchParams.get('expires')!;
    const foreign = signLink('development-export-url-secret-not-for-production', artifact.id, Number(expires));
    expect((await fetch(`${baseUrl}${link.pathname}?expires=${expires}&signature=${foreign}`)).status).toBe(403);
    const stale = `${baseUrl}${link.pathname}?expires=1&signature=${signLink('development-environment-export-secret-not-for-production', `environment-export:${artifact.id}`, 1)}`;
    expect((await fetch(stale)).status).toBe(410);
    const tornDown = await graphql<{ tearDownEnvironment: { status: string } }>('mutation($id: ID!) { tearDownEnvironment(id: $id) { status } }', {
      id: environmentId,
    });
    expect(tornDown.data?.tearDownEnvironment.status).toBe('TORN_DOWN');

    const policy = await graphql<{ setProvisioningPolicy: { source: string; deprovisionOnCancel: boolean } }>(
      'mutation($org: ID) { setProvisioningPolicy(input: { organizationId: $org, class: ENV, deprovisionOnCancel: false }) { source deprovisionOnCancel } }',
      { org: organizationId },
    );
    expect(policy.data?.setProvisioningPolicy).toEqual({ source: 'ORGANIZATION', deprovisionOnCancel: false });
    const queue = await graphql<{ serviceRequestReviewQueue: { totalCount: number } }>('{ serviceRequestReviewQueue(first: 10) { totalCount } }');
    expect(queue.errors).toBeUndefined();
  });
});
