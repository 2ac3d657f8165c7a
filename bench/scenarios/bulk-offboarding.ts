import { createHash, randomUUID } from 'node:crypto';
import { type Consumer, type EachBatchPayload, type Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CancellationReason } from '@offboarding/contracts';
import { createKafka } from '@offboarding/messaging';
import { Clock, dayOf } from '@offboarding/platform';
import { OffboardingService } from '../../apps/entitlements/src/offboarding/offboarding.service';
import { MILESTONES } from '../../apps/retention/src/timeline/timeline';
import { type BenchContext, check, interleaved, type RoundResult, type Scenario } from '../harness';
import { type ServiceStack, startServices, watchApplied } from '../services';

// 1,000 organizations at scale 1 (PostgreSQL), 100 at the embedded default's 0.1, 20 at least.
const ORGANIZATIONS = 1_000;
const PER_ORGANIZATION = 10;
// An admin tool starting offboardings a few requests at a time.
const CONCURRENCY = 4;
const CANCELLED = 'com.offboarding.entitlements.entitlement_cancelled.v1';
// Per organization: offboarding_started and entitlement_cancelled ×10 from entitlements, each
// with its audit_recorded, and offboarding_entitlements_cancelled; license_cancelled and
// resources_deprovisioned per licence from provisioning.
const ENTITLEMENTS_EVENTS = 3 + 2 * PER_ORGANIZATION;
const PROVISIONING_EVENTS = 2 * PER_ORGANIZATION;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let stack: ServiceStack | null = null;

interface Seed {
  organizations: string[];
  entitlements: { id: string; organizationId: string }[];
}

function seedIds(count: number): Seed {
  const organizations = Array.from({ length: count }, () => randomUUID());
  const entitlements = organizations.flatMap((organizationId) => Array.from({ length: PER_ORGANIZATION }, () => ({ id: randomUUID(), organizationId })));
  return { organizations, entitlements };
}

async function count(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  return Number((await dataSource.query<{ n: string }[]>(sql, params))[0].n);
}

/**
 * Starting offboarding for many organizations at once, until every downstream effect the running
 * services implement is committed: entitlements cancelled and the case recorded (entitlements),
 * licences cancelled (provisioning), retention case and timeline opened and every event on the
 * audit trail (retention). Identity acts only later in the timeline (archive, SSO shutdown), so it
 * is not part of this.
 */
export const bulkOffboardingScenario: Scenario = {
  name: 'bulk offboarding',
  describe: (scale) => {
    const n = Math.max(20, Math.round(ORGANIZATIONS * scale));
    return {
      ours: `startOffboarding (day 0 today) for ${n} organizations × ${PER_ORGANIZATION} PLG entitlements, ${CONCURRENCY} at a time, until provisioning cancelled every licence and retention opened every case and recorded all ${n * (ENTITLEMENTS_EVENTS + PROVISIONING_EVENTS)} events (outbox, relays, Kafka, inboxes)`,
      baseline: 'the same rows with set-based UPDATE/INSERTs in one transaction, the same number of events by batched kafkajs sends, applied per fetched batch with set-based SQL by plain consumers (licences; then retention cases, milestones and a hash-chained trail)',
    };
  },
  target: { min: 0.25 },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const n = Math.max(20, Math.round(ORGANIZATIONS * context.scale));
    stack ??= await startServices(context, ['entitlements', 'provisioning', 'retention']);
    const services = stack;

    const ours = async () => {
      const seed = seedIds(n);
      await seedServices(services, seed);
      const offboarding = services.app('entitlements').get(OffboardingService);
      const dayZero = dayOf(services.app('entitlements').get(Clock).now());
      const provisioned = watchApplied(services, 'provisioning', [CANCELLED]);
      const retained = watchApplied(services, 'retention');
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < seed.organizations.length) {
            const organizationId = seed.organizations[next++];
            await offboarding.start({ organizationId, reason: CancellationReason.CUSTOMER_REQUEST, dayZero, pointOfContact: 'Account Manager', actor: 'bench:bulk' });
          }
        }),
      );
      // Where the time goes: when the last start returned, and when each consumer finished.
      const startsDone = performance.now() - started;
      const provisioningDone = provisioned.reach(n * PER_ORGANIZATION).then(() => performance.now() - started);
      const retentionDone = retained.reach(n * (ENTITLEMENTS_EVENTS + PROVISIONING_EVENTS)).then(() => performance.now() - started);
      const phases = { 'starts done': startsDone, 'provisioning done': await provisioningDone, 'retention done': await retentionDone };
      const ms = performance.now() - started;
      provisioned.stop();
      retained.stop();
      await checkOurs(services, seed);
      return {
        throughput: { unit: 'organizations/s', value: (n / ms) * 1000 },
        ...Object.fromEntries(Object.entries(phases).map(([name, value]) => [name, { unit: 's', value: value / 1000 }])),
      };
    };
    const baseline = async () => {
      const plain = await openBaseline(context, n);
      try {
        return { throughput: { unit: 'organizations/s', value: (n / (await plain.run())) * 1000 } };
      } finally {
        await plain.close();
      }
    };
    return interleaved(index, ours, baseline);
  },
  async teardown() {
    await stack?.close();
    stack = null;
  },
};

/** Organizations with active PLG entitlements, as granting them would have left every service (inserted directly: seeding is not measured). */
async function seedServices(services: ServiceStack, seed: Seed): Promise<void> {
  const entitlementIds = seed.entitlements.map((e) => e.id);
  const owners = seed.entitlements.map((e) => e.organizationId);
  await services.dataSource('entitlements').query(
    `INSERT INTO ${services.table('entitlements', 'organizations')} (id, name, type, status, created_at, updated_at)
     SELECT id, 'Bulk ' || id, 'CUSTOMER', 'ACTIVE', now(), now() FROM unnest($1::uuid[]) AS id`,
    [seed.organizations],
  );
  await services.dataSource('entitlements').query(
    `INSERT INTO ${services.table('entitlements', 'entitlements')} (id, organization_id, class, product, status, granted_at, created_at, updated_at)
     SELECT id, organization_id, 'PLG', 'SEO Plugin Pro', 'ACTIVE', now(), now(), now() FROM unnest($1::uuid[], $2::uuid[]) AS e(id, organization_id)`,
    [entitlementIds, owners],
  );
  await services.dataSource('provisioning').query(
    `INSERT INTO ${services.table('provisioning', 'known_entitlements')} (entitlement_id, organization_id, class, product, status, granted_at, created_at, updated_at)
     SELECT id, organization_id, 'PLG', 'SEO Plugin Pro', 'ACTIVE', now(), now(), now() FROM unnest($1::uuid[], $2::uuid[]) AS e(id, organization_id)`,
    [entitlementIds, owners],
  );
  await services.dataSource('provisioning').query(
    `INSERT INTO ${services.table('provisioning', 'licenses')} (id, organization_id, entitlement_id, license_key, product, status, issued_at, created_at)
     SELECT gen_random_uuid(), organization_id, id, md5(id::text), 'SEO Plugin Pro', 'ACTIVE', now(), now() FROM unnest($1::uuid[], $2::uuid[]) AS e(id, organization_id)`,
    [entitlementIds, owners],
  );
}

async function checkOurs(services: ServiceStack, seed: Seed): Promise<void> {
  const n = seed.organizations.length;
  const orgs = [seed.organizations];
  const entitlements = services.dataSource('entitlements');
  const provisioning = services.dataSource('provisioning');
  const retention = services.dataSource('retention');
  const t = (service: 'entitlements' | 'provisioning' | 'retention', table: string) => services.table(service, table);
  const expect = async (dataSource: DataSource, what: string, sql: string, expected: number) => {
    const found = await count(dataSource, sql, orgs);
    check(found === expected, `${what}: ${found}, expected ${expected}`);
  };
  await expect(entitlements, 'organizations OFFBOARDING', `SELECT count(*) AS n FROM ${t('entitlements', 'organizations')} WHERE id = ANY($1) AND status = 'OFFBOARDING' AND cancelled_at IS NOT NULL`, n);
  await expect(entitlements, 'cases ENTITLEMENTS_CANCELLED', `SELECT count(*) AS n FROM ${t('entitlements', 'offboarding_cases')} WHERE organization_id = ANY($1) AND status = 'ENTITLEMENTS_CANCELLED'`, n);
  await expect(entitlements, 'entitlements CANCELLED', `SELECT count(*) AS n FROM ${t('entitlements', 'entitlements')} WHERE organization_id = ANY($1) AND status = 'CANCELLED'`, n * PER_ORGANIZATION);
  await expect(entitlements, 'entitlements audit entries', `SELECT count(*) AS n FROM ${t('entitlements', 'audit_log')} WHERE organization_id = ANY($1)`, n * (1 + PER_ORGANIZATION));
  await expect(entitlements, 'entitlements events', `SELECT count(*) AS n FROM ${t('entitlements', 'outbox')} WHERE message_key = ANY($1::text[])`, n * ENTITLEMENTS_EVENTS);
  await expect(provisioning, 'known entitlements CANCELLED', `SELECT count(*) AS n FROM ${t('provisioning', 'known_entitlements')} WHERE organization_id = ANY($1) AND status = 'CANCELLED'`, n * PER_ORGANIZATION);
  await expect(provisioning, 'licences CANCELLED', `SELECT count(*) AS n FROM ${t('provisioning', 'licenses')} WHERE organization_id = ANY($1) AND status = 'CANCELLED'`, n * PER_ORGANIZATION);
  await expect(provisioning, 'provisioning events', `SELECT count(*) AS n FROM ${t('provisioning', 'outbox')} WHERE message_key = ANY($1::text[])`, n * PROVISIONING_EVENTS);
  await expect(retention, 'retention cases OPEN', `SELECT count(*) AS n FROM ${t('retention', 'retention_cases')} WHERE organization_id = ANY($1) AND status = 'OPEN'`, n);
  await expect(retention, 'milestones', `SELECT count(*) AS n FROM ${t('retention', 'timeline_milestones')} WHERE organization_id = ANY($1)`, n * MILESTONES.length);
  await expect(retention, 'ENTITLEMENTS_CANCELLED milestones DONE', `SELECT count(*) AS n FROM ${t('retention', 'timeline_milestones')} WHERE organization_id = ANY($1) AND milestone = 'ENTITLEMENTS_CANCELLED' AND status = 'DONE'`, n);
  await expect(retention, 'audit trail entries of other services', `SELECT count(*) AS n FROM ${t('retention', 'audit_entries')} WHERE organization_id = ANY($1) AND event_type NOT LIKE 'com.offboarding.retention.%'`, n * (ENTITLEMENTS_EVENTS + PROVISIONING_EVENTS));
}

interface PlainEvent {
  type: string;
  organizationId: string;
  entitlementId?: string;
  remaining?: number;
}

/**
 * Three schemas with the tables the baseline touches, topics of their own, one producer and two
 * plain consumers (provisioning's and retention's), each applying a fetched batch set-based.
 */
async function openBaseline(context: BenchContext, n: number) {
  const ent = await context.openDatabase('bench_bulk_entitlements', { entities: [], migrations: [] });
  const prov = await context.openDatabase('bench_bulk_provisioning', { entities: [], migrations: [] });
  const ret = await context.openDatabase('bench_bulk_retention', { entities: [], migrations: [] });
  const e = (table: string) => `"${ent.schema}".${table}`;
  const p = (table: string) => `"${prov.schema}".${table}`;
  const r = (table: string) => `"${ret.schema}".${table}`;
  const kafka: Kafka = createKafka({ clientId: 'bench-bulk', brokers: [context.kafkaBrokers], logger: silent, logLevel: logLevel.NOTHING });
  const id = randomUUID();
  const fromEntitlements = `bench.bulk.entitlements.${id}`;
  const fromProvisioning = `bench.bulk.provisioning.${id}`;
  const seed = seedIds(n);
  const consumers: Consumer[] = [];
  let producer: Producer | undefined;
  const close = async () => {
    for (const consumer of consumers) await consumer.disconnect();
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [fromEntitlements, fromProvisioning] }).catch(() => undefined);
    await admin.disconnect();
    await ent.drop();
    await prov.drop();
    await ret.drop();
  };
  try {
    for (const sql of [
      `CREATE TABLE ${e('organizations')} (id uuid PRIMARY KEY, name text NOT NULL, status text NOT NULL, cancelled_at timestamptz, updated_at timestamptz NOT NULL)`,
      `CREATE TABLE ${e('entitlements')} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL, cancelled_at timestamptz, cancellation_reason text, updated_at timestamptz NOT NULL)`,
      `CREATE INDEX ON ${e('entitlements')} (organization_id)`,
      `CREATE TABLE ${e('offboarding_cases')} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL, reason text NOT NULL, day_zero date NOT NULL, started_at timestamptz NOT NULL)`,
      `CREATE TABLE ${e('audit_log')} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, action text NOT NULL, subject_id uuid NOT NULL, at timestamptz NOT NULL)`,
    ]) {
      await ent.dataSource.query(sql);
    }
    for (const sql of [
      `CREATE TABLE ${p('known_entitlements')} (entitlement_id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL, cancelled_at timestamptz, updated_at timestamptz NOT NULL)`,
      `CREATE TABLE ${p('licenses')} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, entitlement_id uuid NOT NULL, status text NOT NULL, cancelled_at timestamptz)`,
      `CREATE INDEX ON ${p('licenses')} (entitlement_id)`,
    ]) {
      await prov.dataSource.query(sql);
    }
    for (const sql of [
      `CREATE TABLE ${r('audit_entries')} (organization_id uuid NOT NULL, sequence int NOT NULL, type text NOT NULL, payload jsonb NOT NULL, hash text NOT NULL, PRIMARY KEY (organization_id, sequence))`,
      `CREATE TABLE ${r('retention_cases')} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL, opened_at timestamptz NOT NULL)`,
      `CREATE TABLE ${r('timeline_milestones')} (case_id uuid NOT NULL, organization_id uuid NOT NULL, milestone text NOT NULL, status text NOT NULL, completed_at timestamptz, PRIMARY KEY (case_id, milestone))`,
      `CREATE INDEX ON ${r('timeline_milestones')} (organization_id)`,
    ]) {
      await ret.dataSource.query(sql);
    }
    const owners = seed.entitlements.map((x) => x.organizationId);
    const entitlementIds = seed.entitlements.map((x) => x.id);
    await ent.dataSource.query(`INSERT INTO ${e('organizations')} SELECT id, 'Bulk ' || id, 'ACTIVE', NULL, now() FROM unnest($1::uuid[]) AS id`, [seed.organizations]);
    await ent.dataSource.query(`INSERT INTO ${e('entitlements')} SELECT id, o, 'ACTIVE', NULL, NULL, now() FROM unnest($1::uuid[], $2::uuid[]) AS x(id, o)`, [entitlementIds, owners]);
    await prov.dataSource.query(`INSERT INTO ${p('known_entitlements')} SELECT id, o, 'ACTIVE', NULL, now() FROM unnest($1::uuid[], $2::uuid[]) AS x(id, o)`, [entitlementIds, owners]);
    await prov.dataSource.query(`INSERT INTO ${p('licenses')} SELECT gen_random_uuid(), o, id, 'ACTIVE', NULL FROM unnest($1::uuid[], $2::uuid[]) AS x(id, o)`, [entitlementIds, owners]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [fromEntitlements, fromProvisioning].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
  } catch (error) {
    await close();
    throw error;
  }
  const send = producer;
  const toMessage = (event: PlainEvent): Message => ({ key: event.organizationId, value: JSON.stringify(event) });
  const sendAll = async (topic: string, events: PlainEvent[]) => {
    for (let i = 0; i < events.length; i += 1000) await send.send({ topic, acks: -1, messages: events.slice(i, i + 1000).map(toMessage) });
  };
  const decode = ({ batch }: EachBatchPayload) => batch.messages.map((message) => JSON.parse(message.value!.toString()) as PlainEvent);

  return {
    /** Milliseconds from the first statement until retention applied the last event. */
    async run(): Promise<number> {
      let licencesCancelled = 0;
      let recorded = 0;
      const expected = n * (ENTITLEMENTS_EVENTS + PROVISIONING_EVENTS);
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const chain = new Map<string, { sequence: number; hash: string }>();

      const provisioning = kafka.consumer({ groupId: `bench-bulk-provisioning-${randomUUID()}`, maxWaitTimeInMs: 1000 });
      const retention = kafka.consumer({ groupId: `bench-bulk-retention-${randomUUID()}`, maxWaitTimeInMs: 1000 });
      consumers.push(provisioning, retention);
      await provisioning.connect();
      await provisioning.subscribe({ topics: [fromEntitlements], fromBeginning: true });
      await retention.connect();
      await retention.subscribe({ topics: [fromEntitlements, fromProvisioning], fromBeginning: true });
      await provisioning.run({
        eachBatch: async (payload) => {
          const cancelled = decode(payload).filter((event) => event.type === 'entitlement_cancelled');
          if (cancelled.length > 0) {
            const ids = cancelled.map((event) => event.entitlementId!);
            const licences = await prov.dataSource.transaction(async (manager) => {
              await manager.query(`UPDATE ${p('known_entitlements')} SET status = 'CANCELLED', cancelled_at = now(), updated_at = now() WHERE entitlement_id = ANY($1::uuid[])`, [ids]);
              return manager.query<{ organization_id: string; entitlement_id: string }[]>(
                `WITH u AS (UPDATE ${p('licenses')} SET status = 'CANCELLED', cancelled_at = now() WHERE entitlement_id = ANY($1::uuid[]) RETURNING organization_id, entitlement_id)
                 SELECT organization_id, entitlement_id FROM u`,
                [ids],
              );
            });
            await sendAll(
              fromProvisioning,
              licences.flatMap((licence) => [
                { type: 'license_cancelled', organizationId: licence.organization_id, entitlementId: licence.entitlement_id },
                { type: 'resources_deprovisioned', organizationId: licence.organization_id, entitlementId: licence.entitlement_id },
              ]),
            );
            licencesCancelled += licences.length;
          }
          payload.resolveOffset(payload.batch.lastOffset());
        },
      });
      await retention.run({
        eachBatch: async (payload) => {
          const events = decode(payload);
          const rows = events.map((event) => {
            const previous = chain.get(event.organizationId) ?? { sequence: 0, hash: '' };
            const payloadText = JSON.stringify(event);
            const next = { sequence: previous.sequence + 1, hash: createHash('sha256').update(previous.hash).update(payloadText).digest('hex') };
            chain.set(event.organizationId, next);
            return { organizationId: event.organizationId, sequence: next.sequence, type: event.type, payload: payloadText, hash: next.hash };
          });
          const opened = events.filter((event) => event.type === 'offboarding_started').map((event) => event.organizationId);
          const allCancelled = events.filter((event) => event.type === 'entitlement_cancelled' && event.remaining === 0).map((event) => event.organizationId);
          await ret.dataSource.transaction(async (manager) => {
            await manager.query(
              `INSERT INTO ${r('audit_entries')} (organization_id, sequence, type, payload, hash)
               SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::jsonb[], $5::text[])`,
              [rows.map((x) => x.organizationId), rows.map((x) => x.sequence), rows.map((x) => x.type), rows.map((x) => x.payload), rows.map((x) => x.hash)],
            );
            if (opened.length > 0) {
              await manager.query(
                `WITH cases AS (
                   INSERT INTO ${r('retention_cases')} (id, organization_id, status, opened_at) SELECT gen_random_uuid(), o, 'OPEN', now() FROM unnest($1::uuid[]) AS o RETURNING id, organization_id)
                 INSERT INTO ${r('timeline_milestones')} (case_id, organization_id, milestone, status) SELECT id, organization_id, m, 'PENDING' FROM cases, unnest($2::text[]) AS m`,
                [opened, MILESTONES],
              );
            }
            if (allCancelled.length > 0) {
              await manager.query(
                `UPDATE ${r('timeline_milestones')} SET status = 'DONE', completed_at = now() WHERE organization_id = ANY($1::uuid[]) AND milestone = 'ENTITLEMENTS_CANCELLED'`,
                [allCancelled],
              );
            }
          });
          payload.resolveOffset(payload.batch.lastOffset());
          recorded += events.length;
          if (recorded === expected) finish();
        },
      });

      const started = performance.now();
      const events = await ent.dataSource.transaction(async (manager) => {
        const organizations = await manager.query<{ id: string }[]>(
          // A CTE so the driver answers rows (an UPDATE … RETURNING answers [rows, count]).
          `WITH u AS (UPDATE ${e('organizations')} SET status = 'OFFBOARDING', updated_at = now() WHERE id = ANY($1::uuid[]) AND status = 'ACTIVE' RETURNING id) SELECT id FROM u`,
          [seed.organizations],
        );
        const ids = organizations.map((o) => o.id);
        await manager.query(
          `INSERT INTO ${e('offboarding_cases')} SELECT gen_random_uuid(), o, 'ENTITLEMENTS_CANCELLED', 'CUSTOMER_REQUEST', current_date, now() FROM unnest($1::uuid[]) AS o`,
          [ids],
        );
        const cancelled = await manager.query<{ id: string; organization_id: string; remaining: number }[]>(
          `WITH c AS (
             UPDATE ${e('entitlements')} SET status = 'CANCELLED', cancelled_at = now(), cancellation_reason = 'CUSTOMER_REQUEST', updated_at = now()
              WHERE organization_id = ANY($1::uuid[]) AND status = 'ACTIVE' RETURNING id, organization_id)
           SELECT id, organization_id, (count(*) OVER (PARTITION BY organization_id) - row_number() OVER (PARTITION BY organization_id ORDER BY id))::int AS remaining FROM c`,
          [ids],
        );
        await manager.query(`UPDATE ${e('organizations')} SET cancelled_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
        await manager.query(
          `INSERT INTO ${e('audit_log')} SELECT gen_random_uuid(), o, a, s, now() FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS x(o, a, s)`,
          [
            [...ids, ...cancelled.map((c) => c.organization_id)],
            [...ids.map(() => 'organization.start_offboarding'), ...cancelled.map(() => 'entitlement.cancel')],
            [...ids, ...cancelled.map((c) => c.id)],
          ],
        );
        const byOrganization = new Map<string, typeof cancelled>();
        for (const row of cancelled) byOrganization.set(row.organization_id, [...(byOrganization.get(row.organization_id) ?? []), row]);
        // Per organization in the product's order: started, then each cancellation, each followed by its audit record.
        return ids.flatMap((organizationId): PlainEvent[] => [
          { type: 'offboarding_started', organizationId },
          { type: 'audit_recorded', organizationId },
          ...(byOrganization.get(organizationId) ?? [])
            .sort((a, b) => b.remaining - a.remaining)
            .flatMap((row): PlainEvent[] => [
              { type: 'entitlement_cancelled', organizationId, entitlementId: row.id, remaining: row.remaining },
              { type: 'audit_recorded', organizationId },
            ]),
          { type: 'offboarding_entitlements_cancelled', organizationId },
        ]);
      });
      await sendAll(fromEntitlements, events);
      await finished;
      const ms = performance.now() - started;

      check(licencesCancelled === n * PER_ORGANIZATION, `baseline cancelled ${licencesCancelled} licences, expected ${n * PER_ORGANIZATION}`);
      const orgs = [seed.organizations];
      const expectCount = async (dataSource: DataSource, what: string, sql: string, wanted: number) => {
        const found = await count(dataSource, sql, orgs);
        check(found === wanted, `baseline ${what}: ${found}, expected ${wanted}`);
      };
      await expectCount(ent.dataSource, 'organizations OFFBOARDING', `SELECT count(*) AS n FROM ${e('organizations')} WHERE id = ANY($1) AND status = 'OFFBOARDING' AND cancelled_at IS NOT NULL`, n);
      await expectCount(ent.dataSource, 'entitlements CANCELLED', `SELECT count(*) AS n FROM ${e('entitlements')} WHERE organization_id = ANY($1) AND status = 'CANCELLED'`, n * PER_ORGANIZATION);
      await expectCount(ent.dataSource, 'audit entries', `SELECT count(*) AS n FROM ${e('audit_log')} WHERE organization_id = ANY($1)`, n * (1 + PER_ORGANIZATION));
      await expectCount(prov.dataSource, 'licences CANCELLED', `SELECT count(*) AS n FROM ${p('licenses')} WHERE organization_id = ANY($1) AND status = 'CANCELLED'`, n * PER_ORGANIZATION);
      await expectCount(ret.dataSource, 'milestones DONE', `SELECT count(*) AS n FROM ${r('timeline_milestones')} WHERE organization_id = ANY($1) AND milestone = 'ENTITLEMENTS_CANCELLED' AND status = 'DONE'`, n);
      await expectCount(ret.dataSource, 'audit trail entries', `SELECT count(*) AS n FROM ${r('audit_entries')} WHERE organization_id = ANY($1)`, expected);
      return ms;
    },
    close,
  };
}
