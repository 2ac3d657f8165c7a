import { TopicStore } from '../log/topic-store';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler, type RequestContext } from './types';

interface CreatableTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: ReadonlyArray<{ readonly partition: number; readonly brokerIds: readonly number[] }>;
}

interface CreateResult {
  readonly name: string;
  readonly errorCode: ErrorCode;
  readonly message: string | null;
}

/** Works out the partition count, rejecting what a one-node cluster cannot honour. */
function partitionCount(ctx: RequestContext, topic: CreatableTopic): number {
  const { nodeId, options } = ctx.broker;
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'both numPartitions and replicationFactor must be -1 with a manual assignment');
    }
    const partitions = topic.assignments.map((a) => a.partition).sort((a, b) => a - b);
    if (partitions.some((p, i) => p !== i)) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions must be numbered consecutively from 0');
    }
    if (topic.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId)) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `the only broker is ${nodeId}`);
    }
    return topic.assignments.length;
  }
  const replicationFactor = topic.replicationFactor === -1 ? 1 : topic.replicationFactor;
  if (replicationFactor !== 1) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${topic.replicationFactor} larger than available brokers: 1.`,
    );
  }
  return topic.numPartitions === -1 ? options.defaultPartitions : topic.numPartitions;
}

async function createOne(ctx: RequestContext, topic: CreatableTopic, duplicated: boolean, validateOnly: boolean): Promise<CreateResult> {
  try {
    if (duplicated) throw new KafkaError(ErrorCode.INVALID_REQUEST, `topic '${topic.name}' appears more than once in the request`);
    const partitions = partitionCount(ctx, topic);
    TopicStore.validate(topic.name, partitions);
    if (ctx.broker.topics.get(topic.name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`);
    }
    if (!validateOnly) await ctx.broker.topics.create(topic.name, partitions);
    return { name: topic.name, errorCode: ErrorCode.NONE, message: null };
  } catch (error) {
    if (error instanceof KafkaError) return { name: topic.name, errorCode: error.code, message: error.message };
    throw error;
  }
}

export const createTopicsHandler: ApiHandler = {
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const topics: CreatableTopic[] = request.array((t) => {
      const name = t.string();
      const numPartitions = t.int32();
      const replicationFactor = t.int16();
      const assignments = t.array((a) => ({ partition: a.int32(), brokerIds: a.array((b) => b.int32()) }));
      // Topic configs (retention, cleanup policy, ...) are accepted and ignored: the dev broker keeps everything.
      t.array((c) => [c.string(), c.nullableString()]);
      return { name, numPartitions, replicationFactor, assignments };
    });
    request.int32(); // timeout_ms: creation completes before we answer
    const validateOnly = v >= 1 ? request.boolean() : false;

    const counts = new Map<string, number>();
    for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreateResult[] = [];
    for (const t of topics) results.push(await createOne(ctx, t, (counts.get(t.name) ?? 0) > 1, validateOnly));

    const writer = new ProtocolWriter();
    if (v >= 2) writer.int32(NO_THROTTLE);
    writer.array(results, (w, r) => {
      w.string(r.name).int16(r.errorCode);
      if (v >= 1) w.nullableString(r.message);
    });
    return writer;
  },
};
