import { randomUUID } from 'node:crypto';
import type { EntitlementClass } from '@offboarding/contracts';
import { UnknownEntitlementError } from '../known-entitlements/known-entitlements.service';
import { entitlementEvents, openProvisioningKit, type ProvisioningKit } from './provisioning-test-kit';

type Step = 'grant' | 'suspend' | 'recover' | 'cancel' | 'reactivate';
const STEPS: Step[] = ['grant', 'suspend', 'recover', 'cancel', 'reactivate'];

interface ClassCase {
  class: EntitlementClass;
  /** Customer activity after the grant, so there is something open to suspend and clean up. */
  use?: (kit: ProvisioningKit, entitlementId: string) => Promise<void>;
  /** Statuses per table after each step. */
  expected: Record<string, Record<Step, string[]>>;
}

const CASES: ClassCase[] = [
  {
    class: 'PLG',
    expected: {
      licenses: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['CANCELLED'], reactivate: ['ACTIVE'] },
    },
  },
  {
    class: 'ENV',
    expected: {
      environments: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['DEPROVISIONED'], reactivate: ['ACTIVE'] },
    },
  },
  {
    class: 'SVC',
    use: async (kit, entitlementId) => {
      const [service] = (await kit.serviceContracts.services((await kit.knownEntitlements.findById(entitlementId))!.organizationId));
      await kit.serviceContracts.openServiceRequest(service.id, 'Migrate the mail server');
    },
    expected: {
      customer_services: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['CANCELLED'], reactivate: ['ACTIVE'] },
      contracts: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['CANCELLED'], reactivate: ['ACTIVE'] },
      credit_balances: { grant: ['ACTIVE'], suspend: ['FROZEN'], recover: ['ACTIVE'], cancel: ['FROZEN'], reactivate: ['ACTIVE'] },
    },
  },
  {
    class: 'AFL',
    expected: {
      campaigns: { grant: ['IN_PROGRESS'], suspend: ['SUSPENDED'], recover: ['IN_PROGRESS'], cancel: ['INVALIDATED'], reactivate: ['INVALIDATED'] },
      tracking_links: { grant: ['ACTIVE'], suspend: ['DISABLED'], recover: ['ACTIVE'], cancel: ['DISABLED'], reactivate: ['DISABLED'] },
      partner_relationships: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['ENDED'], reactivate: ['ACTIVE'] },
    },
  },
  {
    class: 'EDU',
    use: async (kit, entitlementId) => {
      await kit.education.enrollLearner({ entitlementId, learnerRef: 'learner-17', course: 'Advanced SEO' });
    },
    expected: {
      course_seats: {
        grant: ['ASSIGNED', 'AVAILABLE', 'AVAILABLE'],
        suspend: ['ASSIGNED', 'AVAILABLE', 'AVAILABLE'],
        recover: ['ASSIGNED', 'AVAILABLE', 'AVAILABLE'],
        cancel: ['RELEASED', 'RELEASED', 'RELEASED'],
        reactivate: ['AVAILABLE', 'AVAILABLE', 'AVAILABLE'],
      },
      enrollments: { grant: ['ACTIVE'], suspend: ['SUSPENDED'], recover: ['ACTIVE'], cancel: ['CLOSED'], reactivate: ['CLOSED'] },
    },
  },
  {
    class: 'ORD',
    expected: {
      fulfilments: { grant: ['OPEN'], suspend: ['ON_HOLD'], recover: ['OPEN'], cancel: ['CLOSED'], reactivate: ['OPEN'] },
    },
  },
];

const STEP_EVENT: Record<Step, string> = {
  grant: 'com.offboarding.provisioning.resources_provisioned.v1',
  suspend: 'com.offboarding.provisioning.resources_suspended.v1',
  recover: 'com.offboarding.provisioning.resources_restored.v1',
  cancel: 'com.offboarding.provisioning.resources_deprovisioned.v1',
  reactivate: 'com.offboarding.provisioning.resources_reprovisioned.v1',
};

describe('downstream resources follow their entitlement', () => {
  let kit: ProvisioningKit;

  beforeAll(async () => {
    kit = await openProvisioningKit();
  });

  afterAll(async () => {
    await kit?.close();
  });

  /** Sorted (the seats' order within one creation instant is by random id). */
  async function snapshot(tables: string[], entitlementId: string): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    for (const table of tables) result[table] = (await kit.statuses(table, entitlementId)).sort();
    return result;
  }

  it.each(CASES)('$class: grant, suspend, recover, cancel, reactivate', async (testCase) => {
    const organizationId = randomUUID();
    const events = entitlementEvents(organizationId, testCase.class);
    const tables = Object.keys(testCase.expected);
    const emit = {
      grant: events.granted,
      suspend: events.suspended,
      recover: events.resumed,
      cancel: () => events.cancelled(),
      reactivate: events.reactivated,
    } satisfies Record<Step, () => unknown>;

    for (const step of STEPS) {
      const event = emit[step]();
      expect(await kit.deliver(event)).toBe(true);
      if (step === 'grant') await testCase.use?.(kit, events.entitlementId);
      const expected = Object.fromEntries(tables.map((table) => [table, [...testCase.expected[table][step]].sort()]));
      expect({ step, ...(await snapshot(tables, events.entitlementId)) }).toEqual({ step, ...expected });

      // A redelivery of the same event, and the same change under a new event id, change nothing.
      const eventsBefore = (await kit.outbox(organizationId)).length;
      expect(await kit.deliver(event)).toBe(false);
      expect(await kit.deliver({ ...emit[step](), id: randomUUID() })).toBe(true);
      expect({ step, ...(await snapshot(tables, events.entitlementId)) }).toEqual({ step, ...expected });
      expect((await kit.outbox(organizationId)).length).toBe(eventsBefore);
    }

    const published = (await kit.outbox(organizationId)).filter((e) => e.type.includes('.resources_'));
    expect(published.map((e) => e.type)).toEqual(STEPS.map((step) => STEP_EVENT[step]));
    expect(published.every((e) => e.payload.entitlementId === events.entitlementId && e.payload.class === testCase.class)).toBe(true);
  });

  it('a run of cancellations applied by the batch form changes and publishes exactly what applying them one at a time does', async () => {
    const classes: EntitlementClass[] = ['PLG', 'PLG', 'ENV', 'PLG', 'PLG', 'SVC', 'AFL', 'EDU', 'ORD', 'PLG'];
    const tables = [...new Set(CASES.flatMap((testCase) => Object.keys(testCase.expected)))];
    /** One organization's offboarding wave, applied one way or the other; its effects with ids replaced by their order. */
    async function wave(apply: (events: ReturnType<ReturnType<typeof entitlementEvents>['cancelled']>[]) => Promise<boolean[]>) {
      const organizationId = randomUUID();
      // This organization keeps its AFL resources (ProvisioningPolicy), so both policy paths run.
      await kit.policies.set({ organizationId, class: 'AFL', deprovisionOnCancel: false, actor: 'staff-1' });
      const entitlements = classes.map((entitlementClass) => entitlementEvents(organizationId, entitlementClass));
      for (const events of entitlements) await kit.deliver(events.granted());
      const cancels = entitlements.map((events, index) => events.cancelled('2026-02-01T00:00:00.000Z', 10 + index));
      // The same cancellation again under a new event id, within the run: applied once.
      const answered = await apply([...cancels, { ...cancels[1], id: randomUUID() }]);
      const names = new Map<string, string>([[organizationId, 'org']]);
      entitlements.forEach((events, index) => names.set(events.entitlementId, `e${index}`));
      const statuses: Record<string, string[]> = {};
      for (const [index, events] of entitlements.entries()) {
        for (const table of tables) {
          const found = (await kit.statuses(table, events.entitlementId)).sort();
          if (found.length > 0) statuses[`e${index}.${table}`] = found;
        }
      }
      const known = await kit.db.dataSource.query<{ status: string; cancelled_at: Date }[]>(
        `SELECT status, cancelled_at FROM "${kit.db.schema}".known_entitlements WHERE organization_id = $1 ORDER BY entitlement_id`,
        [organizationId],
      );
      const published = (await kit.outbox(organizationId)).map((event) =>
        JSON.parse(JSON.stringify(event), (key, value: unknown) => {
          if (typeof value === 'string' && names.has(value)) return names.get(value);
          // Ids of rows created in the wave (licences, balances, ledger entries) differ between the two.
          return typeof value === 'string' && (key === 'id' || key.endsWith('Id')) ? '(id)' : value;
        }) as unknown,
      );
      return { answered, statuses, known: known.map((row) => [row.status, row.cancelled_at.toISOString()]), published };
    }

    const oneAtATime = await wave(async (events) => {
      const answers: boolean[] = [];
      for (const event of events) answers.push(await kit.deliver(event));
      return answers;
    });
    const asRun = await wave((events) => kit.deliverRun(events));
    expect(oneAtATime.answered).toEqual([...classes.map(() => true), true]);
    expect(asRun).toEqual(oneAtATime);
    expect(asRun.published.filter((event) => (event as { type: string }).type.endsWith('license_cancelled.v1'))).toHaveLength(5);
  });

  it('a run of cancellations that cannot all be applied changes nothing (the consumer then applies them one at a time)', async () => {
    const organizationId = randomUUID();
    const known = entitlementEvents(organizationId, 'PLG');
    await kit.deliver(known.granted());
    const published = await kit.outbox(organizationId);
    const never = entitlementEvents(organizationId, 'PLG');
    const run = [known.cancelled(), never.cancelled()];
    await expect(kit.deliverRun(run)).rejects.toThrow(UnknownEntitlementError);
    expect(await kit.statuses('licenses', known.entitlementId)).toEqual(['ACTIVE']);
    expect((await kit.knownEntitlements.findById(known.entitlementId))?.status).toBe('ACTIVE');
    expect(await kit.outbox(organizationId)).toEqual(published);
    // Nothing of the run reached the inbox: the consumer's one-at-a-time pass applies the first.
    expect(await kit.deliver(run[0])).toBe(true);
    expect(await kit.statuses('licenses', known.entitlementId)).toEqual(['CANCELLED']);
  });

  it('counts what changed in each resource-state event, and schedules environment teardown from the retention snapshot', async () => {
    const organizationId = randomUUID();
    const env = entitlementEvents(organizationId, 'ENV');
    await kit.deliver(env.granted());
    await kit.deliver(env.cancelled('2026-03-01T12:00:00.000Z', 30));
    const [environment] = await kit.environments.listForOrganization(organizationId);
    expect(environment.teardownDueAt?.toISOString()).toBe('2026-03-31T12:00:00.000Z');
    const deprovisioned = (await kit.outbox(organizationId)).find((e) => e.type.endsWith('resources_deprovisioned.v1'));
    expect(deprovisioned?.payload).toMatchObject({
      deprovisionOnCancel: true,
      deprovisioned: { environments: 1 },
      teardownDueAt: '2026-03-31T12:00:00.000Z',
    });
  });

  it('open service requests go to the review queue on cancel and reopen on reactivation', async () => {
    const organizationId = randomUUID();
    const svc = entitlementEvents(organizationId, 'SVC');
    await kit.deliver(svc.granted());
    const [service] = await kit.serviceContracts.services(organizationId);
    const request = await kit.serviceContracts.openServiceRequest(service.id, 'Renew certificates');
    const done = await kit.serviceContracts.openServiceRequest(service.id, 'Already handled');
    await kit.serviceContracts.completeServiceRequest(done.id, 'staff-1');

    await kit.deliver(svc.cancelled());
    const bySubject = async () => (await kit.serviceContracts.requestsOf(service.id)).map((r) => [r.subject, r.status]).sort();
    expect(await bySubject()).toEqual([
      ['Already handled', 'COMPLETED'],
      ['Renew certificates', 'IN_REVIEW'],
    ]);
    const queue = await kit.serviceContracts.reviewQueue({ first: 100, after: null });
    expect(queue.edges.map((edge) => edge.node.id)).toContain(request.id);
    await expect(kit.serviceContracts.openServiceRequest(service.id, 'One more')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });

    await kit.deliver(svc.reactivated());
    expect(await bySubject()).toEqual([
      ['Already handled', 'COMPLETED'],
      ['Renew certificates', 'OPEN'],
    ]);
  });

  it('keeps every resource until purge when the ProvisioningPolicy says so, organization over global', async () => {
    const organizationId = randomUUID();
    const other = randomUUID();
    await kit.policies.set({ organizationId: null, class: 'AFL', deprovisionOnCancel: false, actor: 'staff-1' });
    await kit.policies.set({ organizationId: other, class: 'AFL', deprovisionOnCancel: true, actor: 'staff-1' });
    expect((await kit.policies.effectiveForAllClasses(organizationId)).find((p) => p.class === 'AFL')).toMatchObject({
      deprovisionOnCancel: false,
      source: 'GLOBAL',
    });
    expect((await kit.policies.effectiveForAllClasses(other)).find((p) => p.class === 'AFL')).toMatchObject({ deprovisionOnCancel: true, source: 'ORGANIZATION' });
    expect((await kit.policies.effectiveForAllClasses(null)).find((p) => p.class === 'ENV')).toMatchObject({ deprovisionOnCancel: true, source: 'DEFAULT' });

    const kept = entitlementEvents(organizationId, 'AFL');
    const cleaned = entitlementEvents(other, 'AFL');
    for (const events of [kept, cleaned]) {
      await kit.deliver(events.granted());
      await kit.deliver(events.cancelled());
    }
    expect(await kit.statuses('campaigns', kept.entitlementId)).toEqual(['IN_PROGRESS']);
    expect(await kit.statuses('tracking_links', kept.entitlementId)).toEqual(['ACTIVE']);
    expect(await kit.statuses('campaigns', cleaned.entitlementId)).toEqual(['INVALIDATED']);
    const keptEvent = (await kit.outbox(organizationId)).find((e) => e.type.endsWith('resources_deprovisioned.v1'));
    expect(keptEvent?.payload).toMatchObject({ deprovisionOnCancel: false, deprovisioned: {}, teardownDueAt: null });
    // The organization's policy change is on its audit trail; the global one has no trail to land in.
    expect((await kit.outbox(other)).filter((e) => e.type.endsWith('audit_recorded.v1')).map((e) => e.payload.action)).toEqual(['provisioning_policy.set']);
    await kit.policies.set({ organizationId: null, class: 'AFL', deprovisionOnCancel: true, actor: 'staff-1' });
  });

  it.each([
    ['suspended', 'suspended'],
    ['resumed', 'resumed'],
    ['cancelled', 'cancelled'],
    ['reactivated', 'reactivated'],
  ] as const)('refuses %s for an entitlement it never saw, applying and recording nothing', async (_name, kind) => {
    const organizationId = randomUUID();
    const events = entitlementEvents(organizationId, 'PLG');
    const event = events[kind]();
    await expect(kit.deliver(event)).rejects.toThrow(UnknownEntitlementError);
    const [inbox] = await kit.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${kit.db.schema}".inbox WHERE event_id = $1`, [event.id]);
    expect(inbox.n).toBe('0');
    expect(await kit.outbox(organizationId)).toEqual([]);
  });

  it('refuses an event that names another organization than the entitlement belongs to', async () => {
    const events = entitlementEvents(randomUUID(), 'ORD');
    await kit.deliver(events.granted());
    const stranger = entitlementEvents(randomUUID(), 'ORD', 'Pro Plan', events.entitlementId);
    await expect(kit.deliver(stranger.suspended())).rejects.toThrow(/belongs to organization/);
  });
});
