import * as http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { waitFor } from '@offboarding/testing';
import { graphql, login, SEEDED_ADMIN } from '../../e2e/graphql-client';
import { type BenchContext, check, interleaved, percentile, type RoundResult, type Scenario } from '../harness';
import { type BenchStack, type ChildServer, startBenchStack, startHiveGateway } from '../stack-fixture';

// One organization view read through a federated gateway by 50 concurrent clients: our gateway
// (its own process, in front of the four subgraph processes as `npm start` runs them) against
// `@graphql-hive/gateway` serving the same supergraph file from a process of its own and
// reaching the same subgraph processes. Both gateways' answers are checked, every one.

const CLIENTS = 50;
/** The measured window per side and round at scale 1; the embedded default gets the minimum. */
const DURATION_MS = 6_000;
const MIN_DURATION_MS = 3_000;
/** Load before each measured window: connections opened, code paths warm, plans cached. */
const WARMUP_MS = 1_000;

const ENTITLEMENTS = [
  ...Array.from({ length: 6 }, (_, i) => ({ class: 'PLG', product: `SEO Plugin ${i + 1}` })),
  { class: 'ENV', product: 'Hosting Basic' },
  { class: 'ENV', product: 'Hosting Pro' },
  { class: 'SVC', product: 'Support Gold' },
  { class: 'SVC', product: 'Maintenance' },
] as const;
const USERS = 5;

/** Touches all four subgraphs: entitlements (the organization), provisioning, identity, retention. */
const ORGANIZATION_VIEW = `
  query OrganizationView($id: ID!) {
    organization(id: $id) {
      id
      name
      status
      entitlements(first: 20) { totalCount edges { node { id class product status } } }
      licenses { entitlementId product status }
      portalAccess { enabled }
      users(first: 20) { totalCount edges { node { email role status } } }
      auditTrail(first: 100) { totalCount edges { node { sequence eventType } } }
      auditTrailIntact
    }
  }`;

interface OrganizationView {
  organization: {
    id: string;
    name: string;
    status: string;
    entitlements: { totalCount: number; edges: { node: { id: string; class: string; product: string; status: string } }[] };
    licenses: { entitlementId: string; product: string; status: string }[];
    portalAccess: { enabled: boolean } | null;
    users: { totalCount: number; edges: { node: { email: string; role: string; status: string } }[] };
    auditTrail: { totalCount: number; edges: { node: { sequence: number; eventType: string } }[] };
    auditTrailIntact: boolean;
  } | null;
}

interface Seeded {
  organizationId: string;
  entitlementIds: Map<string, (typeof ENTITLEMENTS)[number]>;
  emails: string[];
}

interface Shared {
  bench: BenchStack;
  hive: ChildServer;
  /** One session per client: identical concurrent subgraph requests are merged by Hive (same headers), never by different callers. */
  tokens: string[];
  requestBody: string;
  /** The checked answer: every response of either gateway must carry exactly this data. */
  expected: OrganizationView;
  /** Each gateway's first checked response body, so identical bodies are checked without parsing. */
  referenceBodies: { ours: string; baseline: string };
}

let shared: Promise<Shared> | null = null;

/** Everything the view must show for what was seeded; throws naming the first difference. */
function checkView(view: OrganizationView, seeded: Seeded, auditEntries: number): void {
  const organization = view.organization;
  check(organization !== null, 'the organization is found');
  check(organization.id === seeded.organizationId && organization.status === 'ACTIVE', 'the organization, active');
  const entitlements = organization.entitlements.edges.map((edge) => edge.node);
  check(organization.entitlements.totalCount === ENTITLEMENTS.length && entitlements.length === ENTITLEMENTS.length, `${ENTITLEMENTS.length} entitlements`);
  for (const entitlement of entitlements) {
    const granted = seeded.entitlementIds.get(entitlement.id);
    check(granted?.class === entitlement.class && granted.product === entitlement.product && entitlement.status === 'ACTIVE', `entitlement ${entitlement.id} as granted`);
  }
  const plugins = [...seeded.entitlementIds].filter(([, granted]) => granted.class === 'PLG');
  check(organization.licenses.length === plugins.length, `one licence per PLG entitlement (${organization.licenses.length} of ${plugins.length})`);
  for (const [id, granted] of plugins) {
    check(
      organization.licenses.some((licence) => licence.entitlementId === id && licence.product === granted.product && licence.status === 'ACTIVE'),
      `an active licence for ${granted.product}`,
    );
  }
  check(organization.portalAccess?.enabled === true, 'portal access enabled');
  const emails = organization.users.edges.map((edge) => edge.node.email).sort();
  check(isDeepStrictEqual(emails, [...seeded.emails].sort()), 'the seeded users');
  check(organization.auditTrail.totalCount === auditEntries && organization.auditTrail.edges.length === auditEntries, `${auditEntries} audit trail entries (${organization.auditTrail.totalCount}: ${organization.auditTrail.edges.map((edge) => edge.node.eventType.split(".").slice(2, 4).join(".")).join(", ")})`);
  check(organization.auditTrailIntact, 'the audit trail intact');
}

/**
 * An organization with entitlements of three classes and collaborators, through our gateway as
 * the seeded admin; waits until provisioning, identity and retention have applied every event.
 */
async function seed(url: string, token: string): Promise<{ seeded: Seeded; auditEntries: number }> {
  const { createOrganization } = await graphql<{ createOrganization: { id: string } }>(
    url,
    `mutation { createOrganization(input: { name: "Bench Federated GmbH", taxId: "DE123456789", type: CUSTOMER }) { id } }`,
    {},
    token,
  );
  const organizationId = createOrganization.id;
  const entitlementIds = new Map<string, (typeof ENTITLEMENTS)[number]>();
  for (const entitlement of ENTITLEMENTS) {
    const { grantEntitlement } = await graphql<{ grantEntitlement: { id: string } }>(
      url,
      `mutation Grant($input: GrantEntitlementInput!) { grantEntitlement(input: $input) { id } }`,
      { input: { organizationId, class: entitlement.class, product: entitlement.product } },
      token,
    );
    entitlementIds.set(grantEntitlement.id, entitlement);
  }
  const emails = Array.from({ length: USERS }, (_, i) => `user${i + 1}.${organizationId.slice(0, 8)}@bench.example`);
  for (const [i, email] of emails.entries()) {
    await graphql(
      url,
      `mutation Create($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email, displayName: `Bench User ${i + 1}`, role: 'COLLABORATOR', organizationId } },
      token,
    );
  }
  const seeded = { organizationId, entitlementIds, emails };
  // Retention records every event of the other services: organization_created, portal_access_enabled
  // and one audit_recorded for the creation; per grant the entitlement event, its audit entry and
  // provisioning's resources event, plus the licence event for a PLG one; per user user_created.
  const plugins = ENTITLEMENTS.filter((entitlement) => entitlement.class === 'PLG').length;
  const auditEntries = 3 + ENTITLEMENTS.length * 3 + plugins + USERS;
  await waitFor(
    async () => {
      const view = await graphql<OrganizationView>(url, ORGANIZATION_VIEW, { id: organizationId }, token);
      checkView(view, seeded, auditEntries);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 250, description: 'licences issued, users created and every event in the audit trail' },
  );
  return { seeded, auditEntries };
}

async function setUp(context: BenchContext): Promise<Shared> {
  // 50 clients reading back to back are far above a person's rate; tokens outlive the run.
  const bench = await startBenchStack(context, { RATE_LIMIT_PER_MINUTE: '100000000', RATE_LIMIT_BURST: '1000000', ACCESS_TOKEN_TTL_SECONDS: '7200' });
  let hive: ChildServer | null = null;
  try {
    hive = await startHiveGateway({ port: bench.sparePort, subgraphUrls: bench.subgraphUrls, onLog: () => undefined });
    const url = bench.stack.graphqlUrl;
    // Ten sign-ins at a time: each is a scrypt hash in identity.
    const tokens: string[] = [];
    while (tokens.length < CLIENTS) {
      tokens.push(...(await Promise.all(Array.from({ length: Math.min(10, CLIENTS - tokens.length) }, () => login(url, SEEDED_ADMIN.email, bench.adminPassword)))));
    }
    const token = tokens[0];
    const { seeded, auditEntries } = await seed(url, token);
    const requestBody = JSON.stringify({ query: ORGANIZATION_VIEW, variables: { id: seeded.organizationId }, operationName: 'OrganizationView' });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const ours = await post(agent, url, requestBody, token);
      const baseline = await post(agent, hive.url, requestBody, token);
      check(ours.status === 200 && baseline.status === 200, `both gateways answer 200 (ours ${ours.status}, baseline ${baseline.status}: ${baseline.text.slice(0, 300)})`);
      const oursView = parseAnswer(ours.text);
      const baselineView = parseAnswer(baseline.text);
      checkView(oursView, seeded, auditEntries);
      checkView(baselineView, seeded, auditEntries);
      check(isDeepStrictEqual(oursView, baselineView), 'both gateways answer the same data');
      return { bench, hive, tokens, requestBody, expected: oursView, referenceBodies: { ours: ours.text, baseline: baseline.text } };
    } finally {
      agent.destroy();
    }
  } catch (error) {
    const logs = bench.recentLogs();
    await hive?.stop();
    await bench.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}${logs ? `\nstack logs:\n${logs}` : ''}`);
  }
}

function parseAnswer(text: string): OrganizationView {
  const answer = JSON.parse(text) as { data?: OrganizationView; errors?: unknown[] };
  check(!answer.errors?.length && answer.data !== undefined, `an answer without errors: ${text.slice(0, 300)}`);
  return answer.data;
}

function post(agent: http.Agent, url: string, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * CLIENTS clients over keep-alive connections, each sending the view back to back until the
 * window closes; every answer is checked against the expected data.
 */
async function drive(shared: Shared, side: 'ours' | 'baseline', durationMs: number): Promise<{ requests: number; latencies: number[]; ms: number }> {
  const url = side === 'ours' ? shared.bench.stack.graphqlUrl : shared.hive.url;
  const reference = shared.referenceBodies[side];
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let wrong: string | null = null;
  const run = async (windowMs: number, latencies: number[] | null) => {
    const started = performance.now();
    const deadline = started + windowMs;
    let requests = 0;
    await Promise.all(
      shared.tokens.map(async (token) => {
        while (performance.now() < deadline && wrong === null) {
          const sent = performance.now();
          const { status, text } = await post(agent, url, shared.requestBody, token);
          const took = performance.now() - sent;
          // An identical body is the checked one; any other is parsed and compared field by field.
          if (status !== 200) wrong = `HTTP ${status}: ${text.slice(0, 300)}`;
          else if (text !== reference) {
            try {
              if (!isDeepStrictEqual(parseAnswer(text), shared.expected)) wrong = `different data: ${text.slice(0, 300)}`;
            } catch (error) {
              wrong = error instanceof Error ? error.message : String(error);
            }
          }
          requests += 1;
          latencies?.push(took);
        }
      }),
    );
    return { requests, ms: performance.now() - started };
  };
  try {
    await run(WARMUP_MS, null);
    const latencies: number[] = [];
    const { requests, ms } = await run(durationMs, latencies);
    check(wrong === null, `every answer of ${side === 'ours' ? 'our gateway' : 'the Hive gateway'} is the organization view: ${wrong}`);
    check(requests > 0, `${side} answered within the window`);
    return { requests, latencies, ms };
  } finally {
    agent.destroy();
  }
}

export const federatedReadScenario: Scenario = {
  name: 'federated read through the gateway',
  describe: (scale) => ({
    ours: `our gateway (own process, four subgraph processes as npm start runs them): ${CLIENTS} concurrent keep-alive clients reading one organization view (entitlements, licences, users and portal access, audit trail) for ${Math.round(Math.max(MIN_DURATION_MS, DURATION_MS * scale) / 1000)} s`,
    baseline: '@graphql-hive/gateway (own process, `hive-gateway supergraph`) serving the same supergraph file against the same subgraph processes, same clients and window',
  }),
  target: { figure: 'throughput', min: 1.0, ratios: [{ figure: 'p99', max: 1.0 }] },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    shared ??= setUp(context);
    const state = await shared;
    const durationMs = Math.max(MIN_DURATION_MS, DURATION_MS * context.scale);
    const measure = async (side: 'ours' | 'baseline') => {
      const { requests, latencies, ms } = await drive(state, side, durationMs);
      return {
        throughput: { unit: 'req/s', value: (requests / ms) * 1000 },
        p50: { unit: 'ms', value: percentile(latencies, 50) },
        p99: { unit: 'ms', value: percentile(latencies, 99) },
      };
    };
    return interleaved(index, () => measure('ours'), () => measure('baseline'));
  },
  async teardown(): Promise<void> {
    if (!shared) return;
    const pending = shared;
    shared = null;
    const state = await pending.catch(() => null);
    if (!state) return;
    await state.hive.stop();
    await state.bench.stop();
  },
};
