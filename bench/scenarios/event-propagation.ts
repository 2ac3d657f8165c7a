import { randomUUID } from 'node:crypto';
import { type Consumer, type Kafka, logLevel, type Producer } from 'kafkajs';
import { CancellationReason, EntitlementClass, OrganizationType } from '@offboarding/contracts';
import { createKafka } from '@offboarding/messaging';
import { EntitlementsService } from '../../apps/entitlements/src/entitlements/entitlements.service';
import { OrganizationsService } from '../../apps/entitlements/src/organizations/organizations.service';
import { type BenchContext, check, interleaved, percentile, type RoundResult, type Scenario } from '../harness';
import { appliedCount, type ServiceStack, startServices } from '../services';

const CANCELS = 200;
const PER_ORGANIZATION = 10;
const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';
const CANCELLED = 'com.offboarding.entitlements.entitlement_cancelled.v1';
const ACTOR = 'bench:event-propagation';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

// The services boot once per run; every round seeds and cancels entitlements of its own.
let stack: ServiceStack | null = null;

function latencies(ms: number[]) {
  return {
    p95: { unit: 'ms', value: percentile(ms, 95) },
    p50: { unit: 'ms', value: percentile(ms, 50) },
  };
}

/**
 * Cancel an entitlement → licence CANCELLED in provisioning's database, committed: the whole
 * product path (entitlements' transaction with its outbox row, the relay woken by the commit,
 * Kafka, provisioning's inbox consumer) against the same hops done by hand.
 */
export const eventPropagationScenario: Scenario = {
  name: 'event propagation (cancel → licence cancelled)',
  describe: (scale) => ({
    ours: `${Math.max(30, Math.round(CANCELS * scale))} sequential cancelEntitlement calls on the entitlements service, each timed until provisioning's consumer committed the licence CANCELLED (outbox, relay, Kafka, inbox)`,
    baseline: 'per cancel: a raw UPDATE of the entitlement row (commit), kafkajs producer.send (acks -1), a kafkajs consumer receiving it and a raw UPDATE of the licence row (commit); same broker and database server',
  }),
  target: { figure: 'p95', max: 2 },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const count = Math.max(30, Math.round(CANCELS * context.scale));
    stack ??= await startServices(context, ['entitlements', 'provisioning']);
    const services = stack;
    const entitlements = services.app('entitlements').get(EntitlementsService);
    const organizations = services.app('entitlements').get(OrganizationsService);
    const licenses = services.table('provisioning', 'licenses');

    // Seeding goes through the product too: provisioning issues each licence from the grant event.
    const issued = appliedCount(services, 'provisioning', count + 1, [GRANTED]);
    const granted: string[] = [];
    for (let i = 0; i <= count; i += PER_ORGANIZATION) {
      const organization = await organizations.create({ name: `Propagation ${index}-${i}`, type: OrganizationType.CUSTOMER, actor: ACTOR });
      for (let j = i; j < Math.min(i + PER_ORGANIZATION, count + 1); j += 1) {
        granted.push((await entitlements.grant({ organizationId: organization.id, class: EntitlementClass.PLG, product: 'SEO Plugin Pro', actor: ACTOR })).id);
      }
    }
    await issued.done;

    const baseline = await openBaseline(context, count + 1);
    try {
      const ours = async () => {
        const ms: number[] = [];
        // The first cancel is a warm-up, as the baseline's first message is.
        for (const [i, entitlementId] of granted.entries()) {
          const applied = appliedCount(services, 'provisioning', 1, [CANCELLED]);
          const started = performance.now();
          await entitlements.cancel({ entitlementId, reason: CancellationReason.CUSTOMER_REQUEST, actor: ACTOR });
          await applied.done;
          if (i > 0) ms.push(performance.now() - started);
        }
        const [row] = await services
          .dataSource('provisioning')
          .query<{ n: string }[]>(`SELECT count(*) AS n FROM ${licenses} WHERE entitlement_id = ANY($1::uuid[]) AND status = 'CANCELLED' AND cancelled_at IS NOT NULL`, [granted]);
        check(Number(row.n) === granted.length, `all ${granted.length} licences CANCELLED in provisioning (found ${row.n})`);
        return latencies(ms);
      };
      const plain = async () => {
        const ms = await baseline.run();
        return latencies(ms);
      };
      return await interleaved(index, ours, plain);
    } finally {
      await baseline.close();
    }
  },
  async teardown() {
    await stack?.close();
    stack = null;
  },
};

/** Two tables in two databases (schemas) of the same server, a topic of their own, a plain producer and consumer. */
async function openBaseline(context: BenchContext, count: number) {
  const source = await context.openDatabase('bench_entitlements', { entities: [], migrations: [] });
  const target = await context.openDatabase('bench_provisioning', { entities: [], migrations: [] });
  const kafka: Kafka = createKafka({ clientId: 'bench-propagation', brokers: [context.kafkaBrokers], logger: silent, logLevel: logLevel.NOTHING });
  const topic = `bench.propagation.${randomUUID()}`;
  const entitlementsTable = `"${source.schema}".entitlements`;
  const licensesTable = `"${target.schema}".licenses`;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  const waiting = new Map<string, () => void>();
  const ids = Array.from({ length: count }, () => randomUUID());
  try {
    await source.dataSource.query(`CREATE TABLE ${entitlementsTable} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL, cancelled_at timestamptz)`);
    await target.dataSource.query(`CREATE TABLE ${licensesTable} (id uuid PRIMARY KEY, entitlement_id uuid NOT NULL UNIQUE, status text NOT NULL, cancelled_at timestamptz)`);
    await source.dataSource.query(`INSERT INTO ${entitlementsTable} (id, organization_id, status) SELECT id, gen_random_uuid(), 'ACTIVE' FROM unnest($1::uuid[]) AS id`, [ids]);
    await target.dataSource.query(`INSERT INTO ${licensesTable} (id, entitlement_id, status) SELECT gen_random_uuid(), id, 'ACTIVE' FROM unnest($1::uuid[]) AS id`, [ids]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
    // The same long-poll wait as the product's consumer.
    consumer = kafka.consumer({ groupId: `bench-propagation-${randomUUID()}`, maxWaitTimeInMs: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const { entitlementId } = JSON.parse(message.value!.toString()) as { entitlementId: string };
        await target.dataSource.query(`UPDATE ${licensesTable} SET status = 'CANCELLED', cancelled_at = now() WHERE entitlement_id = $1`, [entitlementId]);
        waiting.get(entitlementId)?.();
      },
    });
  } catch (error) {
    await consumer?.disconnect();
    await producer?.disconnect();
    await source.drop();
    await target.drop();
    throw error;
  }
  const send = producer;
  return {
    async run(): Promise<number[]> {
      const ms: number[] = [];
      for (const [i, id] of ids.entries()) {
        const applied = new Promise<void>((resolve) => waiting.set(id, resolve));
        const started = performance.now();
        // TypeORM answers an UPDATE with [rows, affected count].
        const [[row]] = await source.dataSource.query<[{ organization_id: string }[], number]>(
          `UPDATE ${entitlementsTable} SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1 RETURNING organization_id`,
          [id],
        );
        check(typeof row?.organization_id === 'string', `the baseline's entitlement ${id} was updated and names its organization`);
        await send.send({ topic, acks: -1, messages: [{ key: row.organization_id, value: JSON.stringify({ entitlementId: id, organizationId: row.organization_id }) }] });
        await applied;
        // The first message waits for the group to be joined: a warm-up, not counted.
        if (i > 0) ms.push(performance.now() - started);
        waiting.delete(id);
      }
      const [done] = await target.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${licensesTable} WHERE status = 'CANCELLED' AND cancelled_at IS NOT NULL`);
      check(Number(done.n) === count, `all ${count} licences CANCELLED by the baseline (found ${done.n})`);
      return ms;
    },
    async close() {
      await consumer?.disconnect();
      await send.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await source.drop();
      await target.drop();
    },
  };
}
