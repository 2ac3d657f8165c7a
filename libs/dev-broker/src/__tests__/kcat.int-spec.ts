import { AssignerProtocol, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import {
  FAST_CONSUMER,
  KcatProcess,
  kafkaClient,
  removeDir,
  requireKcat,
  runKcat,
  startTestBroker,
  waitFor,
  type TestBroker,
} from './support/harness';
import { describeWithKcat } from '@offboarding/testing';

jest.setTimeout(50_000);

interface KcatJsonMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/**
 * librdkafka (through kcat) is an independent implementation of the client side of the protocol:
 * it negotiates versions differently from kafkajs (starting with a flexible ApiVersions v3) and
 * uses its own group assignors ("range", "roundrobin").
 */
describeWithKcat('dev broker with kcat (librdkafka)', () => {
  let env: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const kcats: KcatProcess[] = [];

  beforeAll(async () => {
    requireKcat();
    env = await startTestBroker();
    kafka = kafkaClient(env.broker.brokers, 'kcat-test');
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(kcats.splice(0).map((k) => k.stop('SIGKILL')));
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await env?.broker.close();
    if (env) await removeDir(env.dataDir);
  });

  const kcat = (...args: string[]): string[] => ['-b', env.broker.brokers, ...args];

  function parseJsonLines(stdout: string): KcatJsonMessage[] {
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as KcatJsonMessage);
  }

  function headerMap(headers: string[] | undefined): Record<string, string> {
    const map: Record<string, string> = {};
    for (let i = 0; headers && i < headers.length; i += 2) map[headers[i]] = headers[i + 1];
    return map;
  }

  it('serves metadata to kcat -L', async () => {
    await admin.createTopics({ topics: [{ topic: 'kcat-meta', numPartitions: 4 }] });
    const result = await runKcat(kcat('-L', '-J'));
    expect(result.code).toBe(0);
    const metadata = JSON.parse(result.stdout) as {
      controllerid: number;
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
    };
    expect(metadata.controllerid).toBe(1);
    expect(metadata.brokers).toEqual([{ id: 1, name: `localhost:${env.broker.port}` }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat-meta');
    expect(topic?.partitions).toEqual([0, 1, 2, 3].map((partition) => ({ partition, leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] })));
  });

  it('accepts records produced by kcat -P (keys and headers) and serves them to kafkajs', async () => {
    await admin.createTopics({ topics: [{ topic: 'from-kcat', numPartitions: 3 }] });
    const lines = Array.from({ length: 20 }, (_, i) => `key-${i % 5}:value-${i}`).join('\n') + '\n';
    const produced = await runKcat(kcat('-P', '-t', 'from-kcat', '-K', ':', '-H', 'source=kcat', '-H', 'tenant=acme'), lines);
    expect(produced.code).toBe(0);
    expect(produced.stderr).not.toMatch(/error|fail/i);

    const received: Array<{ partition: number; key: string; value: string; headers: Record<string, string> }> = [];
    const consumer = kafka.consumer({ groupId: 'reads-kcat-output', ...FAST_CONSUMER });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'from-kcat', fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        received.push({ partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
        return Promise.resolve();
      },
    });
    await waitFor('kafkajs to receive the 20 kcat records', () => received.length >= 20);
    expect(received).toHaveLength(20);
    expect(received.map((r) => r.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `value-${i}`).sort());
    for (const record of received) {
      const i = Number(record.value.split('-')[1]);
      expect(record.key).toBe(`key-${i % 5}`);
      expect(record.headers).toEqual({ source: 'kcat', tenant: 'acme' });
    }
    for (let k = 0; k < 5; k++) {
      expect(new Set(received.filter((r) => r.key === `key-${k}`).map((r) => r.partition)).size).toBe(1);
    }
  });

  it('serves records produced by kafkajs to kcat -C -o beginning -e', async () => {
    await admin.createTopics({ topics: [{ topic: 'to-kcat', numPartitions: 3 }] });
    const messages = Array.from({ length: 15 }, (_, i) => ({
      partition: i % 3,
      key: `k${i}`,
      value: `payload ${i}`,
      headers: { trace: `t${i}`, origin: 'kafkajs' },
    }));
    await producer.send({ topic: 'to-kcat', acks: -1, messages });

    const json = await runKcat(kcat('-C', '-t', 'to-kcat', '-o', 'beginning', '-e', '-J'));
    expect(json.code).toBe(0);
    const records = parseJsonLines(json.stdout);
    expect(records).toHaveLength(15);
    for (const record of records) {
      const i = Number(record.payload?.split(' ')[1]);
      expect(record).toMatchObject({ topic: 'to-kcat', partition: i % 3, offset: Math.floor(i / 3), key: `k${i}` });
      expect(headerMap(record.headers)).toEqual({ trace: `t${i}`, origin: 'kafkajs' });
    }

    // The same through a format string, one partition only.
    const formatted = await runKcat(kcat('-C', '-t', 'to-kcat', '-p', '1', '-o', 'beginning', '-e', '-f', '%p|%o|%k|%s|%h\n'));
    expect(formatted.code).toBe(0);
    expect(formatted.stdout.trim().split('\n')).toEqual(
      [1, 4, 7, 10, 13].map((i, offset) => `1|${offset}|k${i}|payload ${i}|trace=t${i},origin=kafkajs`),
    );
  });

  it('runs a kcat -G consumer group that consumes everything and commits its offsets', async () => {
    await admin.createTopics({ topics: [{ topic: 'kcat-group', numPartitions: 3 }] });
    await producer.send({ topic: 'kcat-group', messages: Array.from({ length: 24 }, (_, i) => ({ partition: i % 3, value: `job-${i}` })) });

    const result = await runKcat(
      kcat('-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500', '-o', 'beginning', '-c', '24', '-f', '%p:%o:%s\n', '-G', 'kcat-workers', 'kcat-group'),
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(24);
    expect(new Set(lines).size).toBe(24);
    expect(lines.map((l) => l.split(':')[2]).sort()).toEqual(Array.from({ length: 24 }, (_, i) => `job-${i}`).sort());

    // librdkafka commits on close; the broker must have stored it.
    const [offsets] = await waitFor('kcat’s commits to be visible', async () => {
      const fetched = await admin.fetchOffsets({ groupId: 'kcat-workers', topics: ['kcat-group'] });
      return fetched[0].partitions.every((p) => p.offset === '8') ? fetched : null;
    });
    expect(offsets.partitions.map((p) => p.offset)).toEqual(['8', '8', '8']);
    const [description] = (await admin.describeGroups(['kcat-workers'])).groups;
    expect(description.state).toBe('Empty'); // kcat left the group cleanly
  });

  it('evicts a crashed kcat group member after its session timeout and hands its partitions to the survivor', async () => {
    const topic = 'kcat-failover';
    const group = 'kcat-failover-workers';
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    const member = (): KcatProcess => {
      const process = new KcatProcess(
        kcat('-X', 'session.timeout.ms=3000', '-X', 'heartbeat.interval.ms=300', '-o', 'beginning', '-u', '-f', '%p:%o:%s\n', '-G', group, topic),
      );
      kcats.push(process);
      return process;
    };

    const assignmentsOf = async (): Promise<{ state: string; partitions: number[][] }> => {
      const [description] = (await admin.describeGroups([group])).groups;
      const partitions = description.members.map((m) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
      });
      return { state: description.state, partitions };
    };

    const doomed = member();
    const survivor = member();
    await waitFor('both kcat members to share the four partitions', async () => {
      const { state, partitions } = await assignmentsOf();
      return state === 'Stable' && partitions.length === 2 && partitions.every((p) => p.length === 2);
    });

    await producer.send({ topic, messages: Array.from({ length: 12 }, (_, i) => ({ partition: i % 4, value: `before-${i}` })) });
    await waitFor('the two members to consume the first batch', () => {
      const values = new Set([...doomed.lines(), ...survivor.lines()].map((l) => l.split(':')[2]));
      return Array.from({ length: 12 }, (_, i) => `before-${i}`).every((v) => values.has(v));
    });
    expect(doomed.lines().length).toBeGreaterThan(0);
    expect(survivor.lines().length).toBeGreaterThan(0);

    // A crash: no LeaveGroup, the broker only notices through the missing heartbeats.
    await doomed.stop('SIGKILL');
    await waitFor('the crashed member to be evicted and the survivor to own every partition', async () => {
      const { state, partitions } = await assignmentsOf();
      return state === 'Stable' && partitions.length === 1 && partitions[0].join() === '0,1,2,3';
    });

    await producer.send({ topic, messages: Array.from({ length: 12 }, (_, i) => ({ partition: i % 4, value: `after-${i}` })) });
    await waitFor('the survivor to consume the whole second batch', () => {
      const values = new Set(survivor.lines().map((l) => l.split(':')[2]));
      return Array.from({ length: 12 }, (_, i) => `after-${i}`).every((v) => values.has(v));
    });
    expect(await survivor.stop('SIGTERM')).toBe(0);
  });
});
