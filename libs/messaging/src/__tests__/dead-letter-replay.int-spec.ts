import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { deadLetterTopic, Topics } from '@offboarding/contracts';
import { startDevBroker, type DevBroker } from '@offboarding/dev-broker';
import { replayDeadLetters, type ReplayResult } from '../dead-letters';
import { recordingLogger, testKafka, topicReader } from './messaging-test-kit';

// The replay workflow on the development broker, with dead letters written as the consumer writes
// them: a dry run lists, filters by type, error and event id take only their letters and leave the
// rest pending, a letter is never taken twice (the replay group's offsets and their metadata
// remember it across runs), two letters of one event are sent once, and discarded letters are
// done without being sent.
describe('dead-letter replay', () => {
  let broker: DevBroker;
  let kafka: Kafka;
  const logger = recordingLogger();
  const service = 'retention';
  const dlq = deadLetterTopic(service);
  const GRANTED = 'com.offboarding.entitlements.entitlement_granted.v1';
  const CANCELLED = 'com.offboarding.entitlements.entitlement_cancelled.v1';
  const org = randomUUID();

  interface Letter {
    id: string;
    type: string;
    error: string;
    errorType: string;
    origin?: string | null;
  }
  const letters = {
    unavailable: { id: randomUUID(), type: GRANTED, error: 'licence server unavailable', errorType: 'DownstreamUnavailable' },
    unknown: { id: randomUUID(), type: CANCELLED, error: 'entitlement 42 is unknown here', errorType: 'NotFoundError' },
    malformed: { id: randomUUID(), type: GRANTED, error: 'missing header ce_type', errorType: 'MalformedEventError' },
    noOrigin: { id: randomUUID(), type: GRANTED, error: 'lost its origin', errorType: 'Error', origin: null },
    timeout: { id: randomUUID(), type: GRANTED, error: 'statement timeout', errorType: 'QueryFailedError' },
  } satisfies Record<string, Letter>;

  function deadLetter(letter: Letter): Message {
    return {
      // One key: one partition, in order.
      key: org,
      value: JSON.stringify({ id: letter.id }),
      headers: {
        ce_id: letter.id,
        ce_type: letter.type,
        dlq_error: letter.error,
        dlq_error_type: letter.errorType,
        ...(letter.origin === null ? {} : { dlq_original_topic: letter.origin ?? Topics.entitlements }),
        dlq_original_partition: '0',
        dlq_original_offset: '7',
        dlq_attempts: '5',
        dlq_failed_at: new Date().toISOString(),
      },
    };
  }

  const replay = (options: Partial<Parameters<typeof replayDeadLetters>[0]> = {}): Promise<ReplayResult> =>
    replayDeadLetters({ kafka, service, logger, timeoutMs: 30_000, ...options });
  const ids = (result: ReplayResult) => result.letters.map((letter) => letter.eventId);

  beforeAll(async () => {
    broker = await startDevBroker({ port: 0 });
    kafka = testKafka(broker.brokers, logger);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 3 }, { topic: Topics.entitlements, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // The unavailable event failed twice (delivered twice): two letters, one event.
    const { unavailable, unknown, malformed, noOrigin, timeout } = letters;
    await producer.send({ topic: dlq, acks: -1, messages: [unavailable, unknown, malformed, unavailable, noOrigin, timeout].map(deadLetter) });
    await producer.disconnect();
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('lists what it would replay without sending or remembering anything, each event once', async () => {
    for (let run = 0; run < 2; run += 1) {
      const listed = await replay({ mode: 'dry-run' });
      expect(ids(listed)).toEqual([letters.unavailable.id, letters.unknown.id, letters.malformed.id, letters.noOrigin.id, letters.timeout.id]);
      expect(listed).toMatchObject({ replayed: 0, duplicates: 1 });
      expect(listed.letters[1]).toMatchObject({ type: CANCELLED, errorType: 'NotFoundError', error: letters.unknown.error, attempts: 5, organizationId: org, replays: 0 });
    }
    expect(ids(await replay({ mode: 'dry-run', filter: { error: 'SERVER' } }))).toEqual([letters.unavailable.id]);
  });

  it('replays by type, error and event id, never a letter twice, and leaves the others pending', async () => {
    const source = await topicReader(kafka, [Topics.entitlements]);
    try {
      const byType = await replay({ filter: { types: ['entitlement_cancelled'] } });
      expect(ids(byType)).toEqual([letters.unknown.id]);
      expect(byType.notMatching).toBe(5);

      const byError = await replay({ filter: { error: 'unavailable' } });
      expect(ids(byError)).toEqual([letters.unavailable.id]);
      expect(byError.duplicates).toBe(1);
      expect(await replay({ filter: { error: 'unavailable' } })).toMatchObject({ replayed: 0, letters: [] });

      expect(ids(await replay({ filter: { eventIds: [letters.malformed.id] } }))).toEqual([letters.malformed.id]);

      // A letter that cannot be sent anywhere is discarded, not replayed.
      expect(await replay({ filter: { eventIds: [letters.noOrigin.id] } })).toMatchObject({ replayed: 0, withoutOrigin: 1 });
      expect(ids(await replay({ mode: 'discard', filter: { eventIds: [letters.noOrigin.id] } }))).toEqual([letters.noOrigin.id]);

      expect(ids(await replay())).toEqual([letters.timeout.id]);
      expect(await replay()).toMatchObject({ replayed: 0, letters: [] });
      expect((await replay({ mode: 'dry-run' })).letters).toEqual([]);

      // Each replayed event reached its topic exactly once, marked as a replay.
      const replayed = [letters.unknown, letters.unavailable, letters.malformed, letters.timeout].map((letter) => letter.id);
      await source.waitFor(replayed.length, (m) => m.headers.replayed_from_dlq !== undefined);
      expect(source.messages.map((m) => m.headers.ce_id).sort()).toEqual([...replayed].sort());
      expect(source.messages.every((m) => m.headers.replay_count === '1' && !Object.keys(m.headers).some((name) => name.startsWith('dlq_')))).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('takes a letter that arrives later in the next run', async () => {
    const late = { id: randomUUID(), type: GRANTED, error: 'late failure', errorType: 'Error' };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dlq, acks: -1, messages: [deadLetter(late)] });
    await producer.disconnect();
    expect(ids(await replay({ mode: 'dry-run' }))).toEqual([late.id]);
    expect(ids(await replay())).toEqual([late.id]);
    expect(await replay()).toMatchObject({ replayed: 0 });
  });
});
