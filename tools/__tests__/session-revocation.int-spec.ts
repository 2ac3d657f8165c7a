import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { TestIdentity, waitFor } from '@offboarding/testing';
import { postGraphQL, startSubgraph, subgraphTestEnv } from './subgraph-harness';

// A subgraph reached directly, not through the gateway, refuses a revoked session's token within
// a poll interval of the same revocation feed the gateway reads, and refuses every token (fail
// closed) until it has read that feed once. Identity, which owns the sessions, is a stand-in here
// whose feed can be made to fail.
describe('session revocation in a subgraph reached directly', () => {
  const saved = { ...process.env };
  let identity: TestIdentity;
  let front: http.Server;
  let feedUp = false;
  let app: INestApplication;
  let url: string;
  const query = '{ organizations(first: 1) { totalCount } }';

  beforeAll(async () => {
    identity = await TestIdentity.start();
    // Identity as the subgraph sees it: the stand-in's keys and feed, the feed failing until feedUp.
    front = http.createServer((req, res) => {
      if (req.url?.startsWith('/internal/revoked-sessions') && !feedUp) {
        res.statusCode = 503;
        res.end('{}');
        return;
      }
      fetch(`${identity.baseUrl}${req.url ?? '/'}`)
        .then(async (upstream) => {
          res.statusCode = upstream.status;
          res.setHeader('content-type', 'application/json');
          res.end(await upstream.text());
        })
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, subgraphTestEnv(identity), {
      IDENTITY_URL: `http://127.0.0.1:${(front.address() as AddressInfo).port}/graphql`,
      REVOCATION_POLL_INTERVAL_MS: '200',
    });
    ({ app, url } = await startSubgraph(() => import('../../apps/entitlements/src/app.module')));
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => front?.close(resolve));
    await identity?.stop();
    process.env = saved;
  });

  it('refuses every token until it has read the revocation feed once, then serves them', async () => {
    const admin = await identity.token({ role: 'ADMIN' });
    const refused = await postGraphQL(url, admin, query);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' }, message: expect.stringMatching(/revocation list is not loaded yet/) });
    expect(refused.data?.organizations ?? null).toBeNull();
    feedUp = true;
    await waitFor(async () => (await postGraphQL(url, admin, query)).errors === undefined, { timeoutMs: 10_000, description: 'the feed to be read' });
  });

  it("refuses a logged-out session's token within the poll interval, and an archived organization's with FORBIDDEN saying why", async () => {
    const sessionId = randomUUID();
    const token = await identity.token({ role: 'ADMIN', sessionId });
    const other = await identity.token({ role: 'ADMIN' });
    expect((await postGraphQL(url, token, query)).errors).toBeUndefined();
    identity.revoke(sessionId, 'LOGOUT');
    await waitFor(async () => (await postGraphQL(url, token, query)).errors !== undefined, { timeoutMs: 10_000, description: 'the revocation to be seen' });
    const answer = await postGraphQL(url, token, query);
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'LOGOUT' }, message: expect.stringMatching(/session was revoked \(logout\)/) });
    expect((await postGraphQL(url, other, query)).errors).toBeUndefined();

    const organizationId = randomUUID();
    const archivedSession = randomUUID();
    const collaborator = await identity.token({ role: 'COLLABORATOR', organizationId, sessionId: archivedSession });
    identity.revoke(archivedSession, 'PORTAL_ACCESS_DISABLED');
    const organization = `{ organization(id: "${organizationId}") { id } }`;
    await waitFor(async () => (await postGraphQL(url, collaborator, organization)).errors?.[0]?.extensions?.reason === 'PORTAL_ACCESS_DISABLED', {
      timeoutMs: 10_000,
      description: 'the archived session to be refused',
    });
    expect((await postGraphQL(url, collaborator, organization)).errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringMatching(/organization is archived/),
    });
  });
});
