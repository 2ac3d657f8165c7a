import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { openServiceDatabase, type ServiceDatabase } from '@offboarding/persistence';
import { requireRealPostgres, waitFor } from '@offboarding/testing';
import { createOutboxProducer } from '../kafka';
import { Outbox } from '../outbox';
import { OutboxRelay } from '../outbox-relay';
import { UnitOfWork } from '../unit-of-work';
import { openTestDatabase, recordingLogger, testKafka, topicReader } from './messaging-test-kit';

// Row locks and concurrent transactions need a real server: PGlite serializes connections, so
// two relays there could never overlap. CI runs this file only with TEST_DATABASE_URL set.

const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';
const ROWS = 1_000;
const KEYS = 20;

describe('two outbox relays over one outbox (real PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let second: ServiceDatabase;
  let broker: DevBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    const url = requireRealPostgres();
    [db, broker] = await Promise.all([openTestDatabase('relays'), startDevBroker({ port: 0 })]);
    // A second pool, as a second replica of the service would have.
    second = await openServiceDatabase({ service: 'relays', schema: db.schema, entities: [], migrations: [], target: { kind: 'postgres', url } });
    kafka = testKafka(broker.brokers, recordingLogger());
  });

  afterAll(async () => {
    await second?.close();
    await db?.drop();
    await broker?.close();
  });

  it('publishes every row exactly once and keeps each organization in order', async () => {
    const orgs = Array.from({ length: KEYS }, () => randomUUID());
    // A fixed scramble, so a key's rows are spread unevenly over the batches.
    const orgOf = (i: number) => orgs[(i * 7 + Math.floor(i / 13)) % KEYS];
    const work = new UnitOfWork(db.dataSource, new Outbox('entitlements'));
    const write = async (from: number, to: number) => {
      for (let start = from; start < to; start += 10) {
        await work.run(async ({ publish }) => {
          for (let i = start; i < Math.min(start + 10, to); i += 1) {
            const org = orgOf(i);
            await publish(GRANTED, org, {
              organizationId: org,
              entitlementId: randomUUID(),
              class: 'SVC',
              product: `n-${i}`,
              grantedAt: new Date().toISOString(),
            });
          }
        });
      }
    };

    const loggers = [recordingLogger(), recordingLogger()];
    const relays = [db.dataSource, second.dataSource].map(
      (dataSource, i) =>
        new OutboxRelay({ dataSource, producer: createOutboxProducer(kafka), logger: loggers[i], batchSize: 10, pollIntervalMs: 10 }),
    );
    const reader = await topicReader(kafka, [Topics.entitlements]);
    try {
      await write(0, ROWS / 2);
      relays.forEach((relay) => relay.start());
      // The rest arrives while both relays are busy.
      await write(ROWS / 2, ROWS);
      relays.forEach((relay) => relay.wake());

      await waitFor(
        async () => (await db.dataSource.query<unknown[]>(`SELECT 1 FROM "${db.schema}".outbox WHERE sent_at IS NULL LIMIT 1`)).length === 0,
        { timeoutMs: 45_000, description: 'both relays to drain the outbox' },
      );
      const received = await reader.waitFor(ROWS);

      const perId = new Map<string, number>();
      for (const m of received) perId.set(m.headers.ce_id, (perId.get(m.headers.ce_id) ?? 0) + 1);
      expect(perId.size).toBe(ROWS);
      expect([...perId.values()].filter((n) => n !== 1)).toEqual([]);

      for (const org of orgs) {
        const order = received
          .filter((m) => m.message.key?.toString() === org)
          .map((m) => Number((JSON.parse(m.message.value!.toString()) as { product: string }).product.slice(2)));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }

      const publishedBy = loggers.map((logger) =>
        logger.entries
          .filter((e) => e.msg === 'outbox relay round')
          .reduce((sum, e) => sum + (e.obj as { published: number }).published, 0),
      );
      expect(publishedBy[0] + publishedBy[1]).toBe(ROWS);
      // Both took part; otherwise this would prove nothing about concurrency.
      expect(Math.min(...publishedBy)).toBeGreaterThan(0);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
      await reader.close();
    }
  });
});
