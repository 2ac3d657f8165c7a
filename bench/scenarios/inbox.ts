import { randomUUID } from 'node:crypto';
import { logLevel } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { eventSource } from '@offboarding/contracts';
import { createKafka, EventConsumer, type EventEnvelope, MessagingTables1732000000000, toKafkaMessage } from '@offboarding/messaging';
import { type BenchContext, check, interleaved, type RoundResult, type Scenario } from '../harness';

const EVENTS = 5_000;
const TYPE = 'com.offboarding.entitlements.entitlement_granted.v1';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Idempotent consumption: our EventConsumer (inbox row + handler in one transaction) vs a plain kafkajs consumer running the same handler. */
export const inboxScenario: Scenario = {
  name: 'idempotent consumption (inbox)',
  describe: (scale) => ({
    ours: `steady-state rate (first to last event applied) of the EventConsumer applying ${Math.round(EVENTS * scale)} events: decode, validate, inbox insert and handler in one transaction`,
    baseline: 'kafkajs consumer on the same topic running the same handler in a transaction, without the inbox',
  }),
  target: { min: 0.8 },
  async round(context: BenchContext, index: number): Promise<RoundResult> {
    const count = Math.max(500, Math.round(EVENTS * context.scale));
    const db = await context.openDatabase('provisioning', { entities: [], migrations: [MessagingTables1732000000000] });
    const kafka = createKafka({ clientId: 'bench-inbox', brokers: [context.kafkaBrokers], logger: silent, logLevel: logLevel.NOTHING });
    const topic = `bench.inbox.${randomUUID()}`;
    try {
      await db.dataSource.query(`CREATE TABLE "${db.schema}".applied (entitlement_id uuid PRIMARY KEY, product text NOT NULL, side text NOT NULL)`);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const organizations = Array.from({ length: 50 }, () => randomUUID());
      const events: EventEnvelope<typeof TYPE>[] = Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        type: TYPE,
        source: eventSource('entitlements'),
        subject: organizations[i % organizations.length],
        time: new Date().toISOString(),
        specversion: '1.0',
        data: {
          organizationId: organizations[i % organizations.length],
          entitlementId: randomUUID(),
          class: 'PLG',
          product: `plan ${i}`,
          grantedAt: new Date().toISOString(),
        },
      }));
      for (let i = 0; i < events.length; i += 500) {
        await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((event) => toKafkaMessage(event)) });
      }
      await producer.disconnect();

      const apply = (manager: EntityManager, data: { entitlementId: string; product: string }, side: string) =>
        manager.query(`INSERT INTO "${db.schema}".applied (entitlement_id, product, side) VALUES ($1, $2, $3) ON CONFLICT (entitlement_id) DO UPDATE SET side = EXCLUDED.side`, [
          data.entitlementId,
          data.product,
          side,
        ]);
      const appliedBy = async (side: string) =>
        Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".applied WHERE side = $1`, [side]))[0].n);

      const ours = async () => {
        let committed = 0;
        let first = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const consumer = new EventConsumer({
          service: 'provisioning',
          kafka,
          dataSource: db.dataSource,
          topics: [topic],
          groupId: `bench-ours-${randomUUID()}`,
          logger: silent,
          handlers: { [TYPE]: (event, manager) => apply(manager, event.data, 'ours').then(() => undefined) },
          onCommitted: () => {
            committed += 1;
            if (committed === 1) first = performance.now();
            if (committed === count) done();
          },
        });
        await consumer.start();
        await finished;
        // Steady state: from the first event applied to the last, without joining the group.
        const ms = performance.now() - first;
        await consumer.stop();
        check((await appliedBy('ours')) === count, `all ${count} events applied once by the EventConsumer`);
        return { throughput: { unit: 'events/s', value: ((count - 1) / ms) * 1000 } };
      };
      const baseline = async () => {
        let applied = 0;
        let first = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const consumer = kafka.consumer({ groupId: `bench-baseline-${randomUUID()}`, maxWaitTimeInMs: 1000 });
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            const data = (JSON.parse(message.value!.toString()) as { entitlementId: string; product: string });
            await db.dataSource.transaction((manager) => apply(manager, data, 'baseline'));
            applied += 1;
            if (applied === 1) first = performance.now();
            if (applied === count) done();
          },
        });
        await finished;
        const ms = performance.now() - first;
        await consumer.disconnect();
        check((await appliedBy('baseline')) === count, `all ${count} events applied by the plain consumer`);
        return { throughput: { unit: 'events/s', value: ((count - 1) / ms) * 1000 } };
      };
      return await interleaved(index, ours, baseline);
    } finally {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await db.drop();
    }
  },
};
