import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic, Topics } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { createKafka, EventConsumer, toKafkaMessage } from '@offboarding/messaging';
import { waitFor } from '@offboarding/testing';
import { entitlementEvents, openProvisioningKit, type ProvisioningKit } from './provisioning-test-kit';

describe('events the service cannot apply (database + dev broker)', () => {
  let kit: ProvisioningKit;
  let broker: DevBroker;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: EventConsumer;
  let letterReader: Consumer;
  const letters: KafkaMessage[] = [];

  beforeAll(async () => {
    [kit, broker] = await Promise.all([openProvisioningKit(), startDevBroker({ port: 0 })]);
    kafka = createKafka({
      clientId: 'provisioning-dlq-test',
      brokers: [broker.brokers],
      logger: kit.logger,
      connectionTimeout: 1_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    producer = kafka.producer();
    await producer.connect();
    consumer = new EventConsumer({
      service: 'provisioning',
      kafka,
      dataSource: kit.dataSource,
      topics: kit.registry.topics('provisioning'),
      handlers: kit.registry.all(),
      logger: kit.logger,
      retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
    });
    await consumer.start();
    letterReader = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 250 });
    await letterReader.connect();
    await letterReader.subscribe({ topics: [deadLetterTopic('provisioning')], fromBeginning: true });
    await letterReader.run({
      eachMessage: ({ message }) => {
        letters.push(message);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await letterReader?.disconnect();
    await producer?.disconnect();
    await kit?.close();
    await broker?.close();
  });

  it('dead-letters a lifecycle event for an unknown entitlement after its retries and goes on with the next', async () => {
    const organizationId = randomUUID();
    const stranger = entitlementEvents(organizationId, 'SVC');
    const known = entitlementEvents(organizationId, 'PLG');
    const orphan = stranger.cancelled();
    const next = known.granted();

    // Same key, same partition: the grant is only reached once the orphan has been dealt with.
    await producer.send({ topic: Topics.entitlements, acks: -1, messages: [toKafkaMessage(orphan), toKafkaMessage(next)] });

    await waitFor(async () => (await kit.licenses.listForOrganization(organizationId)).length === 1, {
      timeoutMs: 30_000,
      description: 'the event after the orphan to be applied',
    });
    const letter = await waitFor(() => letters.find((m) => m.headers?.ce_id?.toString() === orphan.id), {
      timeoutMs: 30_000,
      description: 'the orphan on the dead-letter topic',
    });
    const headers = Object.fromEntries(Object.entries(letter.headers ?? {}).map(([name, value]) => [name, String(value)]));
    expect(headers).toMatchObject({
      ce_type: 'com.offboarding.entitlements.entitlement_cancelled.v1',
      dlq_error_type: 'UnknownEntitlementError',
      dlq_error: `entitlement ${stranger.entitlementId} was never granted to this service`,
      dlq_attempts: '3',
      dlq_original_topic: Topics.entitlements,
    });
    expect(letter.key?.toString()).toBe(organizationId);
    expect(await kit.count('known_entitlements', organizationId)).toBe(1);
    expect((await kit.outbox(organizationId)).map((e) => e.type)).toEqual([
      'com.offboarding.provisioning.license_issued.v1',
      'com.offboarding.provisioning.resources_provisioned.v1',
    ]);
  });
});
