import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { RESOLVER_NAME_METADATA, RESOLVER_PROPERTY_METADATA, RESOLVER_REFERENCE_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql/dist/graphql.constants';
import { getNamedType, getNullableType, type GraphQLField, isNonNullType, isObjectType, isAbstractType } from 'graphql';
import { DataSource } from 'typeorm';
import type { EventType } from '@offboarding/contracts';
import { type EventEnvelope, recordInInbox } from '@offboarding/messaging';
import { ACCESS_RULE, EventHandlerRegistry } from '@offboarding/platform';
import { TestIdentity } from '@offboarding/testing';
import { postGraphQL, sampleInputValue, type Service, startSubgraph, subgraphTestEnv } from './subgraph-harness';

// Authorization of every operation of every subgraph, for every role, on the running services
// (in-memory databases, messaging off, tokens from a stand-in identity whose key the identity
// service also signs with). Three checks:
//  1. every resolver method (query, mutation, field, reference) declares an access rule;
//  2. every root operation × every role is allowed or refused exactly as the ACCESS table says,
//     and the table names every operation (a new one without a row fails here);
//  3. no IDOR: a collaborator of one organization is refused another's organization fields and
//     records, for every subgraph's Organization entity and every record looked up by id.

type Rule = 'public' | 'admin' | 'scoped' | 'authenticated';

/** What each root operation requires. `scoped`: any role, but only for the caller's own organization. */
const ACCESS: Record<Service, Record<string, Rule>> = {
  entitlements: {
    organization: 'scoped',
    organizations: 'admin',
    cancellationPolicy: 'scoped',
    entitlement: 'authenticated',
    createOrganization: 'admin',
    addContact: 'admin',
    archiveOrganization: 'admin',
    unarchiveOrganization: 'admin',
    setCancellationPolicy: 'admin',
    grantEntitlement: 'admin',
    cancelEntitlement: 'admin',
    suspendEntitlement: 'admin',
    resumeEntitlement: 'admin',
    recordPaymentFailure: 'admin',
    recordPaymentRecovered: 'admin',
    reactivateEntitlement: 'admin',
    startOffboarding: 'admin',
    cancelOffboarding: 'admin',
    createOrder: 'admin',
    createQuote: 'admin',
    createInvoice: 'admin',
    addDocument: 'admin',
  },
  provisioning: {
    effectiveProvisioningPolicies: 'scoped',
    serviceRequestReviewQueue: 'admin',
    campaign: 'authenticated',
    setProvisioningPolicy: 'admin',
    recordSiteActivation: 'admin',
    publishPluginRelease: 'admin',
    exportEnvironmentData: 'admin',
    waiveEnvironmentExport: 'admin',
    tearDownEnvironment: 'admin',
    updateEnvironmentContact: 'admin',
    openServiceRequest: 'admin',
    completeServiceRequest: 'admin',
    cancelServiceRequest: 'admin',
    addCredits: 'admin',
    consumeCredits: 'admin',
    createCampaign: 'admin',
    updateCampaign: 'admin',
    completeCampaign: 'admin',
    createTrackingLink: 'admin',
    enableTrackingLink: 'admin',
    updatePartnerContact: 'admin',
    enrollLearner: 'admin',
    markFulfilled: 'admin',
  },
  identity: {
    me: 'authenticated',
    login: 'public',
    loginWithSso: 'public',
    refreshSession: 'public',
    logout: 'authenticated',
    createUser: 'admin',
    issuePasswordSetupLink: 'admin',
    // The token in the link is the credential.
    setPasswordWithSetupLink: 'public',
    createSsoConnection: 'admin',
    disablePortalAccess: 'admin',
    enablePortalAccess: 'admin',
    deactivateAccounts: 'admin',
    reactivateAccounts: 'admin',
    deleteSsoConnectionSecrets: 'admin',
    deleteCredentials: 'admin',
    revokeSessions: 'admin',
    shutDownSso: 'admin',
  },
  retention: {
    verifyAuditTrail: 'admin',
    purgeQueue: 'admin',
    deletionCertificate: 'admin',
    previewOffboardingTimeline: 'admin',
    offboardingPolicy: 'admin',
    setOffboardingPolicy: 'admin',
    extendRetention: 'admin',
    extendExportWindow: 'admin',
    placeLegalHold: 'admin',
    releaseLegalHold: 'admin',
    approvePurge: 'admin',
    // Collaborators too, for their own organization and inside its export window.
    requestDataExport: 'scoped',
    dataExport: 'authenticated',
  },
};

const ORG_A = randomUUID();
const ORG_B = randomUUID();
const PARTNER_ORG = randomUUID();

interface Caller {
  name: string;
  token: () => Promise<string | null>;
  /** The organization id this caller's operations name. */
  organizationArg: string;
  allowed: (rule: Rule) => boolean;
}

/** Refusals of the access guard and of the organization scope, as opposed to domain refusals. */
const ACCESS_REFUSAL = /needs the role|sign in first|only access your own organization|declares no access rule|organization is archived/;

/**
 * Runs the checks for one subgraph. One subgraph per test file: the code-first schema builder
 * keeps its types in process-wide storage, so two subgraphs cannot be built in one module registry.
 */
export function describeAuthorizationMatrix(service: Service, load: () => Promise<{ AppModule: Type<unknown> }>): void {
  describe(`authorization of every ${service} operation`, () => {
    const saved = { ...process.env };
    let identity: TestIdentity;
    let callers: Caller[];

    beforeAll(async () => {
      identity = await TestIdentity.start();
      Object.assign(process.env, subgraphTestEnv(identity));
      callers = [
        { name: 'anonymous', token: () => Promise.resolve(null), organizationArg: ORG_A, allowed: (rule) => rule === 'public' },
        { name: 'ADMIN', token: () => identity.token({ role: 'ADMIN' }), organizationArg: ORG_A, allowed: () => true },
        {
          name: 'COLLABORATOR (own organization)',
          token: () => identity.token({ role: 'COLLABORATOR', organizationId: ORG_A }),
          organizationArg: ORG_A,
          allowed: (rule) => rule !== 'admin',
        },
        {
          name: 'COLLABORATOR (another organization)',
          token: () => identity.token({ role: 'COLLABORATOR', organizationId: ORG_A }),
          organizationArg: ORG_B,
          allowed: (rule) => rule === 'public' || rule === 'authenticated',
        },
        {
          name: 'PARTNER_USER (own partner organization)',
          token: () => identity.token({ role: 'PARTNER_USER', organizationId: PARTNER_ORG }),
          organizationArg: PARTNER_ORG,
          allowed: (rule) => rule !== 'admin',
        },
      ];
    });

    afterAll(async () => {
      await identity?.stop();
      process.env = saved;
    });

    const start = () => startSubgraph(load);
    const post = postGraphQL;

    /** Resolver methods without an access rule on themselves or their class. */
    function unruledResolvers(app: INestApplication): { checked: number; missing: string[] } {
      const missing: string[] = [];
      let checked = 0;
      for (const module of app.get(ModulesContainer).values()) {
        for (const wrapper of module.providers.values()) {
          const type = wrapper.metatype as (Type<unknown> & { prototype: Record<string, unknown> }) | null;
          if (!type || typeof type !== 'function' || Reflect.getMetadata(RESOLVER_TYPE_METADATA, type) === undefined) continue;
          for (const name of Object.getOwnPropertyNames(type.prototype)) {
            const method: unknown = type.prototype[name];
            if (name === 'constructor' || typeof method !== 'function') continue;
            const target = method as object;
            const isResolver = [RESOLVER_NAME_METADATA, RESOLVER_PROPERTY_METADATA, RESOLVER_REFERENCE_METADATA].some(
              (key) => Reflect.getMetadata(key, target) !== undefined,
            );
            if (!isResolver) continue;
            checked += 1;
            if (!Reflect.getMetadata(ACCESS_RULE, target) && !Reflect.getMetadata(ACCESS_RULE, type)) missing.push(`${type.name}.${name}`);
          }
        }
      }
      return { checked, missing };
    }

    function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, organizationId: string, rule: Rule) {
      // Operations scoped to an organization take its id as `organizationId`, or as `id` (organization(id)).
      const organizationArgs = rule === 'scoped' ? ['organizationId', 'id'] : ['organizationId'];
      const args = field.args.filter((arg) => isNonNullType(arg.type) || arg.name === 'organizationId');
      const variables = Object.fromEntries(args.map((arg) => [arg.name, sampleInputValue(arg.type, arg.name, organizationId, organizationArgs)]));
      const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
      const passing = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
      const returned = getNamedType(getNullableType(field.type));
      const selection = isObjectType(returned) || isAbstractType(returned) ? ' { __typename }' : '';
      const query = `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${passing ? `(${passing})` : ''}${selection} }`;
      return { query, variables };
    }

    it('has a rule on every resolver, answers every operation for every role as the table says, and lets no IDOR through', async () => {
      const { app, url } = await start();
      try {
        const rules = unruledResolvers(app);
        expect(rules.checked).toBeGreaterThan(1);
        expect(rules.missing).toEqual([]);

        const schema = app.get(GraphQLSchemaHost).schema;
        const roots = [
          ['query', schema.getQueryType()],
          ['mutation', schema.getMutationType()],
        ] as const;
        const operations = roots.flatMap(([kind, type]) =>
          Object.values(type?.getFields() ?? {})
            .filter((field) => !field.name.startsWith('_'))
            .map((field) => ({ kind, field })),
        );
        expect(operations.map(({ field }) => field.name).sort()).toEqual(Object.keys(ACCESS[service]).sort());

        const mismatches: string[] = [];
        for (const { kind, field } of operations) {
          const rule = ACCESS[service][field.name];
          for (const caller of callers) {
            const { query, variables } = operationFor(kind, field, caller.organizationArg, rule);
            const answer = await post(url, await caller.token(), query, variables);
            const refusal = answer.errors?.find((error) => ['UNAUTHENTICATED', 'FORBIDDEN'].includes(error.extensions?.code ?? '') && ACCESS_REFUSAL.test(error.message));
            if (Boolean(refusal) === caller.allowed(rule)) {
              mismatches.push(`${field.name} as ${caller.name}: expected ${caller.allowed(rule) ? 'allowed' : 'refused'}, got ${JSON.stringify(answer.errors ?? 'data')}`);
            }
          }
        }
        expect(mismatches).toEqual([]);

        // The Organization entity: every field this subgraph adds is reached through its reference resolver.
        const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
        const collaborator = await identity.token({ role: 'COLLABORATOR', organizationId: ORG_A });
        const own = await post(url, collaborator, entities, { r: [{ __typename: 'Organization', id: ORG_A }] });
        expect(own.errors?.filter((error) => ACCESS_REFUSAL.test(error.message)) ?? []).toEqual([]);
        const foreign = await post(url, collaborator, entities, { r: [{ __typename: 'Organization', id: ORG_B }] });
        expect(foreign.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/own organization/) });
        expect((await post(url, null, entities, { r: [{ __typename: 'Organization', id: ORG_A }] })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

        await recordLookups[service]?.(app, url);
      } finally {
        await app.close();
      }
    });

    /** Records looked up by their own id: another organization's is refused, not shown. */
    const recordLookups: Partial<Record<Service, (app: INestApplication, url: string) => Promise<void>>> = {
      entitlements: async (_app, url) => {
        const admin = await identity.token({ role: 'ADMIN' });
        const organization = await post(url, admin, 'mutation { createOrganization(input: { name: "Other Org", type: CUSTOMER }) { id } }');
        const otherId = (organization.data!.createOrganization as { id: string }).id;
        const granted = await post(url, admin, `mutation { grantEntitlement(input: { organizationId: "${otherId}", class: ORD, product: "Widget" }) { id } }`);
        const entitlementId = (granted.data!.grantEntitlement as { id: string }).id;
        const intruder = await identity.token({ role: 'COLLABORATOR', organizationId: ORG_A });
        const answer = await post(url, intruder, `{ entitlement(id: "${entitlementId}") { id product } }`);
        expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
        expect(answer.data?.entitlement ?? null).toBeNull();
        const owner = await identity.token({ role: 'COLLABORATOR', organizationId: otherId });
        expect((await post(url, owner, `{ entitlement(id: "${entitlementId}") { product } }`)).data?.entitlement).toEqual({ product: 'Widget' });

        // An archived organization's collaborators are refused, saying why.
        const archivable = (await post(url, admin, 'mutation { createOrganization(input: { name: "Closing Ltd", type: CUSTOMER }) { id } }')).data!.createOrganization as { id: string };
        expect((await post(url, admin, `mutation { archiveOrganization(id: "${archivable.id}") { status } }`)).data?.archiveOrganization).toEqual({ status: 'ARCHIVED' });
        const archivedUser = await identity.token({ role: 'COLLABORATOR', organizationId: archivable.id });
        expect((await post(url, archivedUser, `{ organization(id: "${archivable.id}") { name } }`)).errors?.[0]).toMatchObject({
          extensions: { code: 'FORBIDDEN' },
          message: expect.stringMatching(/is archived: its users' portal access has ended/),
        });
      },
      provisioning: async (app, url) => {
        const deliver = async <T extends EventType>(event: EventEnvelope<T>) => {
          const handler = app.get(EventHandlerRegistry).all()[event.type];
          await app.get(DataSource).transaction(async (manager) => {
            if (await recordInInbox(manager, event)) await handler!(event, manager);
          });
        };
        const entitlementId = randomUUID();
        await deliver({
          id: randomUUID(),
          type: 'com.offboarding.entitlements.entitlement_granted.v1',
          source: '/test',
          subject: ORG_B,
          time: new Date().toISOString(),
          specversion: '1.0',
          data: { organizationId: ORG_B, entitlementId, class: 'AFL', product: 'Affiliates', grantedAt: new Date().toISOString() },
        });
        const admin = await identity.token({ role: 'ADMIN' });
        const created = await post(url, admin, `mutation { createCampaign(input: { entitlementId: "${entitlementId}", name: "Spring", targetUrl: "https://b.example/" }) { id } }`);
        const campaignId = (created.data!.createCampaign as { id: string }).id;
        const intruder = await identity.token({ role: 'COLLABORATOR', organizationId: ORG_A });
        const answer = await post(url, intruder, `{ campaign(id: "${campaignId}") { name } }`);
        expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/own organization/) });
        const owner = await identity.token({ role: 'COLLABORATOR', organizationId: ORG_B });
        expect((await post(url, owner, `{ campaign(id: "${campaignId}") { name } }`)).data?.campaign).toEqual({ name: 'Spring' });
      },
    };
  });
}
