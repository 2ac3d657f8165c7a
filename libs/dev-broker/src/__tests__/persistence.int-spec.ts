import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { OffsetStore } from '../groups/offset-store';
import { FileBatchStore } from '../log/batch-store';
import { PartitionLog } from '../log/partition-log';
import { TopicStore } from '../log/topic-store';
import { decodeRecords, encodeRecordBatch, splitBatches, validateBatch } from '../protocol/record-batch';
import { startDevBroker, type DevBroker } from '../index';
import { FAST_CONSUMER, kafkaClient, makeDataDir, removeDir, startTestBroker, waitFor } from './support/harness';

jest.setTimeout(50_000);

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Every kafkajs client a test opens, so a failing test still disconnects them (otherwise jest hangs). */
const clients: Array<{ disconnect(): Promise<void> }> = [];
function track<T extends { disconnect(): Promise<void> }>(client: T): T {
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.disconnect()));
});

interface Seen {
  partition: number;
  offset: number;
  key: string;
  value: string;
  header: string;
}

async function consumeAll(kafka: Kafka, groupId: string, topic: string, expected: number, autoCommit = true): Promise<Seen[]> {
  const seen: Seen[] = [];
  const consumer = track(kafka.consumer({ groupId, ...FAST_CONSUMER }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit,
    eachMessage: ({ partition, message }) => {
      seen.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        header: String(message.headers?.n ?? ''),
      });
      return Promise.resolve();
    },
  });
  await waitFor(`${expected} records for ${groupId}`, () => seen.length >= expected);
  if (autoCommit) {
    await waitFor(`${groupId} to commit up to the end`, async () => {
      const admin = track(kafka.admin());
      await admin.connect();
      try {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const ends = await admin.fetchTopicOffsets(topic);
        // Empty partitions have nothing to commit (their committed offset stays -1).
        return committed.partitions.every((p) => Math.max(0, Number(p.offset)) === Number(ends.find((e) => e.partition === p.partition)?.high));
      } finally {
        await admin.disconnect();
      }
    });
  }
  await consumer.disconnect();
  return seen;
}

describe('persistence across restarts', () => {
  it('keeps every acknowledged record and every committed offset, and redelivers only the uncommitted remainder', async () => {
    const env = await startTestBroker();
    let broker: DevBroker = env.broker;
    try {
      let kafka = kafkaClient(broker.brokers, 'before-restart');
      const admin = track(kafka.admin());
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 3 }] });
      const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
      await producer.connect();
      // Several produce requests so each partition holds several batches on disk.
      for (let batch = 0; batch < 4; batch++) {
        await producer.send({
          topic: 'durable',
          acks: -1,
          messages: Array.from({ length: 6 }, (_, i) => {
            const n = batch * 6 + i;
            return { partition: n % 3, key: `key-${n}`, value: `value-${n}`, headers: { n: String(n) } };
          }),
        });
      }
      await producer.disconnect();

      // A consumer that processes everything but commits only the first three records per partition.
      const committer = track(kafka.consumer({ groupId: 'durable-group', ...FAST_CONSUMER }));
      let processed = 0;
      await committer.connect();
      await committer.subscribe({ topic: 'durable', fromBeginning: true });
      await committer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          processed += 1;
          if (message.offset === '2') await committer.commitOffsets([{ topic: 'durable', partition, offset: '3' }]);
        },
      });
      await waitFor('the first consumer to process all 24 records', () => processed >= 24);
      await waitFor('the partial commits to land', async () => {
        const [committed] = await admin.fetchOffsets({ groupId: 'durable-group', topics: ['durable'] });
        return committed.partitions.every((p) => p.offset === '3');
      });
      await committer.disconnect();
      await admin.disconnect();
      await broker.close();

      broker = await env.restart();
      kafka = kafkaClient(broker.brokers, 'after-restart');
      const admin2 = track(kafka.admin());
      await admin2.connect();
      try {
        expect(await admin2.listTopics()).toContain('durable');
        expect((await admin2.fetchTopicOffsets('durable')).map((p) => [p.partition, p.high, p.low])).toEqual([
          [0, '8', '0'],
          [1, '8', '0'],
          [2, '8', '0'],
        ]);
        const [committed] = await admin2.fetchOffsets({ groupId: 'durable-group', topics: ['durable'] });
        expect(committed.partitions.map((p) => p.offset)).toEqual(['3', '3', '3']);
        expect((await admin2.listGroups()).groups.map((g) => g.groupId)).toContain('durable-group');
      } finally {
        await admin2.disconnect();
      }

      // The same group resumes after its commits: offsets 3..7 of each partition, nothing else.
      const remainder = await consumeAll(kafka, 'durable-group', 'durable', 15);
      expect(remainder).toHaveLength(15);
      expect(remainder.map((r) => `${r.partition}:${r.offset}`).sort()).toEqual(
        [0, 1, 2].flatMap((p) => [3, 4, 5, 6, 7].map((o) => `${p}:${o}`)).sort(),
      );

      // A new group reads everything back intact (keys, values, headers, per-partition order).
      const everything = await consumeAll(kafka, 'fresh-group', 'durable', 24);
      expect(everything).toHaveLength(24);
      for (const record of everything) {
        const n = Number(record.header);
        expect(record).toEqual({ partition: n % 3, offset: Math.floor(n / 3), key: `key-${n}`, value: `value-${n}`, header: String(n) });
      }

      // New idempotent producers get fresh ids and append after the recovered data.
      const producer2 = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
      await producer2.connect();
      const [result] = await producer2.send({ topic: 'durable', acks: -1, messages: [{ partition: 1, value: 'after restart' }] });
      expect(result).toMatchObject({ partition: 1, errorCode: 0, baseOffset: '8' });
      await producer2.disconnect();
    } finally {
      await broker.close();
      await removeDir(env.dataDir);
    }
  });

  it('survives a torn write at the end of a partition log and keeps appending after the intact data', async () => {
    const env = await startTestBroker({ fsync: true });
    let broker = env.broker;
    try {
      let kafka = kafkaClient(broker.brokers);
      let producer = track(kafka.producer());
      await producer.connect();
      await producer.send({ topic: 'torn', acks: -1, messages: [0, 1, 2].map((i) => ({ partition: 0, value: `intact-${i}` })) });
      await producer.disconnect();
      await broker.close();

      // Simulate a crash in the middle of an append: half a batch at the end of the file.
      const logPath = join(env.dataDir, 'topics', 'torn', '0.log');
      const sizeBefore = (await fs.stat(logPath)).size;
      const partial = encodeRecordBatch({ baseOffset: 3, records: [{ value: 'never acknowledged' }] });
      await fs.appendFile(logPath, partial.subarray(0, partial.length - 5));

      broker = await env.restart();
      expect((await fs.stat(logPath)).size).toBe(sizeBefore);
      kafka = kafkaClient(broker.brokers);
      producer = track(kafka.producer());
      await producer.connect();
      const [result] = await producer.send({ topic: 'torn', acks: -1, messages: [{ partition: 0, value: 'after crash' }] });
      expect(result.baseOffset).toBe('3');
      await producer.disconnect();
      const seen = await consumeAll(kafka, 'torn-reader', 'torn', 4);
      expect(seen.filter((s) => s.partition === 0).map((s) => s.value)).toEqual(['intact-0', 'intact-1', 'intact-2', 'after crash']);
    } finally {
      await broker.close();
      await removeDir(env.dataDir);
    }
  });

  it.each([
    ['on disk', true],
    ['in memory', false],
  ])('lets a connected idempotent producer keep publishing across a restart on the same port (%s)', async (_label, persistent) => {
    const dataDir = await makeDataDir();
    let broker = await startDevBroker({ port: 0, dataDir: persistent ? dataDir : undefined });
    const port = broker.port;
    try {
      const kafka = kafkaClient(broker.brokers, 'restart-producer');
      const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
      await producer.connect();
      await producer.send({ topic: 'relay', acks: -1, messages: [1, 2, 3].map((n) => ({ partition: 0, value: `before-${n}` })) });
      await broker.close();
      broker = await startDevBroker({ port, dataDir: persistent ? dataDir : undefined });
      // Same producer id, sequence continuing at 3: with the log it matches the recovered state;
      // without it the broker has no state and must accept it anyway (KIP-360).
      const [result] = await producer.send({ topic: 'relay', acks: -1, messages: [{ partition: 0, value: 'after' }] });
      expect(result).toMatchObject({ errorCode: 0, baseOffset: persistent ? '3' : '0' });
      const seen = await consumeAll(kafka, 'relay-reader', 'relay', persistent ? 4 : 1);
      expect(seen.map((s) => s.value)).toEqual(persistent ? ['before-1', 'before-2', 'before-3', 'after'] : ['after']);
    } finally {
      await broker.close();
      await removeDir(dataDir);
    }
  });

  it('forgets deleted topics (and their offsets) across restarts', async () => {
    const env = await startTestBroker();
    let broker = env.broker;
    try {
      const kafka = kafkaClient(broker.brokers);
      const admin = track(kafka.admin());
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'temporary', numPartitions: 1 }, { topic: 'kept', numPartitions: 1 }] });
      await admin.deleteTopics({ topics: ['temporary'] });
      await admin.disconnect();
      await broker.close();
      expect(await fs.readdir(join(env.dataDir, 'topics'))).toEqual(['kept']);
      broker = await env.restart();
      const admin2 = track(kafkaClient(broker.brokers).admin());
      await admin2.connect();
      expect(await admin2.listTopics()).toEqual(['kept']);
      await admin2.disconnect();
    } finally {
      await broker.close();
      await removeDir(env.dataDir);
    }
  });
});

describe('on-disk recovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeDataDir('dev-broker-recovery-');
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  async function openLog(path: string): Promise<PartitionLog> {
    return PartitionLog.open('t', 0, await FileBatchStore.open(path, false, silent));
  }

  it('rebuilds the index by scanning, storing batches byte for byte with only the base offset rewritten', async () => {
    const path = join(dir, '0.log');
    const produced = [encodeRecordBatch({ records: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }), encodeRecordBatch({ records: [{ value: '3' }] })];
    const log = await openLog(path);
    for (const batch of produced) await log.append(batch, validateBatch(batch));
    await log.close();

    const raw = await fs.readFile(path);
    const stored = splitBatches(raw);
    expect(stored).toHaveLength(2);
    // Everything after the base offset and leader epoch (i.e. everything the CRC covers) is untouched.
    expect(stored[0].subarray(12).equals(produced[0].subarray(12))).toBe(true);
    expect(stored[1].subarray(16).equals(produced[1].subarray(16))).toBe(true);
    expect(stored[1].readBigInt64BE(0)).toBe(2n);

    const reopened = await openLog(path);
    expect(reopened.highWatermark).toBe(3);
    const bytes = await reopened.read(0, 1 << 20, true);
    expect(splitBatches(bytes!).flatMap((b) => decodeRecords(b)!.map((r) => `${r.offset}=${r.value?.toString()}`))).toEqual(['0=1', '1=2', '2=3']);
    await reopened.close();
  });

  it('truncates a corrupted batch and everything after it', async () => {
    const path = join(dir, '0.log');
    const log = await openLog(path);
    for (const value of ['one', 'two', 'three']) {
      const batch = encodeRecordBatch({ records: [{ value }] });
      await log.append(batch, validateBatch(batch));
    }
    await log.close();
    const raw = await fs.readFile(path);
    const [first, second] = splitBatches(raw);
    raw[first.length + second.length - 2] ^= 0xff; // flip a byte inside the second batch
    await fs.writeFile(path, raw);

    const warnings: string[] = [];
    const store = await FileBatchStore.open(path, false, { ...silent, warn: (msg) => warnings.push(msg) });
    const reopened = await PartitionLog.open('t', 0, store);
    expect(reopened.highWatermark).toBe(1);
    expect(warnings).toEqual(['truncating damaged partition log tail']);
    expect((await fs.stat(path)).size).toBe(first.length);
    await reopened.close();
  });

  it('discards a topic directory whose creation never finished', async () => {
    await fs.mkdir(join(dir, 'topics', 'half-made'), { recursive: true });
    await fs.writeFile(join(dir, 'topics', 'half-made', '0.log'), '');
    const topics = await TopicStore.open(dir, false, silent);
    expect(topics.list()).toEqual([]);
    await expect(fs.stat(join(dir, 'topics', 'half-made'))).rejects.toThrow();
    await topics.close();
  });

  it('compacts each group’s offsets file on start and honours tombstones', async () => {
    const store = await OffsetStore.open(dir, false, silent);
    for (let offset = 1; offset <= 50; offset++) {
      await store.commit('g/with:odd chars', [
        { topic: 'a', partition: 0, offset, metadata: null },
        { topic: 'b', partition: 1, offset: offset * 2, metadata: 'm' },
      ]);
    }
    await store.deleteTopic('b');
    await store.close();
    const [file] = await fs.readdir(join(dir, 'groups'));
    expect((await fs.readFile(join(dir, 'groups', file), 'utf8')).trim().split('\n')).toHaveLength(101);

    // A torn last line (a commit that was never acknowledged) is ignored.
    await fs.appendFile(join(dir, 'groups', file), '{"group":"g/with:odd chars","topic":"a","parti');

    const reopened = await OffsetStore.open(dir, false, silent);
    expect(reopened.fetch('g/with:odd chars', 'a', 0)).toEqual({ group: 'g/with:odd chars', topic: 'a', partition: 0, offset: 50, metadata: null });
    expect(reopened.fetch('g/with:odd chars', 'b', 1)).toBeUndefined();
    expect(reopened.groupIds()).toEqual(['g/with:odd chars']);
    const lines = (await fs.readFile(join(dir, 'groups', file), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ group: 'g/with:odd chars', topic: 'a', partition: 0, offset: 50, metadata: null }]);
    await reopened.close();
  });

  it('keeps long group ids in hashed file names', async () => {
    const longGroup = 'x'.repeat(400);
    const store = await OffsetStore.open(dir, false, silent);
    await store.commit(longGroup, [{ topic: 't', partition: 0, offset: 7, metadata: null }]);
    await store.close();
    const [file] = await fs.readdir(join(dir, 'groups'));
    expect(file).toMatch(/^[0-9a-f]{64}\.offsets\.jsonl$/);
    const reopened = await OffsetStore.open(dir, false, silent);
    expect(reopened.fetch(longGroup, 't', 0)?.offset).toBe(7);
    await reopened.close();
  });
});
