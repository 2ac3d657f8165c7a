import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { readBatchHeader, splitBatches } from '../protocol/record-batch';
import { FAST_CONSUMER, kafkaClient, removeDir, startTestBroker, waitFor, type TestBroker } from './support/harness';

jest.setTimeout(45_000);

interface Received {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function toReceived({ partition, message }: EachMessagePayload): Received {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
  return { partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers };
}

describe('dev broker with kafkajs', () => {
  let env: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    env = await startTestBroker();
    kafka = kafkaClient(env.broker.brokers);
    admin = kafka.admin();
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await Promise.all(producers.splice(0).map((p) => p.disconnect()));
  });

  afterAll(async () => {
    await admin.disconnect();
    await env.broker.close();
    await removeDir(env.dataDir);
  });

  async function producer(idempotent = false): Promise<Producer> {
    const p = kafka.producer(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : { allowAutoTopicCreation: true });
    producers.push(p);
    await p.connect();
    return p;
  }

  async function consume(groupId: string, topic: string, fromBeginning: boolean, sink: Received[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    await consumer.run({
      eachMessage: async (payload) => {
        sink.push(toReceived(payload));
        return Promise.resolve();
      },
    });
    return consumer;
  }

  it('creates, lists, describes and deletes topics through the admin client', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'admin-topic', numPartitions: 5 }] })).toBe(true);
    // kafkajs reports false for a topic that already exists.
    expect(await admin.createTopics({ topics: [{ topic: 'admin-topic', numPartitions: 5 }] })).toBe(false);
    expect(await admin.listTopics()).toContain('admin-topic');
    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-topic'] });
    expect(topics).toHaveLength(1);
    expect(topics[0].name).toBe('admin-topic');
    expect(topics[0].partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr])).toEqual(
      [0, 1, 2, 3, 4].map((id) => [id, 1, [1], [1]]),
    );
    await expect(admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 1, replicationFactor: 3 }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR', topic: 'replicated' })],
    });
    await admin.deleteTopics({ topics: ['admin-topic'] });
    await waitFor('the deleted topic to disappear', async () => !(await admin.listTopics()).includes('admin-topic'));
  });

  it('auto-creates an unknown topic with the default partition count when a producer asks for it', async () => {
    const p = await producer();
    await p.send({ topic: 'auto-created', messages: [{ value: 'hello' }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
    expect(topics[0].partitions).toHaveLength(3);
  });

  it('produces with acks=-1 across partitions and consumes every record with its key and headers', async () => {
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 4 }] });
    const p = await producer();
    const sent = Array.from({ length: 40 }, (_, i) => ({
      key: `customer-${i % 7}`,
      value: JSON.stringify({ order: i }),
      headers: { 'x-trace-id': `trace-${i}`, 'x-source': 'kafkajs' },
    }));
    const results = await p.send({ topic: 'orders', acks: -1, messages: sent });
    expect(results.every((r) => r.errorCode === 0)).toBe(true);
    expect(new Set(results.map((r) => r.partition)).size).toBeGreaterThan(1);

    const received: Received[] = [];
    await consume('orders-reader', 'orders', true, received);
    await waitFor('all 40 orders to be consumed', () => received.length >= 40);
    expect(received).toHaveLength(40);

    const byValue = new Map(received.map((r) => [r.value, r]));
    for (const [i, message] of sent.entries()) {
      const got = byValue.get(message.value);
      expect(got).toMatchObject({ key: message.key, headers: { 'x-trace-id': `trace-${i}`, 'x-source': 'kafkajs' } });
    }
    // Same key, same partition; and offsets within a partition are dense and ordered.
    for (const key of new Set(sent.map((m) => m.key))) {
      expect(new Set(received.filter((r) => r.key === key).map((r) => r.partition)).size).toBe(1);
    }
    for (const partition of new Set(received.map((r) => r.partition))) {
      const offsets = received.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const highWatermarks = await admin.fetchTopicOffsets('orders');
    expect(highWatermarks.reduce((sum, p) => sum + Number(p.high), 0)).toBe(40);
  });

  it('supports the idempotent producer (InitProducerId and sequenced batches, stored with the producer id)', async () => {
    await admin.createTopics({ topics: [{ topic: 'idempotent', numPartitions: 2 }] });
    const p = await producer(true);
    for (let batch = 0; batch < 5; batch++) {
      await p.send({
        topic: 'idempotent',
        acks: -1,
        messages: Array.from({ length: 4 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `batch-${batch}-${i}` })),
      });
    }
    const received: Received[] = [];
    await consume('idempotent-reader', 'idempotent', true, received);
    await waitFor('all 20 idempotent records', () => received.length >= 20);
    expect(new Set(received.map((r) => r.value)).size).toBe(20);

    // The stored batches carry the producer id and consecutive sequence numbers.
    const log = await fs.readFile(join(env.dataDir, 'topics', 'idempotent', '0.log'));
    const headers = splitBatches(log).map((b) => readBatchHeader(b));
    expect(headers).toHaveLength(5);
    expect(new Set(headers.map((h) => h.producerId)).size).toBe(1);
    expect(headers[0].producerId).toBeGreaterThan(0);
    expect(headers.map((h) => h.baseSequence)).toEqual([0, 2, 4, 6, 8]);
    expect(headers.map((h) => h.baseOffset)).toEqual([0, 2, 4, 6, 8]);
  });

  it('starts a new group at the latest offset unless fromBeginning is set', async () => {
    await admin.createTopics({ topics: [{ topic: 'positions', numPartitions: 2 }] });
    const p = await producer();
    await p.send({ topic: 'positions', messages: Array.from({ length: 6 }, (_, i) => ({ value: `old-${i}` })) });

    const fromStart: Received[] = [];
    await consume('positions-from-start', 'positions', true, fromStart);
    const latest: Received[] = [];
    const latestConsumer = await consume('positions-latest', 'positions', false, latest);
    // The latest-offset consumer has resolved its positions once it has fetched both partitions.
    let fetched = false;
    latestConsumer.on(latestConsumer.events.FETCH, () => (fetched = true));
    await waitFor('the latest-offset consumer to start fetching', () => fetched);
    await waitFor('the from-beginning consumer to see the old records', () => fromStart.length >= 6);

    await p.send({ topic: 'positions', messages: Array.from({ length: 4 }, (_, i) => ({ value: `new-${i}` })) });
    await waitFor('both consumers to see the new records', () => fromStart.length >= 10 && latest.length >= 4);
    expect(latest.map((r) => r.value).sort()).toEqual(['new-0', 'new-1', 'new-2', 'new-3']);
    expect(fromStart).toHaveLength(10);
  });

  it('commits and fetches offsets, and a consumer resumes after the committed position', async () => {
    await admin.createTopics({ topics: [{ topic: 'ledger', numPartitions: 1 }] });
    const p = await producer();
    await p.send({ topic: 'ledger', messages: Array.from({ length: 10 }, (_, i) => ({ value: `entry-${i}` })) });

    // Manual commits: commit after the 4th record only.
    const first: Received[] = [];
    const manual = kafka.consumer({ groupId: 'ledger-group', ...FAST_CONSUMER });
    consumers.push(manual);
    await manual.connect();
    await manual.subscribe({ topic: 'ledger', fromBeginning: true });
    await manual.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        first.push(toReceived(payload));
        if (payload.message.offset === '3') {
          await manual.commitOffsets([{ topic: 'ledger', partition: 0, offset: '4' }]);
        }
      },
    });
    await waitFor('the first consumer to read all entries', () => first.length >= 10);
    await waitFor('the commit to be visible', async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'ledger-group', topics: ['ledger'] });
      return committed.partitions[0].offset === '4';
    });
    await manual.disconnect();
    consumers.splice(consumers.indexOf(manual), 1);

    // Nobody is in the group now, so admin may move the position. (kafkajs does this by joining the
    // group with a paused consumer and waiting for its first fetch, which costs its default 5 s max wait.)
    await admin.setOffsets({ groupId: 'ledger-group', topic: 'ledger', partitions: [{ partition: 0, offset: '6' }] });
    const [moved] = await admin.fetchOffsets({ groupId: 'ledger-group', topics: ['ledger'] });
    expect(moved.partitions).toEqual([{ partition: 0, offset: '6', metadata: null }]);

    // ... and the next member of the group resumes exactly there.
    const second: Received[] = [];
    await consume('ledger-group', 'ledger', true, second);
    await waitFor('the second consumer to read the remainder', () => second.length >= 4);
    await waitFor('the group to commit its progress', async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'ledger-group', topics: ['ledger'] });
      return committed.partitions[0].offset === '10';
    });
    expect(second.map((r) => r.value)).toEqual(['entry-6', 'entry-7', 'entry-8', 'entry-9']);
    const groups = await admin.listGroups();
    expect(groups.groups).toContainEqual({ groupId: 'ledger-group', protocolType: 'consumer' });
  });

  it('resolves offsets by timestamp (ListOffsets with a time)', async () => {
    await admin.createTopics({ topics: [{ topic: 'timeline', numPartitions: 1 }] });
    const p = await producer();
    const base = Date.now() - 60_000;
    await p.send({
      topic: 'timeline',
      messages: [0, 10, 20, 30].map((s) => ({ value: `t+${s}`, timestamp: String(base + s * 1000) })),
    });
    const [at] = await admin.fetchTopicOffsetsByTimestamp('timeline', base + 15_000);
    expect(at).toEqual({ partition: 0, offset: '2' });
  });
});
