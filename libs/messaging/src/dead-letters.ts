import { type IHeaders, type Kafka, type KafkaMessage, type Message, Partitioners } from 'kafkajs';
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

/** Which dead letters a replay takes; every given criterion must match. */
export interface DeadLetterFilter {
  /** `ce_id`s. */
  eventIds?: readonly string[];
  /** Event types, in full (`com.offboarding.entitlements.entitlement_granted.v1`) or by their name (`entitlement_granted`). */
  types?: readonly string[];
  /** Text found in the error or its type, case-insensitive. */
  error?: string;
}

/**
 * What a replay does with the letters it takes: `replay` sends them back to their topics,
 * `dry-run` only lists them, `discard` marks them done without sending them (failures that will
 * never succeed); replayed and discarded letters are never taken again.
 */
export type ReplayMode = 'replay' | 'dry-run' | 'discard';

export interface ReplayDeadLettersOptions {
  kafka: Kafka;
  service: ServiceName;
  logger: MessagingLogger;
  filter?: DeadLetterFilter;
  /** Default `replay`. */
  mode?: ReplayMode;
  /** Give up (and throw) when not caught up by then; default 60 s. */
  timeoutMs?: number;
}

/** One dead letter as the replay lists it. */
export interface DeadLetterSummary {
  partition: number;
  offset: string;
  eventId: string | null;
  type: string | null;
  organizationId: string | null;
  originalTopic: string | null;
  errorType: string | null;
  error: string | null;
  failedAt: string | null;
  attempts: number | null;
  /** How often this event was replayed before and failed again. */
  replays: number;
}

export interface ReplayResult {
  mode: ReplayMode;
  /** The letters replayed, discarded, or (dry run) that would be replayed. */
  letters: DeadLetterSummary[];
  replayed: number;
  discarded: number;
  /** Pending letters the filter did not take; a later replay may. */
  notMatching: number;
  /** Letters of an event already taken in this run (the event is sent once). */
  duplicates: number;
  /** Matching letters without a `dlq_original_topic`, which cannot be sent anywhere (discard them). */
  withoutOrigin: number;
  /** Matching letters left for a later run: too many letters before them are still pending. */
  deferred: number;
}

/** Header counting how often an event was replayed; it survives into the next dead letter. */
export const REPLAY_COUNT_HEADER = 'replay_count';
const REPLAY_METADATA_VERSION = 'dlq-replay/1:';
/** Below Kafka's offset.metadata.max.bytes (4096). */
const MAX_REPLAY_METADATA = 3_000;

/** Decided offsets beyond the committed one, as ranges (`5-9,12`), for the commit's metadata. */
export function encodeDecidedOffsets(offsets: Iterable<bigint>): string {
  const sorted = [...new Set(offsets)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1n) end += 1;
    ranges.push(end === index ? `${sorted[index]}` : `${sorted[index]}-${sorted[end]}`);
    index = end + 1;
  }
  return `${REPLAY_METADATA_VERSION}${ranges.join(',')}`;
}

export function decodeDecidedOffsets(metadata: string | null | undefined): Set<bigint> {
  const decided = new Set<bigint>();
  if (!metadata?.startsWith(REPLAY_METADATA_VERSION)) return decided;
  for (const range of metadata.slice(REPLAY_METADATA_VERSION.length).split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) continue;
    for (let offset = BigInt(match[1]); offset <= BigInt(match[2] ?? match[1]); offset += 1n) decided.add(offset);
  }
  return decided;
}

/** A dead letter's headers, read for listing and filtering. */
export function summarizeDeadLetter(partition: number, message: KafkaRecord & { offset: string }): DeadLetterSummary {
  const headers = message.headers ?? {};
  const text = (name: string) => headerText(headers, name) ?? null;
  const attempts = Number(text('dlq_attempts'));
  return {
    partition,
    offset: message.offset,
    eventId: text('ce_id'),
    type: text('ce_type'),
    organizationId: message.key?.toString() ?? null,
    originalTopic: text('dlq_original_topic') || null,
    errorType: text('dlq_error_type'),
    error: text('dlq_error'),
    failedAt: text('dlq_failed_at'),
    attempts: Number.isFinite(attempts) && text('dlq_attempts') !== null ? attempts : null,
    replays: Number(text(REPLAY_COUNT_HEADER) ?? 0) || 0,
  };
}

export function matchesDeadLetterFilter(letter: DeadLetterSummary, filter: DeadLetterFilter = {}): boolean {
  if (filter.eventIds?.length && !(letter.eventId && filter.eventIds.includes(letter.eventId))) return false;
  if (filter.types?.length && !filter.types.some((type) => letter.type === type || (letter.type ?? '').split('.')[3] === type)) return false;
  if (filter.error) {
    const wanted = filter.error.toLowerCase();
    if (![letter.error, letter.errorType].some((text) => text?.toLowerCase().includes(wanted))) return false;
  }
  return true;
}

/** Where a partition's replay stands: letters before `start` are done, so are those in `decided`. */
interface PartitionPosition {
  start: bigint;
  /** The end of the dead-letter topic when the run began: later letters are left for the next run. */
  end: bigint;
  decided: Set<bigint>;
}

/**
 * Replays (or lists, or discards) a service's pending dead letters, up to the end of its
 * dead-letter topic as it was when called. The replay's own consumer group remembers what was
 * taken: its committed offset per partition is the first letter still pending, and the offsets
 * taken beyond it (when a filter left earlier letters pending) are kept in the commit's metadata.
 * So a replay run twice sends nothing twice, a filtered replay leaves the other letters for
 * later, and an event with several pending letters is sent once. A replayed event that fails
 * again becomes a new dead letter (with `replayed_from_dlq` and `replay_count`), the one pending
 * letter of that failure. Consumers de-duplicate by event id, so a replayed event that had been
 * applied meanwhile changes nothing.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<ReplayResult> {
  const { kafka, service, logger } = options;
  const mode = options.mode ?? 'replay';
  const topic = deadLetterTopic(service);
  const groupId = `offboarding.${service}.dlq-replay`;
  const result: ReplayResult = { mode, letters: [], replayed: 0, discarded: 0, notMatching: 0, duplicates: 0, withoutOrigin: 0, deferred: 0 };
  const positions = await replayPositions(kafka, topic, groupId);
  const pending = new Set([...positions].filter(([, position]) => position.start < position.end).map(([partition]) => partition));
  if (pending.size === 0) {
    logger.info({ topic }, 'no dead letters to replay');
    return result;
  }

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // A short fetch wait: the replay ends by disconnecting, which waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  const taken = new Set<string>();
  let caughtUp!: () => void;
  const done = new Promise<void>((resolve) => (caughtUp = resolve));
  let timer: NodeJS.Timeout | undefined;
  const take = async (letter: DeadLetterSummary, message: KafkaMessage, position: PartitionPosition, offset: bigint): Promise<void> => {
    if (!matchesDeadLetterFilter(letter, options.filter)) {
      result.notMatching += 1;
      return;
    }
    const duplicate = letter.eventId !== null && taken.has(letter.eventId);
    if (mode === 'dry-run') {
      if (duplicate) result.duplicates += 1;
      else result.letters.push(letter);
      if (letter.eventId) taken.add(letter.eventId);
      return;
    }
    if (mode === 'replay' && !duplicate && !letter.originalTopic) {
      result.withoutOrigin += 1;
      logger.error({ topic, partition: letter.partition, offset: letter.offset }, 'dead letter has no dlq_original_topic; discard it instead');
      return;
    }
    // Never taken without being remembered: a letter the commit could not record waits.
    if (!canRecord(position, offset)) {
      result.deferred += 1;
      return;
    }
    if (duplicate) result.duplicates += 1;
    else if (mode === 'replay') {
      await producer.send({
        topic: letter.originalTopic!,
        acks: -1,
        messages: [
          {
            key: message.key,
            value: message.value,
            headers: {
              ...withoutDeadLetterHeaders(message.headers),
              [REPLAYED_FROM_HEADER]: `${letter.partition}:${letter.offset}`,
              [REPLAY_COUNT_HEADER]: String(letter.replays + 1),
            },
          },
        ],
      });
      result.replayed += 1;
      result.letters.push(letter);
    } else {
      result.discarded += 1;
      result.letters.push(letter);
    }
    position.decided.add(offset);
    if (letter.eventId) taken.add(letter.eventId);
  };

  try {
    if (mode === 'replay') await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const position = positions.get(partition);
        const offset = BigInt(message.offset);
        // Letters that arrived after the call are left for the next replay.
        if (!position || offset >= position.end || !pending.has(partition)) return;
        if (offset >= position.start && !position.decided.has(offset)) {
          await take(summarizeDeadLetter(partition, message), message, position, offset);
        }
        if (offset + 1n >= position.end) {
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
    if (mode !== 'dry-run') {
      await consumer.commitOffsets(
        [...positions].map(([partition, position]) => {
          const { committed, beyond } = settle(position);
          return { topic, partition, offset: committed.toString(), metadata: beyond.size > 0 ? encodeDecidedOffsets(beyond) : null };
        }),
      );
    }
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await producer.disconnect();
  }
  const { letters: _letters, ...counts } = result;
  logger.info({ topic, ...counts }, mode === 'dry-run' ? 'dead letters listed' : 'dead letters replayed');
  return result;
}

/** The first pending offset (everything before it decided) and the decided offsets after it. */
function settle(position: PartitionPosition): { committed: bigint; beyond: Set<bigint> } {
  let committed = position.start;
  while (committed < position.end && position.decided.has(committed)) committed += 1n;
  return { committed, beyond: new Set([...position.decided].filter((offset) => offset > committed)) };
}

/** Whether deciding `offset` still fits in the commit's metadata. */
function canRecord(position: PartitionPosition, offset: bigint): boolean {
  const { beyond } = settle({ ...position, decided: new Set([...position.decided, offset]) });
  return encodeDecidedOffsets(beyond).length <= MAX_REPLAY_METADATA;
}

/** Per partition of the dead-letter topic: where the replay group stands, and the topic's end now. */
async function replayPositions(kafka: Kafka, topic: string, groupId: string): Promise<Map<number, PartitionPosition>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return new Map();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, p]));
    const positions = new Map<number, PartitionPosition>();
    for (const { partition, high, low } of ends) {
      const commit = byPartition.get(partition);
      const start = bigMax(commit ? BigInt(commit.offset) : -1n, BigInt(low));
      positions.set(partition, { start, end: BigInt(high), decided: decodeDecidedOffsets(commit?.metadata) });
    }
    return positions;
  } finally {
    await admin.disconnect();
  }
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
