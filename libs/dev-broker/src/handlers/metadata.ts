import { topicNameError } from '../log/topic-store';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { AUTHORIZED_OPERATIONS_OMITTED, NO_THROTTLE, type ApiHandler, type RequestContext } from './types';

interface TopicMetadata {
  readonly errorCode: ErrorCode;
  readonly name: string;
  readonly partitionCount: number;
}

async function resolveTopic(ctx: RequestContext, name: string, allowAutoCreation: boolean): Promise<TopicMetadata> {
  const { topics, options } = ctx.broker;
  const existing = topics.get(name);
  if (existing) return { errorCode: ErrorCode.NONE, name, partitionCount: existing.partitions.length };
  if (topicNameError(name) !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitionCount: 0 };
  if (!options.autoCreateTopics || !allowAutoCreation) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitionCount: 0 };
  }
  try {
    // Creation is synchronous from the client's point of view (no leader election to wait for),
    // so the topic is reported ready right away instead of LEADER_NOT_AVAILABLE.
    const topic = await topics.getOrCreate(name, options.defaultPartitions);
    return { errorCode: ErrorCode.NONE, name, partitionCount: topic.partitions.length };
  } catch (error) {
    if (error instanceof KafkaError) return { errorCode: error.code, name, partitionCount: 0 };
    ctx.broker.options.logger.error('auto-creating topic failed', { topic: name, error: String(error) });
    return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, name, partitionCount: 0 };
  }
}

export const metadataHandler: ApiHandler = {
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 8,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const readName = (r: typeof request): string => r.string();
    // v0 cannot express "all topics" with null, it uses an empty list instead.
    const requested = v === 0 ? request.array(readName) : request.nullableArray(readName);
    const allowAutoCreation = v >= 4 ? request.boolean() : true;
    if (v >= 8) {
      request.boolean(); // include_cluster_authorized_operations
      request.boolean(); // include_topic_authorized_operations
    }
    const { broker } = ctx;
    let topics: TopicMetadata[];
    if (requested === null || (v === 0 && requested.length === 0)) {
      topics = broker.topics.list().map((t) => ({ errorCode: ErrorCode.NONE, name: t.name, partitionCount: t.partitions.length }));
    } else {
      topics = [];
      for (const name of new Set(requested)) topics.push(await resolveTopic(ctx, name, allowAutoCreation));
    }

    const writer = new ProtocolWriter();
    if (v >= 3) writer.int32(NO_THROTTLE);
    writer.array([broker.nodeId], (w, nodeId) => {
      w.int32(nodeId).string(broker.options.advertisedHost).int32(broker.port);
      if (v >= 1) w.nullableString(null); // rack
    });
    if (v >= 2) writer.nullableString(broker.clusterId);
    if (v >= 1) writer.int32(broker.nodeId); // controller
    writer.array(topics, (w, topic) => {
      w.int16(topic.errorCode).string(topic.name);
      if (v >= 1) w.boolean(false); // is_internal
      const partitions = Array.from({ length: topic.partitionCount }, (_, i) => i);
      w.array(partitions, (pw, partition) => {
        pw.int16(ErrorCode.NONE).int32(partition).int32(broker.nodeId);
        if (v >= 7) pw.int32(0); // leader epoch never changes on a single node
        pw.array([broker.nodeId], (rw, id) => rw.int32(id)); // replicas
        pw.array([broker.nodeId], (rw, id) => rw.int32(id)); // in-sync replicas
        if (v >= 5) pw.array([], (rw, id: number) => rw.int32(id)); // offline replicas
      });
      if (v >= 8) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
    });
    if (v >= 8) writer.int32(AUTHORIZED_OPERATIONS_OMITTED);
    return writer;
  },
};
