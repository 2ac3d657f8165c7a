import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import { freePortBlock, TestIdentity, waitFor } from '@offboarding/testing';
import { root } from './deployment-contract';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway-config';
import { type RunningGateway, startGateway } from '../../apps/gateway/src/gateway-server';
import { testGatewayEnv } from '../../apps/gateway/src/__tests__/test-gateway-env';
import { postGraphQL, startSubgraph, subgraphTestEnv } from './subgraph-harness';

// Field-level authorization without collateral damage, through the gateway and the real
// entitlements and provisioning subgraphs: a collaborator asking for a staff-only field of its own
// organization gets null there with FORBIDDEN at that path, and the organization with its other
// fields still arrives (from both subgraphs).

describe('a staff-only field asked for by a collaborator', () => {
  const saved = { ...process.env };
  let identity: TestIdentity;
  const apps: INestApplication[] = [];
  let gateway: RunningGateway;
  let provisioningProcess: ChildProcess | null = null;

  beforeAll(async () => {
    identity = await TestIdentity.start();
    Object.assign(process.env, subgraphTestEnv(identity), { NODE_ENV: 'test' });
    const entitlements = await startSubgraph(() => import('../../apps/entitlements/src/app.module'));
    apps.push(entitlements.app);
    // One Nest GraphQL schema per process: provisioning runs as a process of its own.
    const [port] = [await freePortBlock(1)];
    provisioningProcess = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'apps/provisioning/src/main.ts')], {
      cwd: root,
      env: { ...process.env, PROVISIONING_PORT: String(port), HOST: '127.0.0.1', NODE_OPTIONS: '' },
      stdio: 'ignore',
    });
    const provisioningUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${provisioningUrl}/health/ready`).catch(() => null))?.ok === true, { timeoutMs: 90_000, description: 'provisioning ready' });
    const provisioning = { url: `${provisioningUrl}/graphql` };
    gateway = await startGateway(
      loadGatewayConfig(testGatewayEnv(identity.graphqlUrl, { ENTITLEMENTS_URL: entitlements.url, PROVISIONING_URL: provisioning.url })),
      pino({ level: 'silent' }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    for (const app of apps) await app.close();
    if (provisioningProcess && provisioningProcess.exitCode === null) {
      const exited = new Promise((resolve) => provisioningProcess!.once('exit', resolve));
      provisioningProcess.kill('SIGTERM');
      await exited;
    }
    await identity?.stop();
    process.env = saved;
  });

  it('answers null with FORBIDDEN at that path only; the organization and its other fields arrive', async () => {
    const admin = await identity.token({ role: 'ADMIN' });
    const created = await postGraphQL(gateway.url, admin, 'mutation { createOrganization(input: { name: "Vendor GmbH", type: VENDOR }) { id } }');
    const id = (created.data?.createOrganization as { id: string }).id;
    const query = `query Detail($id: ID!) { organization(id: $id) { id name type campaigns { id } partners { totalCount } partnerRelationships { id } } }`;

    const collaborator = await identity.token({ role: 'COLLABORATOR', organizationId: id });
    const answer = await postGraphQL(gateway.url, collaborator, query, { id });
    expect(answer.data?.organization).toEqual({ id, name: 'Vendor GmbH', type: 'VENDOR', campaigns: null, partners: null, partnerRelationships: [] });
    const refusals = (answer.errors ?? []) as { path?: (string | number)[]; extensions?: { code?: string } }[];
    expect(refusals.map((error) => ({ path: error.path, code: error.extensions?.code })).sort((a, b) => String(a.path).localeCompare(String(b.path)))).toEqual([
      { path: ['organization', 'campaigns'], code: 'FORBIDDEN' },
      { path: ['organization', 'partners'], code: 'FORBIDDEN' },
    ]);

    // Staff get the same fields, without errors.
    const staff = await postGraphQL(gateway.url, admin, query, { id });
    expect(staff.errors).toBeUndefined();
    expect(staff.data?.organization).toEqual({ id, name: 'Vendor GmbH', type: 'VENDOR', campaigns: [], partners: { totalCount: 0 }, partnerRelationships: [] });
  });
});
