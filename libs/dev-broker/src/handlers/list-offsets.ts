import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler, type RequestContext } from './types';

const LATEST = -1;
const EARLIEST = -2;

interface OffsetAnswer {
  readonly index: number;
  readonly errorCode: ErrorCode;
  readonly timestamp: number;
  readonly offset: number;
}

async function answer(ctx: RequestContext, topic: string, index: number, timestamp: number): Promise<OffsetAnswer> {
  const log = ctx.broker.topics.get(topic)?.partitions[index];
  if (!log) return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
  if (timestamp === LATEST) return { index, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark };
  if (timestamp === EARLIEST) return { index, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
  if (timestamp < 0) return { index, errorCode: ErrorCode.INVALID_REQUEST, timestamp: -1, offset: -1 };
  const found = await log.offsetForTimestamp(timestamp);
  return found
    ? { index, errorCode: ErrorCode.NONE, timestamp: found.timestamp, offset: found.offset }
    : { index, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1 };
}

export const listOffsetsHandler: ApiHandler = {
  apiKey: ApiKey.ListOffsets,
  // v0 (several offsets per partition, pre-KIP-79) is not needed by any current client.
  minVersion: 1,
  maxVersion: 5,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    request.int32(); // replica_id
    if (v >= 2) request.int8(); // isolation_level
    const topics = request.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => {
        const index = p.int32();
        if (v >= 4) p.int32(); // current_leader_epoch
        return { index, timestamp: p.int64() };
      }),
    }));
    const answers = await Promise.all(
      topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitions.map((p) => answer(ctx, t.name, p.index, p.timestamp))),
      })),
    );
    const writer = new ProtocolWriter();
    if (v >= 2) writer.int32(NO_THROTTLE);
    writer.array(answers, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (pw, p) => {
        pw.int32(p.index).int16(p.errorCode).int64(p.timestamp).int64(p.offset);
        if (v >= 4) pw.int32(p.offset >= 0 ? 0 : -1); // leader_epoch
      });
    });
    return writer;
  },
};
