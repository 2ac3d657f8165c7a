import type { OffsetCommitEntry } from '../groups/offset-store';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

/** Kafka's offset.metadata.max.bytes default. */
const MAX_METADATA_LENGTH = 4096;

export const offsetCommitHandler: ApiHandler = {
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    // v0 predates group management: such commits behave like generation -1 (simple consumers).
    const generationId = v >= 1 ? request.int32() : -1;
    const memberId = v >= 1 ? request.string() : '';
    if (v >= 7) request.nullableString(); // group_instance_id
    if (v >= 2 && v <= 4) request.int64(); // retention_time_ms: offsets never expire here
    const topics = request.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => {
        const index = p.int32();
        const offset = p.int64();
        if (v >= 6) p.int32(); // committed_leader_epoch
        if (v === 1) p.int64(); // commit_timestamp
        return { index, offset, metadata: p.nullableString() };
      }),
    }));

    const { broker } = ctx;
    const groupError = broker.groups.validateCommit(groupId, generationId, memberId);
    const accepted: OffsetCommitEntry[] = [];
    function codeFor(topic: string, p: { index: number; offset: number; metadata: string | null }): ErrorCode {
      if (groupError !== ErrorCode.NONE) return groupError;
      if (!broker.topics.get(topic)?.partitions[p.index]) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (p.metadata !== null && p.metadata.length > MAX_METADATA_LENGTH) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      accepted.push({ topic, partition: p.index, offset: p.offset, metadata: p.metadata });
      return ErrorCode.NONE;
    }
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ index: p.index, code: codeFor(t.name, p) })),
    }));
    let storeError: ErrorCode = ErrorCode.NONE;
    if (accepted.length > 0) {
      try {
        await broker.offsets.commit(groupId, accepted);
      } catch (error) {
        broker.options.logger.error('persisting committed offsets failed', { groupId, error: String(error) });
        storeError = ErrorCode.COORDINATOR_NOT_AVAILABLE; // retriable for clients
      }
    }

    const writer = new ProtocolWriter();
    if (v >= 3) writer.int32(NO_THROTTLE);
    writer.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (pw, p) => pw.int32(p.index).int16(p.code === ErrorCode.NONE ? storeError : p.code));
    });
    return writer;
  },
};
