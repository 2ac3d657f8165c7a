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

// NOTIFY reaches other connections only on a real server (PGlite has one connection, where the
// relay is woken in-process). CI runs this file only with TEST_DATABASE_URL set.

const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';
/** Far longer than the test may take: a publish before it can only come from the NOTIFY. */
const POLL_INTERVAL_MS = 10 * 60_000;

describe('an outbox relay in another process wakes on the commit (real PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let writer: Awaited<ReturnType<typeof openTestDatabase>>;
  let replica: ServiceDatabase;
  let broker: DevBroker;
  let kafka: Kafka;
  let relay: OutboxRelay | undefined;
  const logger = recordingLogger();

  beforeAll(async () => {
    const url = requireRealPostgres();
    [writer, broker] = await Promise.all([openTestDatabase('notify'), startDevBroker({ port: 0 })]);
    // Another pool on the same schema, as a second replica of the service has.
    replica = await openServiceDatabase({ service: 'notify', schema: writer.schema, entities: [], migrations: [], target: { kind: 'postgres', url } });
    kafka = testKafka(broker.brokers, logger);
  });

  afterAll(async () => {
    await relay?.stop();
    await replica?.close();
    await writer?.drop();
    await broker?.close();
  });

  it('publishes an event committed on another connection at once, without waiting for its poll interval', async () => {
    const reader = await topicReader(kafka, [Topics.entitlements]);
    relay = new OutboxRelay({ dataSource: replica.dataSource, producer: createOutboxProducer(kafka), logger, pollIntervalMs: POLL_INTERVAL_MS, listen: true });
    relay.start();
    const listening = relay;
    await waitFor(() => Promise.resolve(listening.listeningForCommits), { timeoutMs: 20_000, description: 'the relay to listen' });
    // Its first rounds (at start and on listening) found nothing; it now sleeps for ten minutes.
    await waitFor(async () => (await listening.relayOnce()) === 0, { timeoutMs: 20_000, description: 'an idle relay' });

    // Written through another pool, with no relay of its own to wake in-process.
    const organizationId = randomUUID();
    const committedAt = Date.now();
    await new UnitOfWork(writer.dataSource, new Outbox('entitlements')).run(({ publish }) =>
      publish(GRANTED, organizationId, { organizationId, entitlementId: randomUUID(), class: 'PLG', product: 'notified', grantedAt: new Date().toISOString() }),
    );
    try {
      await waitFor(() => Promise.resolve(reader.messages.some((message) => message.message.key?.toString() === organizationId)), {
        timeoutMs: 20_000,
        description: 'the event to be published',
      });
    } finally {
      await reader.close();
    }
    expect(Date.now() - committedAt).toBeLessThan(POLL_INTERVAL_MS);
    const [row] = await writer.dataSource.query<{ sent: boolean }[]>(`SELECT sent_at IS NOT NULL AS sent FROM "${writer.schema}".outbox WHERE message_key = $1`, [
      organizationId,
    ]);
    expect(row.sent).toBe(true);
  });

  it('keeps listening after its connection is cut, and still publishes on the next commit', async () => {
    const listening = relay!;
    await writer.dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'outbox-relay-listener' AND pid <> pg_backend_pid()`);
    await waitFor(() => Promise.resolve(!listening.listeningForCommits), { timeoutMs: 20_000, description: 'the listener to notice' });
    await waitFor(() => Promise.resolve(listening.listeningForCommits), { timeoutMs: 20_000, description: 'the listener to reconnect' });
    const reader = await topicReader(kafka, [Topics.entitlements]);
    const organizationId = randomUUID();
    await new UnitOfWork(writer.dataSource, new Outbox('entitlements')).run(({ publish }) =>
      publish(GRANTED, organizationId, { organizationId, entitlementId: randomUUID(), class: 'PLG', product: 'after reconnect', grantedAt: new Date().toISOString() }),
    );
    try {
      await waitFor(() => Promise.resolve(reader.messages.some((message) => message.message.key?.toString() === organizationId)), {
        timeoutMs: 20_000,
        description: 'the event to be published after the reconnect',
      });
    } finally {
      await reader.close();
    }
  });
});
