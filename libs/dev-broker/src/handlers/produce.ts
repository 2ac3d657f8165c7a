import { MAX_BATCH_BYTES } from '../log/batch-store';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { splitBatches, validateBatch } from '../protocol/record-batch';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler, type RequestContext } from './types';

interface PartitionResult {
  readonly index: number;
  readonly errorCode: ErrorCode;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

async function appendToPartition(
  ctx: RequestContext,
  topicName: string,
  index: number,
  records: Buffer | null,
  acks: number,
): Promise<PartitionResult> {
  const fail = (errorCode: ErrorCode): PartitionResult => ({ index, errorCode, baseOffset: -1, logStartOffset: -1 });
  if (acks !== -1 && acks !== 0 && acks !== 1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
  // Kafka never auto-creates on produce; clients create through Metadata first.
  const log = ctx.broker.topics.get(topicName)?.partitions[index];
  if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  try {
    if (records === null || records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
    const batches = splitBatches(records);
    // Validate everything before appending anything, so a bad request leaves no partial write.
    const headers = batches.map((batch) => {
      if (batch.length > MAX_BATCH_BYTES) throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${batch.length} bytes`);
      return validateBatch(batch);
    });
    let baseOffset = -1;
    for (let i = 0; i < batches.length; i++) {
      const result = await log.append(batches[i], headers[i]);
      if (i === 0) baseOffset = result.baseOffset;
    }
    return { index, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: log.logStartOffset };
  } catch (error) {
    if (error instanceof KafkaError) {
      ctx.broker.options.logger.warn('produce rejected', { topic: topicName, partition: index, code: error.code, reason: error.message });
      return fail(error.code);
    }
    throw error;
  }
}

export const produceHandler: ApiHandler = {
  apiKey: ApiKey.Produce,
  // v3 is the first version carrying record batch v2 (headers, idempotence); v8+ adds
  // per-record errors and v9+ is flexible.
  minVersion: 3,
  maxVersion: 7,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    request.nullableString(); // transactional_id: transactions are not supported, batches are checked instead
    const acks = request.int16();
    request.int32(); // timeout: appends complete as soon as they are written
    const topics = request.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({ index: p.int32(), records: p.nullableBytes() })),
    }));
    const results = await Promise.all(
      topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(topic.partitions.map((p) => appendToPartition(ctx, topic.name, p.index, p.records, acks))),
      })),
    );
    // acks=0: the client does not read a response, so sending one would desynchronise correlation ids.
    if (acks === 0) return null;
    const writer = new ProtocolWriter();
    writer.array(results, (w, topic) => {
      w.string(topic.name);
      w.array(topic.partitions, (pw, p) => {
        pw.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
        if (v >= 2) pw.int64(-1); // log_append_time: topics use CreateTime
        if (v >= 5) pw.int64(p.logStartOffset);
      });
    });
    writer.int32(NO_THROTTLE);
    return writer;
  },
};
