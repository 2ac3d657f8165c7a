import encodeRequest from 'kafkajs/src/protocol/request';
import { requests } from 'kafkajs/src/protocol/requests';
import { BrokerContext } from '../broker-context';
import { HANDLERS, SUPPORTED_APIS } from '../handlers';
import { resolveOptions } from '../options';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolError, ProtocolReader } from '../protocol/reader';
import { ProtocolWriter } from '../protocol/writer';
import { createRequestRouter, type RequestRouter } from '../request-router';

/**
 * Every (API, version) that both this broker and kafkajs implement is exercised here without
 * sockets: kafkajs's request encoder builds the frame, the broker's router handles it, and
 * kafkajs's response decoder reads the answer. Layout mistakes show up as decode failures, wrong
 * values, or the router's "unread trailing bytes" warning (any warning fails the test).
 */

// Flexible versions (tagged fields) start here in Kafka; the broker must stay below them.
const FIRST_FLEXIBLE: Record<number, number> = {
  [ApiKey.Produce]: 9,
  [ApiKey.Fetch]: 12,
  [ApiKey.ListOffsets]: 6,
  [ApiKey.Metadata]: 9,
  [ApiKey.OffsetCommit]: 8,
  [ApiKey.OffsetFetch]: 6,
  [ApiKey.FindCoordinator]: 3,
  [ApiKey.JoinGroup]: 6,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 4,
  [ApiKey.SyncGroup]: 4,
  [ApiKey.DescribeGroups]: 5,
  [ApiKey.ListGroups]: 3,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.CreateTopics]: 5,
  [ApiKey.DeleteTopics]: 4,
  [ApiKey.InitProducerId]: 2,
  // SaslHandshake has no flexible version; SaslAuthenticate from 2 (sasl.spec.ts covers both).
  [ApiKey.SaslHandshake]: 2,
  [ApiKey.SaslAuthenticate]: 2,
};

const KAFKAJS_NAMES: Record<number, string> = {
  [ApiKey.Produce]: 'Produce',
  [ApiKey.Fetch]: 'Fetch',
  [ApiKey.ListOffsets]: 'ListOffsets',
  [ApiKey.Metadata]: 'Metadata',
  [ApiKey.OffsetCommit]: 'OffsetCommit',
  [ApiKey.OffsetFetch]: 'OffsetFetch',
  [ApiKey.FindCoordinator]: 'GroupCoordinator',
  [ApiKey.JoinGroup]: 'JoinGroup',
  [ApiKey.Heartbeat]: 'Heartbeat',
  [ApiKey.LeaveGroup]: 'LeaveGroup',
  [ApiKey.SyncGroup]: 'SyncGroup',
  [ApiKey.DescribeGroups]: 'DescribeGroups',
  [ApiKey.ListGroups]: 'ListGroups',
  [ApiKey.ApiVersions]: 'ApiVersions',
  [ApiKey.CreateTopics]: 'CreateTopics',
  [ApiKey.DeleteTopics]: 'DeleteTopics',
  [ApiKey.InitProducerId]: 'InitProducerId',
};

/** Versions implemented by both sides. */
function sharedVersions(apiKey: ApiKey): number[] {
  const ours = SUPPORTED_APIS.find((a) => a.apiKey === apiKey);
  if (!ours) throw new Error(`no handler for ${apiKey}`);
  return requests[KAFKAJS_NAMES[apiKey]].versions.map(Number).filter((v) => v >= ours.minVersion && v <= ours.maxVersion);
}


/** The shapes kafkajs's response decoders produce (only the fields asserted on). */
interface PartitionError {
  partition: number;
  errorCode: number;
}
interface DecodedMessage {
  offset: string;
  key: Buffer;
  value: Buffer;
  headers: Record<string, Buffer>;
}
interface Responses {
  [ApiKey.ApiVersions]: { errorCode: number; apiVersions: Array<{ apiKey: number; minVersion: number; maxVersion: number }> };
  [ApiKey.Metadata]: {
    brokers: Array<{ nodeId: number; host: string; port: number }>;
    controllerId?: number;
    clusterId?: string;
    topicMetadata: Array<{
      topicErrorCode: number;
      topic: string;
      partitionMetadata: Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }>;
    }>;
  };
  [ApiKey.CreateTopics]: { topicErrors: Array<{ topic: string; errorCode: number; errorMessage?: string | null }> };
  [ApiKey.DeleteTopics]: { topicErrors: Array<{ topic: string; errorCode: number }> };
  [ApiKey.Produce]: {
    topics: Array<{ topicName: string; partitions: Array<PartitionError & { baseOffset: string; logStartOffset?: string }> }>;
  };
  [ApiKey.Fetch]: {
    responses: Array<{
      topicName: string;
      partitions: Array<PartitionError & { highWatermark: string; lastStableOffset?: string; messages: DecodedMessage[] }>;
    }>;
  };
  [ApiKey.ListOffsets]: { responses: Array<{ topic: string; partitions: Array<PartitionError & { offset: string; timestamp: string }> }> };
  [ApiKey.InitProducerId]: { errorCode: number; producerId: string; producerEpoch: number };
  [ApiKey.FindCoordinator]: { errorCode: number; coordinator: { nodeId: number; host: string; port: number } };
  [ApiKey.JoinGroup]: {
    errorCode: number;
    generationId: number;
    groupProtocol: string;
    leaderId: string;
    memberId: string;
    members: Array<{ memberId: string; memberMetadata: Buffer }>;
  };
  [ApiKey.SyncGroup]: { errorCode: number; memberAssignment: Buffer };
  [ApiKey.Heartbeat]: { errorCode: number };
  [ApiKey.LeaveGroup]: { errorCode: number; members?: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }> };
  [ApiKey.OffsetCommit]: { responses: Array<{ topic: string; partitions: PartitionError[] }> };
  [ApiKey.OffsetFetch]: {
    responses: Array<{ topic: string; partitions: Array<PartitionError & { offset: string; metadata: string | null }> }>;
  };
  [ApiKey.DescribeGroups]: {
    groups: Array<{
      errorCode: number;
      groupId: string;
      state: string;
      protocolType: string;
      protocol: string;
      members: Array<{ memberId: string; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
    }>;
  };
  [ApiKey.ListGroups]: { errorCode: number; groups: Array<{ groupId: string; protocolType: string }> };
}

describe('protocol conformance against kafkajs encoders/decoders', () => {
  const problems: string[] = [];
  const logger = {
    info: () => undefined,
    warn: (msg: string, ctx?: object) => problems.push(`${msg} ${JSON.stringify(ctx)}`),
    error: (msg: string, ctx?: object) => problems.push(`${msg} ${JSON.stringify(ctx)}`),
  };
  let broker: BrokerContext;
  let route: RequestRouter;
  let correlationId = 0;

  beforeEach(async () => {
    problems.length = 0;
    broker = await BrokerContext.create(resolveOptions({ logger, defaultPartitions: 2 }));
    broker.setPort(9092);
    route = createRequestRouter(broker);
  });

  afterEach(async () => {
    await broker.closeStores();
    expect(problems).toEqual([]);
  });

  async function raw(frame: Buffer): Promise<Buffer> {
    const response = await route(frame.subarray(4), '/127.0.0.1');
    if (response === null) throw new Error('no response');
    expect(response.readInt32BE(0)).toBe(response.length - 4);
    return response;
  }

  /** Sends a request through kafkajs's encoder and decodes the answer with kafkajs's decoder. */
  async function call<K extends keyof Responses>(apiKey: K, version: number, args: object = {}): Promise<Responses[K]> {
    const { request, response } = requests[KAFKAJS_NAMES[apiKey]].protocol({ version })(args);
    expect(request.apiVersion).toBe(version);
    const id = ++correlationId;
    const frame = (await encodeRequest({ correlationId: id, clientId: 'conformance', request })).buffer;
    const answer = await raw(frame);
    expect(answer.readInt32BE(4)).toBe(id);
    return (await response.decode(answer.subarray(8))) as unknown as Responses[K];
  }

  const createTopic = async (topic: string, numPartitions = 2): Promise<void> => {
    const created = await call(ApiKey.CreateTopics, 0, { topics: [{ topic, numPartitions, replicationFactor: 1 }], timeout: 1000 });
    expect(created.topicErrors).toEqual([{ topic, errorCode: 0 }]);
  };

  it('advertises exactly the handlers, all non-flexible', () => {
    expect(SUPPORTED_APIS.map((a) => a.apiKey)).toEqual(HANDLERS.map((h) => h.apiKey).sort((a, b) => a - b));
    for (const api of SUPPORTED_APIS) {
      expect(api.minVersion).toBeLessThanOrEqual(api.maxVersion);
      expect(api.maxVersion).toBeLessThan(FIRST_FLEXIBLE[api.apiKey]);
    }
  });

  it.each(sharedVersions(ApiKey.ApiVersions))('ApiVersions v%d lists the supported versions', async (v) => {
    const decoded = await call(ApiKey.ApiVersions, v);
    expect(decoded.errorCode).toBe(0);
    expect(decoded.apiVersions).toEqual(SUPPORTED_APIS.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })));
  });

  it('answers an ApiVersions version it does not speak in the v0 layout with UNSUPPORTED_VERSION (KIP-511)', async () => {
    // What librdkafka sends first: ApiVersions v3 with a flexible (v2) request header.
    const body = new ProtocolWriter()
      .int16(ApiKey.ApiVersions)
      .int16(3)
      .int32(77)
      .nullableString('rdkafka')
      .int8(0) // header tagged fields
      .int8(9) // compact string "librdkaf" length+1...
      .raw(Buffer.from('librdkaf'))
      .int8(6)
      .raw(Buffer.from('2.0.2'))
      .int8(0)
      .toBuffer();
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0]), body]);
    const answer = await raw(frame);
    const reader = new ProtocolReader(answer, 4);
    expect(reader.int32()).toBe(77);
    expect(reader.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const ranges = reader.array((r) => ({ apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() }));
    expect(ranges).toEqual(SUPPORTED_APIS);
    expect(reader.remaining).toBe(0);
  });

  it('closes the connection (throws a ProtocolError) for unknown APIs and unsupported versions of other APIs', async () => {
    const frame = (apiKey: number, version: number): Buffer =>
      new ProtocolWriter().int16(apiKey).int16(version).int32(1).nullableString('x').toBuffer();
    await expect(route(frame(ApiKey.Produce, 2), '/x')).rejects.toThrow(ProtocolError);
    await expect(route(frame(ApiKey.Fetch, 12), '/x')).rejects.toThrow(ProtocolError);
    await expect(route(frame(42, 0), '/x')).rejects.toThrow(ProtocolError);
    await expect(route(Buffer.from([0, 3]), '/x')).rejects.toThrow(ProtocolError);
  });

  it.each(sharedVersions(ApiKey.Metadata))('Metadata v%d describes the node, auto-creates topics and lists them', async (v) => {
    const decoded = await call(ApiKey.Metadata, v, { topics: ['auto-created'], allowAutoTopicCreation: true });
    expect(decoded.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: 'localhost', port: 9092 })]);
    if (v >= 1) expect(decoded.controllerId).toBe(1);
    if (v >= 2) expect(decoded.clusterId).toBe(broker.clusterId);
    expect(decoded.topicMetadata).toHaveLength(1);
    const topic = decoded.topicMetadata[0];
    expect(topic).toMatchObject({ topicErrorCode: 0, topic: 'auto-created' });
    expect(topic.partitionMetadata.map((p) => [p.partitionId, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
    ]);
    // All topics: an empty list in v0, a null list from v1 (kafkajs encodes [] as null there).
    const all = await call(ApiKey.Metadata, v, { topics: [] });
    expect(all.topicMetadata.map((t) => t.topic)).toEqual(['auto-created']);
    if (v >= 4) {
      const noCreate = await call(ApiKey.Metadata, v, { topics: ['not-created'], allowAutoTopicCreation: false });
      expect(noCreate.topicMetadata[0]).toMatchObject({ topic: 'not-created', topicErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    }
    const invalid = await call(ApiKey.Metadata, v, { topics: ['bad name!'], allowAutoTopicCreation: true });
    expect(invalid.topicMetadata[0].topicErrorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it.each(sharedVersions(ApiKey.CreateTopics))('CreateTopics v%d creates, validates and rejects like Kafka', async (v) => {
    const decoded = await call(ApiKey.CreateTopics, v, {
      topics: [
        { topic: 'created', numPartitions: 4, replicationFactor: 1 },
        { topic: 'defaulted' }, // -1/-1: broker defaults
        { topic: 'replicated', numPartitions: 1, replicationFactor: 3 },
        { topic: 'bad/name', numPartitions: 1 },
        { topic: 'zero', numPartitions: 0 },
        { topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [1] }, { partition: 1, replicas: [1] }] },
        { topic: 'elsewhere', replicaAssignment: [{ partition: 0, replicas: [2] }] },
      ],
      timeout: 1000,
    });
    const codes = Object.fromEntries(decoded.topicErrors.map((t) => [t.topic, t.errorCode]));
    expect(codes).toEqual({
      created: 0,
      defaulted: 0,
      replicated: ErrorCode.INVALID_REPLICATION_FACTOR,
      'bad/name': ErrorCode.INVALID_TOPIC_EXCEPTION,
      zero: ErrorCode.INVALID_PARTITIONS,
      assigned: 0,
      elsewhere: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    });
    expect(broker.topics.get('created')?.partitions).toHaveLength(4);
    expect(broker.topics.get('defaulted')?.partitions).toHaveLength(2);
    expect(broker.topics.get('assigned')?.partitions).toHaveLength(2);
    const again = await call(ApiKey.CreateTopics, v, { topics: [{ topic: 'created', numPartitions: 1 }], timeout: 1000 });
    expect(again.topicErrors[0].errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    if (v >= 1) {
      expect(again.topicErrors[0].errorMessage).toContain('already exists');
      const dryRun = await call(ApiKey.CreateTopics, v, { topics: [{ topic: 'dry-run', numPartitions: 1 }], validateOnly: true, timeout: 1000 });
      expect(dryRun.topicErrors[0].errorCode).toBe(0);
      expect(broker.topics.get('dry-run')).toBeUndefined();
    }
  });

  it.each(sharedVersions(ApiKey.DeleteTopics))('DeleteTopics v%d removes topics and reports unknown ones', async (v) => {
    await createTopic('doomed');
    const decoded = await call(ApiKey.DeleteTopics, v, { topics: ['doomed', 'never-existed'], timeout: 1000 });
    expect(decoded.topicErrors).toEqual([
      { topic: 'doomed', errorCode: 0 },
      { topic: 'never-existed', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect(broker.topics.get('doomed')).toBeUndefined();
  });

  const messages = [
    { key: 'user-1', value: 'created', headers: { trace: 'a' } },
    { key: 'user-1', value: 'updated', headers: { trace: 'b', tenant: 't1' } },
  ];

  it.each(sharedVersions(ApiKey.Produce))('Produce v%d appends and returns base offsets', async (v) => {
    await createTopic('events');
    const produce = (partition: number) =>
      call(ApiKey.Produce, v, { acks: -1, timeout: 1000, topicData: [{ topic: 'events', partitions: [{ partition, messages }] }] });
    const first = await produce(1);
    const second = await produce(1);
    const partitionResult = (d: Responses[typeof ApiKey.Produce]) => d.topics[0].partitions[0];
    expect(first.topics[0].topicName).toBe('events');
    expect(partitionResult(first)).toMatchObject({ partition: 1, errorCode: 0, baseOffset: '0' });
    expect(partitionResult(second)).toMatchObject({ partition: 1, errorCode: 0, baseOffset: '2' });
    if (v >= 5) expect(partitionResult(second).logStartOffset).toBe('0');
    expect(broker.topics.get('events')?.partitions[1].highWatermark).toBe(4);

    const unknown = await call(ApiKey.Produce, v, { acks: -1, timeout: 1000, topicData: [{ topic: 'events', partitions: [{ partition: 9, messages }] }] });
    expect(unknown.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('sends no response to an acks=0 produce', async () => {
    await createTopic('fire-and-forget');
    const { request } = requests.Produce.protocol({ version: 7 })({
      acks: 0,
      timeout: 1000,
      topicData: [{ topic: 'fire-and-forget', partitions: [{ partition: 0, messages }] }],
    });
    const frame = (await encodeRequest({ correlationId: 5, clientId: 'c', request })).buffer;
    expect(await route(frame.subarray(4), '/x')).toBeNull();
    expect(broker.topics.get('fire-and-forget')?.partitions[0].highWatermark).toBe(2);
  });

  it.each(sharedVersions(ApiKey.Fetch))('Fetch v%d returns stored batches with keys, values and headers', async (v) => {
    await createTopic('events');
    await call(ApiKey.Produce, 7, { acks: -1, timeout: 1000, topicData: [{ topic: 'events', partitions: [{ partition: 0, messages }] }] });
    const fetch = (fetchOffset: string, topic = 'events', maxWaitTime = 0) =>
      call(ApiKey.Fetch, v, {
        replicaId: -1,
        maxWaitTime,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 1,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset, maxBytes: 1 << 20 }] }],
      });
    const decoded = await fetch('0');
    const partition = decoded.responses[0].partitions[0];
    expect(decoded.responses[0].topicName).toBe('events');
    expect(partition).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '2', lastStableOffset: '2' });
    const received = partition.messages.map((m) => ({
      offset: m.offset,
      key: m.key.toString(),
      value: m.value.toString(),
      headers: Object.fromEntries(Object.entries(m.headers).map(([k, h]) => [k, h.toString()])),
    }));
    expect(received).toEqual([
      { offset: '0', key: 'user-1', value: 'created', headers: { trace: 'a' } },
      { offset: '1', key: 'user-1', value: 'updated', headers: { trace: 'b', tenant: 't1' } },
    ]);
    expect((await fetch('2')).responses[0].partitions[0].messages).toEqual([]);
    expect((await fetch('3')).responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await fetch('0', 'missing')).responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('long-polls a Fetch until data arrives instead of answering empty right away', async () => {
    await createTopic('waiting');
    const started = Date.now();
    const pending = call(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitTime: 20_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'waiting', partitions: [{ partition: 1, fetchOffset: '0', maxBytes: 1 << 20 }] }],
    });
    let answered = false;
    void pending.then(() => (answered = true));
    // Give the fetch every chance to answer early if it (wrongly) would.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await call(ApiKey.Produce, 7, { acks: -1, timeout: 1000, topicData: [{ topic: 'waiting', partitions: [{ partition: 1, messages }] }] });
    const decoded = await pending;
    expect(decoded.responses[0].partitions[0].messages).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers a Fetch after max wait when nothing arrives', async () => {
    await createTopic('quiet');
    const started = Date.now();
    const decoded = await call(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitTime: 150,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(decoded.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: '0', messages: [] });
  });

  it.each(sharedVersions(ApiKey.ListOffsets))('ListOffsets v%d resolves earliest, latest and timestamps', async (v) => {
    await createTopic('events');
    const now = Date.now();
    await call(ApiKey.Produce, 7, {
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: 'events', partitions: [{ partition: 0, messages: [{ value: 'a', timestamp: now - 1000 }, { value: 'b', timestamp: now }] }] }],
    });
    const list = (timestamp: number) => call(ApiKey.ListOffsets, v, { replicaId: -1, topics: [{ topic: 'events', partitions: [{ partition: 0, timestamp }] }] });
    const offsetOf = async (timestamp: number): Promise<string> => {
      const decoded = await list(timestamp);
      expect(decoded.responses[0].partitions[0].errorCode).toBe(0);
      return decoded.responses[0].partitions[0].offset;
    };
    expect(await offsetOf(-2)).toBe('0');
    expect(await offsetOf(-1)).toBe('2');
    expect(await offsetOf(now - 500)).toBe('1');
    expect(await offsetOf(now + 60_000)).toBe('-1');
  });

  it.each(sharedVersions(ApiKey.InitProducerId))('InitProducerId v%d hands out distinct producer ids', async (v) => {
    const a = await call(ApiKey.InitProducerId, v, { transactionalId: null });
    const b = await call(ApiKey.InitProducerId, v, { transactionalId: null });
    expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(BigInt(b.producerId)).toBeGreaterThan(BigInt(a.producerId));
  });

  it.each(sharedVersions(ApiKey.FindCoordinator))('FindCoordinator v%d names this node', async (v) => {
    const decoded = await call(ApiKey.FindCoordinator, v, { groupId: 'any-group' });
    expect(decoded).toMatchObject({ errorCode: 0, coordinator: { nodeId: 1, host: 'localhost', port: 9092 } });
  });

  describe.each(sharedVersions(ApiKey.JoinGroup))('group lifecycle with JoinGroup v%d', (joinVersion) => {
    it('joins, syncs, heartbeats, commits, describes, lists and leaves', async () => {
      await createTopic('orders');
      const pick = (api: ApiKey, preferred: number): number => Math.min(preferred, Math.max(...sharedVersions(api)));
      const groupProtocols = [{ name: 'RoundRobinAssigner', metadata: Buffer.from('sub:orders') }];
      const join = (memberId: string) =>
        call(ApiKey.JoinGroup, joinVersion, { groupId: 'g', sessionTimeout: 10_000, rebalanceTimeout: 10_000, memberId, protocolType: 'consumer', groupProtocols });
      let joined = await join('');
      if (joinVersion >= 4) {
        expect(joined.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
        joined = await join(joined.memberId);
      }
      expect(joined).toMatchObject({ errorCode: 0, generationId: 1, groupProtocol: 'RoundRobinAssigner' });
      expect(joined.leaderId).toBe(joined.memberId);
      expect(joined.members).toEqual([expect.objectContaining({ memberId: joined.memberId, memberMetadata: Buffer.from('sub:orders') })]);
      const { memberId, generationId } = joined;

      // Each API at the version matching the JoinGroup generation of the protocol (capped at what both support).
      const version = Math.min(joinVersion, 3);
      const synced = await call(ApiKey.SyncGroup, pick(ApiKey.SyncGroup, version), {
        groupId: 'g',
        generationId,
        memberId,
        groupAssignment: [{ memberId, memberAssignment: Buffer.from('orders:0,1') }],
      });
      expect(synced).toMatchObject({ errorCode: 0, memberAssignment: Buffer.from('orders:0,1') });

      const heartbeat = await call(ApiKey.Heartbeat, pick(ApiKey.Heartbeat, version), { groupId: 'g', groupGenerationId: generationId, memberId });
      expect(heartbeat.errorCode).toBe(0);
      const stale = await call(ApiKey.Heartbeat, pick(ApiKey.Heartbeat, version), { groupId: 'g', groupGenerationId: 99, memberId });
      expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

      for (const commitVersion of sharedVersions(ApiKey.OffsetCommit)) {
        const committed = await call(ApiKey.OffsetCommit, commitVersion, {
          groupId: 'g',
          groupGenerationId: commitVersion === 0 ? undefined : generationId,
          memberId,
          topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: String(10 + commitVersion), metadata: `v${commitVersion}` }] }],
        });
        // v0 commits carry no generation: Kafka rejects them while the group has members.
        const expected = commitVersion === 0 ? ErrorCode.UNKNOWN_MEMBER_ID : 0;
        expect(committed.responses).toEqual([{ topic: 'orders', partitions: [{ partition: 0, errorCode: expected }] }]);
      }
      const lastCommit = 10 + Math.max(...sharedVersions(ApiKey.OffsetCommit));
      for (const fetchVersion of sharedVersions(ApiKey.OffsetFetch)) {
        const fetched = await call(ApiKey.OffsetFetch, fetchVersion, { groupId: 'g', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] });
        expect(fetched.responses).toEqual([
          {
            topic: 'orders',
            partitions: [
              { partition: 0, offset: String(lastCommit), metadata: `v${lastCommit - 10}`, errorCode: 0 },
              { partition: 1, offset: '-1', metadata: '', errorCode: 0 },
            ],
          },
        ]);
      }

      for (const describeVersion of sharedVersions(ApiKey.DescribeGroups)) {
        const described = await call(ApiKey.DescribeGroups, describeVersion, { groupIds: ['g', 'nobody'] });
        expect(described.groups[0]).toMatchObject({ errorCode: 0, groupId: 'g', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
        expect(described.groups[0].members).toEqual([
          { memberId, clientId: 'conformance', clientHost: '/127.0.0.1', memberMetadata: Buffer.from('sub:orders'), memberAssignment: Buffer.from('orders:0,1') },
        ]);
        expect(described.groups[1]).toMatchObject({ groupId: 'nobody', state: 'Dead', members: [] });
      }
      for (const listVersion of sharedVersions(ApiKey.ListGroups)) {
        const listed = await call(ApiKey.ListGroups, listVersion);
        expect(listed).toMatchObject({ errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] });
      }

      const left = await call(ApiKey.LeaveGroup, pick(ApiKey.LeaveGroup, version), { groupId: 'g', memberId });
      expect(left.errorCode).toBe(0);
      if (version >= 3) expect(left.members).toEqual([{ memberId, groupInstanceId: null, errorCode: 0 }]);
      const gone = await call(ApiKey.Heartbeat, pick(ApiKey.Heartbeat, version), { groupId: 'g', groupGenerationId: generationId, memberId });
      expect(gone.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });
  });

  /** Versions kafkajs does not implement, hand-encoded from the Kafka protocol reference. */
  describe('versions only other clients use', () => {
    async function send(apiKey: ApiKey, version: number, body: ProtocolWriter): Promise<ProtocolReader> {
      const frame = Buffer.concat([
        Buffer.alloc(4),
        new ProtocolWriter().int16(apiKey).int16(version).int32(9).nullableString('hand').toBuffer(),
        body.toBuffer(),
      ]);
      const reader = new ProtocolReader(await raw(frame), 4);
      expect(reader.int32()).toBe(9);
      return reader;
    }

    it('Metadata v8 (leader epoch, authorized operations)', async () => {
      const r = await send(ApiKey.Metadata, 8, new ProtocolWriter().array(['m8'], (w, t) => w.string(t)).boolean(true).boolean(false).boolean(false));
      expect(r.int32()).toBe(0); // throttle
      expect(r.array((b) => [b.int32(), b.string(), b.int32(), b.nullableString()])).toEqual([[1, 'localhost', 9092, null]]);
      expect(r.nullableString()).toBe(broker.clusterId);
      expect(r.int32()).toBe(1); // controller
      const topics = r.array((t) => ({
        error: t.int16(),
        name: t.string(),
        internal: t.boolean(),
        partitions: t.array((p) => ({
          error: p.int16(),
          index: p.int32(),
          leader: p.int32(),
          epoch: p.int32(),
          replicas: p.array((x) => x.int32()),
          isr: p.array((x) => x.int32()),
          offline: p.array((x) => x.int32()),
        })),
        ops: t.int32(),
      }));
      expect(topics).toEqual([
        {
          error: 0,
          name: 'm8',
          internal: false,
          partitions: [0, 1].map((index) => ({ error: 0, index, leader: 1, epoch: 0, replicas: [1], isr: [1], offline: [] })),
          ops: -2147483648,
        },
      ]);
      expect(r.int32()).toBe(-2147483648);
      expect(r.remaining).toBe(0);
    });

    it('ListOffsets v4/v5 (current leader epoch in, leader epoch out)', async () => {
      await createTopic('lo');
      for (const v of [4, 5]) {
        const body = new ProtocolWriter()
          .int32(-1)
          .int8(0)
          .array(['lo'], (w, t) => w.string(t).array([0], (pw, p) => pw.int32(p).int32(-1).int64(-1)));
        const r = await send(ApiKey.ListOffsets, v, body);
        expect(r.int32()).toBe(0);
        const topics = r.array((t) => [t.string(), t.array((p) => [p.int32(), p.int16(), p.int64(), p.int64(), p.int32()])]);
        expect(topics).toEqual([['lo', [[0, 0, -1, 0, 0]]]]);
        expect(r.remaining).toBe(0);
      }
    });

    it('OffsetCommit v6/v7 and OffsetFetch v0/v5 (leader epochs, group instance id)', async () => {
      await createTopic('oc');
      for (const v of [6, 7]) {
        const body = new ProtocolWriter().string('simple').int32(-1).string('');
        if (v >= 7) body.nullableString(null);
        body.array(['oc'], (w, t) => w.string(t).array([1], (pw, p) => pw.int32(p).int64(40 + v).int32(-1).nullableString(null)));
        const r = await send(ApiKey.OffsetCommit, v, body);
        expect(r.int32()).toBe(0);
        expect(r.array((t) => [t.string(), t.array((p) => [p.int32(), p.int16()])])).toEqual([['oc', [[1, 0]]]]);
        expect(r.remaining).toBe(0);
      }
      const v5 = await send(ApiKey.OffsetFetch, 5, new ProtocolWriter().string('simple').nullableArray(null, (w, t: string) => w.string(t)));
      expect(v5.int32()).toBe(0);
      expect(v5.array((t) => [t.string(), t.array((p) => [p.int32(), p.int64(), p.int32(), p.nullableString(), p.int16()])])).toEqual([
        ['oc', [[1, 47, -1, null, 0]]],
      ]);
      expect(v5.int16()).toBe(0);
      expect(v5.remaining).toBe(0);
      const v0 = await send(ApiKey.OffsetFetch, 0, new ProtocolWriter().string('simple').array(['oc'], (w, t) => w.string(t).array([1], (pw, p) => pw.int32(p))));
      expect(v0.array((t) => [t.string(), t.array((p) => [p.int32(), p.int64(), p.nullableString(), p.int16()])])).toEqual([['oc', [[1, 47, null, 0]]]]);
      expect(v0.remaining).toBe(0);
    });

    it('DeleteTopics v3', async () => {
      await createTopic('dt');
      const r = await send(ApiKey.DeleteTopics, 3, new ProtocolWriter().array(['dt'], (w, t) => w.string(t)).int32(1000));
      expect(r.int32()).toBe(0);
      expect(r.array((t) => [t.string(), t.int16()])).toEqual([['dt', 0]]);
      expect(r.remaining).toBe(0);
    });
  });
});
