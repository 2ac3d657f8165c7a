import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { FAST_CONSUMER, kafkaClient, removeDir, startTestBroker, waitFor, type TestBroker } from './support/harness';

jest.setTimeout(55_000);

const TOPIC = 'group-orders';
const GROUP = 'order-processors';
const PARTITIONS = 6;

interface Consumed {
  member: string;
  partition: number;
  offset: number;
  value: string;
}

/**
 * A kafkajs consumer group whose membership changes in phases. Each phase produces a batch only
 * after the rebalance has settled and checks that the batch was consumed by the members owning
 * each partition; between phases everything is committed, so across all phases every record must
 * be consumed exactly once.
 */
describe('kafkajs consumer group rebalancing on the dev broker', () => {
  let env: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const members = new Map<string, Consumer>();
  /** Latest assignment each member reported through GROUP_JOIN. */
  const assignments = new Map<string, number[]>();
  const consumed: Consumed[] = [];
  let produced = 0;

  beforeAll(async () => {
    env = await startTestBroker();
    kafka = kafkaClient(env.broker.brokers, 'group-test');
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all([...members.values()].map((m) => m.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
    await env.broker.close();
    await removeDir(env.dataDir);
  });

  async function join(name: string): Promise<void> {
    const consumer = kafka.consumer({ groupId: GROUP, ...FAST_CONSUMER });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assignments.set(name, [...(payload.memberAssignment[TOPIC] ?? [])].sort((a, b) => a - b));
    });
    members.set(name, consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        consumed.push({ member: name, partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
        return Promise.resolve();
      },
    });
  }

  async function leave(name: string): Promise<void> {
    const consumer = members.get(name);
    members.delete(name);
    assignments.delete(name);
    await consumer?.disconnect();
  }

  /** Settled when the current members' assignments are disjoint, cover every partition and are balanced. */
  async function settled(expectedSizes: number[]): Promise<Map<string, number[]>> {
    return waitFor(`the group to settle on ${members.size} members with sizes ${expectedSizes.join('/')}`, () => {
      const current = [...members.keys()].map((name) => assignments.get(name));
      if (current.some((a) => a === undefined)) return null;
      const all = current.flatMap((a) => a ?? []);
      const disjointAndComplete = all.length === PARTITIONS && new Set(all).size === PARTITIONS;
      const sizes = current.map((a) => a?.length ?? 0).sort();
      return disjointAndComplete && sizes.join() === [...expectedSizes].sort().join() ? new Map(assignments) : null;
    });
  }

  async function committedTotal(): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  /** Produces a batch spread over all partitions and checks it was consumed by the partitions' owners. */
  async function produceAndVerify(phase: string, owners: Map<string, number[]>): Promise<void> {
    const messages = Array.from({ length: 30 }, (_, i) => ({ partition: i % PARTITIONS, value: `${phase}-${i}` }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
    produced += messages.length;
    await waitFor(`phase ${phase}: every record consumed and committed`, async () => consumed.length >= produced && (await committedTotal()) === produced);
    for (const record of consumed.filter((c) => c.value.startsWith(`${phase}-`))) {
      expect(owners.get(record.member)).toContain(record.partition);
    }
  }

  it('redistributes partitions when members join and leave, delivering each record exactly once', async () => {
    await join('a');
    const alone = await settled([6]);
    expect(alone.get('a')).toEqual([0, 1, 2, 3, 4, 5]);
    await produceAndVerify('one-member', alone);

    await join('b');
    const two = await settled([3, 3]);
    await produceAndVerify('two-members', two);

    await join('c');
    const three = await settled([2, 2, 2]);
    await produceAndVerify('three-members', three);
    expect(new Set(consumed.filter((c) => c.value.startsWith('three-members-')).map((c) => c.member))).toEqual(new Set(['a', 'b', 'c']));

    await leave('c');
    const afterLeave = await settled([3, 3]);
    expect([...afterLeave.get('a')!, ...afterLeave.get('b')!].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await produceAndVerify('after-leave', afterLeave);

    // Every produced record was consumed once and only once, across all members and generations.
    const keys = consumed.map((c) => `${c.partition}:${c.offset}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(produced);
    expect(new Set(consumed.map((c) => c.value)).size).toBe(produced);

    const [description] = (await admin.describeGroups([GROUP])).groups;
    expect(description).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(description.members).toHaveLength(2);
  });
});
