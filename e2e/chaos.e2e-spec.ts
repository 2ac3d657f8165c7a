import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@offboarding/contracts';
import { freePortBlock, waitFor } from '@offboarding/testing';
import { type RunningStack, type StackProcess, startStack } from '../tools/stack';
import { graphql, login, SEEDED_ADMIN, sendKeyed } from './graphql-client';

// Chaos through the whole embedded stack: clients run a wave of keyed mutations (create an
// organization, grant two entitlements, cancel one) and retry each with its Idempotency-Key
// until it is answered, while the gateway and then each service is killed with SIGKILL and
// started again, one at a time, each kill landing in the middle of the wave. Every key must have
// had exactly one effect: one organization, one entitlement, one cancellation, one event each.

const VICTIMS: StackProcess[] = ['gateway', 'entitlements', 'provisioning', 'identity', 'retention'];
const WORKERS = 4;
/** Organizations the wave processes at least, whenever the chaos is done. */
const MIN_ORGANIZATIONS = 12;

interface Planned {
  name: string;
  keys: { create: string; grantPlugin: string; grantService: string; cancel: string };
  organizationId?: string;
  pluginId?: string;
  serviceId?: string;
}

describe('kill -9 of the gateway and each service during a wave of keyed mutations', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-chaos-'));
  const logs: string[] = [];
  let stack: RunningStack;
  let token = '';

  beforeAll(async () => {
    const first = await freePortBlock(6);
    stack = await startStack({
      gatewayPort: first,
      firstServicePort: first + 1,
      brokerPort: first + 5,
      dataDir,
      env: { LOG_LEVEL: 'info', KAFKA_BROKERS: '', DATABASE_URL: '', RATE_LIMIT_PER_MINUTE: '60000', RATE_LIMIT_BURST: '1000', ACCESS_TOKEN_TTL_SECONDS: '3600' },
      onLog: (line) => logs.push(line),
    });
    token = await login(stack.graphqlUrl, SEEDED_ADMIN.email, SEEDED_ADMIN.password);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves exactly one effect per key', async () => {
    const run = randomUUID().slice(0, 8);
    const planned: Planned[] = [];
    const retries: Record<string, number> = {};
    let stepsDone = 0;
    let chaosDone = false;
    const deadline = Date.now() + 480_000;

    const send = async <T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> => {
      const { result } = await sendKeyed<T>(stack.graphqlUrl, query, variables, {
        token,
        key,
        deadline,
        onRetry: (reason) => (retries[reason] = (retries[reason] ?? 0) + 1),
      });
      if (result.errors?.length || !result.data) throw new Error(`key ${key}: ${JSON.stringify(result.errors)}`);
      stepsDone += 1;
      return result.data;
    };
    const offboardOne = async (organization: Planned) => {
      const { keys } = organization;
      organization.organizationId = (
        await send<{ createOrganization: { id: string } }>(
          'mutation($name: String!) { createOrganization(input: { name: $name, type: CUSTOMER }) { id } }',
          { name: organization.name },
          keys.create,
        )
      ).createOrganization.id;
      const grant = 'mutation($input: GrantEntitlementInput!) { grantEntitlement(input: $input) { id } }';
      organization.pluginId = (
        await send<{ grantEntitlement: { id: string } }>(grant, { input: { organizationId: organization.organizationId, class: 'PLG', product: 'Chaos Plugin' } }, keys.grantPlugin)
      ).grantEntitlement.id;
      organization.serviceId = (
        await send<{ grantEntitlement: { id: string } }>(grant, { input: { organizationId: organization.organizationId, class: 'SVC', product: 'Chaos Support' } }, keys.grantService)
      ).grantEntitlement.id;
      await send(
        'mutation($id: ID!) { cancelEntitlement(input: { entitlementId: $id, reason: SWITCHING_PROVIDER }) { status } }',
        { id: organization.pluginId },
        keys.cancel,
      );
    };
    const worker = async () => {
      while (!chaosDone || planned.length < MIN_ORGANIZATIONS) {
        const organization: Planned = {
          name: `Chaos ${run} ${planned.length + 1}`,
          keys: { create: randomUUID(), grantPlugin: randomUUID(), grantService: randomUUID(), cancel: randomUUID() },
        };
        planned.push(organization);
        await offboardOne(organization);
      }
    };
    const readyTimes: Record<string, number> = {};
    const chaos = async () => {
      try {
        for (const victim of VICTIMS) {
          // Each kill lands mid-wave: after the wave has moved on since the previous restart.
          const before = stepsDone;
          await waitFor(() => stepsDone >= before + 3, { timeoutMs: 300_000, description: `the wave to move on before killing ${victim}` });
          readyTimes[victim] = Math.round((await stack.restart(victim)).readyMs);
        }
      } finally {
        chaosDone = true;
      }
    };
    await Promise.all([chaos(), ...Array.from({ length: WORKERS }, () => worker())]);

    // Every key was answered once and for all: distinct organizations and entitlements.
    expect(planned.every((organization) => organization.organizationId && organization.pluginId && organization.serviceId)).toBe(true);
    expect(new Set(planned.map((organization) => organization.organizationId)).size).toBe(planned.length);

    // One organization per creation key, with exactly the two entitlements its keys granted.
    const names = new Map<string, number>();
    type Page = { organizations: { edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    for (let after: string | null = null; ; ) {
      const { organizations }: Page = await graphql<Page>(
        stack.graphqlUrl,
        'query($after: String) { organizations(first: 100, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }',
        { after },
        token,
      );
      for (const { node } of organizations.edges) if (node.name.startsWith(`Chaos ${run} `)) names.set(node.name, (names.get(node.name) ?? 0) + 1);
      if (!organizations.pageInfo.hasNextPage) break;
      after = organizations.pageInfo.endCursor;
    }
    expect(names.size).toBe(planned.length);
    expect([...names].filter(([, count]) => count !== 1)).toEqual([]);
    for (const organization of planned) {
      const { organization: view } = await graphql<{ organization: { entitlements: { edges: { node: { id: string; status: string } }[] } } }>(
        stack.graphqlUrl,
        'query($id: ID!) { organization(id: $id) { entitlements(first: 10) { edges { node { id status } } } } }',
        { id: organization.organizationId },
        token,
      );
      expect(view.entitlements.edges.map((edge) => edge.node).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [
          { id: organization.pluginId, status: 'CANCELLED' },
          { id: organization.serviceId, status: 'ACTIVE' },
        ].sort((a, b) => a.id!.localeCompare(b.id!)),
      );
    }

    // One event per effect (a relay that crashed after publishing may send the same event again,
    // with the same ce_id; a second execution would have made a second event).
    const events = new Map<string, Set<string>>();
    const kafka = new Kafka({ clientId: 'chaos-check', brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `chaos-check-${run}`, maxWaitTimeInMs: 250 });
    const ours = new Set(planned.map((organization) => organization.organizationId));
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.entitlements], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const subject = message.key?.toString() ?? '';
        const type = message.headers?.ce_type?.toString().split('.')[3] ?? '';
        if (ours.has(subject) && ['organization_created', 'entitlement_granted', 'entitlement_cancelled'].includes(type)) {
          const id = `${subject} ${type}`;
          events.set(id, (events.get(id) ?? new Set()).add(message.headers?.ce_id?.toString() ?? ''));
        }
        return Promise.resolve();
      },
    });
    try {
      const expected = planned.flatMap((organization): [string, number][] => [
        [`${organization.organizationId} organization_created`, 1],
        [`${organization.organizationId} entitlement_granted`, 2],
        [`${organization.organizationId} entitlement_cancelled`, 1],
      ]);
      await waitFor(() => expected.every(([id, count]) => (events.get(id)?.size ?? 0) >= count), { timeoutMs: 120_000, description: 'every event of the wave on the topic' });
      expect(expected.filter(([id, count]) => events.get(id)?.size !== count)).toEqual([]);
    } finally {
      await consumer.disconnect();
    }

    // Downstream, each granted licence exists once and was cancelled once.
    for (const organization of planned) {
      await waitFor(
        async () => {
          const { organization: view } = await graphql<{ organization: { licenses: { entitlementId: string; status: string }[] } }>(
            stack.graphqlUrl,
            'query($id: ID!) { organization(id: $id) { licenses { entitlementId status } } }',
            { id: organization.organizationId },
            token,
          );
          return view.licenses.length === 1 && view.licenses[0].entitlementId === organization.pluginId && view.licenses[0].status === 'CANCELLED';
        },
        { timeoutMs: 120_000, description: `the licence of ${organization.name}, once, cancelled` },
      );
    }

    const replays = logs.filter((line) => line.includes('idempotent retry answered from the recorded outcome')).length;
    const retried = Object.values(retries).reduce((sum, count) => sum + count, 0);
    process.stderr.write(
      `chaos: ${planned.length} organizations, ${stepsDone} keyed mutations, ${retried} retries (${JSON.stringify(retries)}), ${replays} answered from the record; ready again after kill -9 (ms): ${JSON.stringify(readyTimes)}\n`,
    );
    // The kills hit requests in flight: clients had to retry.
    expect(retried).toBeGreaterThan(0);
  }, 600_000);
});
