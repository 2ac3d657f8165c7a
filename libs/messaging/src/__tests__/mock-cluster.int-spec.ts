import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Topics, type EventPayload } from '@offboarding/contracts';
import { schemaOf } from '@offboarding/persistence';
import { describeWithKcat, type MockKafkaCluster, startMockKafkaCluster, waitFor } from '@offboarding/testing';
import { EventConsumer } from '../event-consumer';
import { createKafka, createOutboxProducer } from '../kafka';
import { Outbox } from '../outbox';
import { OutboxRelay } from '../outbox-relay';
import { UnitOfWork } from '../unit-of-work';
import { openTestDatabase, recordingLogger } from './messaging-test-kit';

class CreateApplied1732000000003 implements MigrationInterface {
  name = 'CreateApplied1732000000003';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${schemaOf(q)}.applied (entitlement_id uuid PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${schemaOf(q)}.applied`);
  }
}

const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';

// Events on an independent broker: librdkafka's mock cluster (three brokers inside a kcat
// process). Its Metadata answers name controller 0, a broker it does not have (its brokers are
// 1–3), which kafkajs needs for the idempotent producer's first request; with createKafka's
// fallback the outbox relay publishes, the event consumer applies through its inbox and commits,
// and kcat, another librdkafka client, reads the CloudEvents back.
describeWithKcat("outbox and consumer on librdkafka's mock cluster", () => {
  let cluster: MockKafkaCluster;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let kafka: Kafka;
  const logger = recordingLogger();

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startMockKafkaCluster(3), openTestDatabase('mockcluster', [CreateApplied1732000000003])]);
    kafka = createKafka({ clientId: 'mock-cluster-test', brokers: cluster.brokers, logger, connectionTimeout: 3_000 });
  });

  afterAll(async () => {
    await db?.drop();
    await cluster?.stop();
  });

  it('names a controller that is none of its brokers (the cause of "Broker 0 not found in the cached metadata")', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeCluster();
      expect(described.brokers.map((broker) => broker.nodeId).sort()).toEqual([1, 2, 3]);
      expect(described.controller).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('publishes through the outbox relay, applies through the event consumer, and kcat reads the events back', async () => {
    const relay = new OutboxRelay({ dataSource: db.dataSource, producer: createOutboxProducer(kafka), logger, pollIntervalMs: 100 });
    const work = new UnitOfWork(db.dataSource, new Outbox('entitlements'), relay);
    const consumer = new EventConsumer({
      service: 'provisioning',
      kafka,
      dataSource: db.dataSource,
      topics: [Topics.entitlements],
      groupId: `mock-cluster-${randomUUID()}`,
      logger,
      handlers: {
        [GRANTED]: async (event, manager) => {
          await manager.query(`INSERT INTO "${db.schema}".applied (entitlement_id) VALUES ($1)`, [event.data.entitlementId]);
        },
      },
    });
    relay.start();
    await consumer.start();
    try {
      const organizationId = randomUUID();
      const grants: EventPayload<typeof GRANTED>[] = Array.from({ length: 5 }, (_, i) => ({
        organizationId,
        entitlementId: randomUUID(),
        class: 'PLG',
        product: `plan ${i}`,
        grantedAt: new Date().toISOString(),
      }));
      for (const grant of grants) await work.run(({ publish }) => publish(GRANTED, organizationId, grant));

      await waitFor(
        async () => Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".outbox WHERE sent_at IS NULL`))[0].n) === 0,
        { timeoutMs: 30_000, description: 'the outbox to be published to the mock cluster' },
      );
      expect(relay.health().failing).toBe(false);
      await waitFor(
        async () => Number((await db.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${db.schema}".applied`))[0].n) === grants.length,
        { timeoutMs: 60_000, description: 'the consumer to apply every event' },
      );

      const { stdout } = await promisify(execFile)('kcat', ['-C', '-b', cluster.brokers.join(','), '-t', Topics.entitlements, '-o', 'beginning', '-e', '-J', '-q'], {
        timeout: 30_000,
      });
      const read = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { key: string; headers: string[]; payload: string });
      const products = read.filter((message) => message.key === organizationId).map((message) => (JSON.parse(message.payload) as { product: string }).product);
      expect(products).toEqual(grants.map((grant) => grant.product));
      expect(read[0].headers).toEqual(expect.arrayContaining(['ce_type', GRANTED, 'ce_subject', organizationId]));
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });
});
