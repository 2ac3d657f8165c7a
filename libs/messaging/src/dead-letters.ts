import { Partitioners, type IHeaders, type Kafka, type Message } from 'kafkajs';
import { deadLetterTopic, type ServiceName } from '@offboarding/contracts';
import { headerText, type KafkaRecord } from './cloud-event';
import { describeError, type MessagingLogger } from './logger';

// A dead letter is the original message, byte for byte (key, value, headers), plus `dlq_*`
// headers saying why and where from, so it can be inspected and replayed unchanged.

export const DEAD_LETTER_HEADER_PREFIX = 'dlq_';
export const REPLAYED_FROM_HEADER = 'replayed_from_dlq';
const MAX_ERROR_LENGTH = 4_000;

export interface DeadLetterCause {
  error: unknown;
  topic: string;
  partition: number;
  offset: string;
  attempts: number;
  failedAt?: Date;
}

export function deadLetterMessage(original: KafkaRecord, cause: DeadLetterCause): Message {
  const { type, message } = describeError(cause.error);
  return {
    key: original.key ?? null,
    value: original.value,
    headers: {
      ...withoutDeadLetterHeaders(original.headers),
      dlq_error: message.slice(0, MAX_ERROR_LENGTH),
      dlq_error_type: type,
      dlq_original_topic: cause.topic,
      dlq_original_partition: String(cause.partition),
      dlq_original_offset: cause.offset,
      dlq_attempts: String(cause.attempts),
      dlq_failed_at: (cause.failedAt ?? new Date()).toISOString(),
    },
  };
}

/** The original headers of a dead letter; a previous failure's diagnosis must not stick to a replay. */
export function withoutDeadLetterHeaders(headers: IHeaders = {}): IHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(DEAD_LETTER_HEADER_PREFIX)));
}

export interface ReplayDeadLettersOptions {
  kafka: Kafka;
  service: ServiceName;
  logger: MessagingLogger;
  /** Give up (and throw) when not caught up by then; default 60 s. */
  timeoutMs?: number;
}

export interface ReplayResult {
  replayed: number;
  /** Dead letters without a `dlq_original_topic`, which cannot be sent anywhere. */
  skipped: number;
}

/**
 * Sends a service's dead letters back to the topics they came from, up to the end of the
 * dead-letter topic as it was when called, and remembers how far it got (its own consumer group)
 * so the next replay starts after them. Re-feeding is safe: every consumer group that already
 * applied an event finds it in its inbox and ignores it.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<ReplayResult> {
  const { kafka, service, logger } = options;
  const topic = deadLetterTopic(service);
  const groupId = `offboarding.${service}.dlq-replay`;
  const pending = await partitionsBehind(kafka, topic, groupId);
  const result: ReplayResult = { replayed: 0, skipped: 0 };
  if (pending.size === 0) {
    logger.info({ topic }, 'no dead letters to replay');
    return result;
  }

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // A short fetch wait: the replay ends by disconnecting, which waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  let caughtUp!: () => void;
  const done = new Promise<void>((resolve) => (caughtUp = resolve));
  let timer: NodeJS.Timeout | undefined;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = pending.get(partition);
        const offset = BigInt(message.offset);
        // Letters that arrived after the call are left for the next replay.
        if (end === undefined || offset >= end) return;
        const target = headerText(message.headers ?? {}, 'dlq_original_topic');
        if (typeof target === 'string' && target !== '') {
          await producer.send({
            topic: target,
            acks: -1,
            messages: [
              {
                key: message.key,
                value: message.value,
                headers: { ...withoutDeadLetterHeaders(message.headers), [REPLAYED_FROM_HEADER]: message.offset },
              },
            ],
          });
          result.replayed += 1;
        } else {
          result.skipped += 1;
          logger.error({ topic, partition, offset: message.offset }, 'dead letter has no dlq_original_topic; skipped');
        }
        await consumer.commitOffsets([{ topic, partition, offset: (offset + 1n).toString() }]);
        if (offset + 1n >= end) {
          pending.delete(partition);
          if (pending.size === 0) caughtUp();
        }
      },
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`dead-letter replay of ${topic} not caught up after ${timeoutMs} ms (${result.replayed} replayed)`)),
        timeoutMs,
      );
    });
    await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await producer.disconnect();
  }
  logger.info({ topic, ...result }, 'dead letters replayed');
  return result;
}

/** Partition → end offset (exclusive) for the partitions holding letters the group has not replayed. */
async function partitionsBehind(kafka: Kafka, topic: string, groupId: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return new Map();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const position = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    const behind = new Map<number, bigint>();
    for (const { partition, high, low } of ends) {
      const start = bigMax(position.get(partition) ?? -1n, BigInt(low));
      if (BigInt(high) > start) behind.set(partition, BigInt(high));
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
