import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler } from './types';

interface TopicOffsets {
  readonly name: string;
  readonly partitions: ReadonlyArray<{ readonly index: number; readonly offset: number; readonly metadata: string | null }>;
}

export const offsetFetchHandler: ApiHandler = {
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groupId = request.string();
    const readTopic = (t: typeof request): { name: string; partitions: number[] } => ({
      name: t.string(),
      partitions: t.array((p) => p.int32()),
    });
    // v2+ accepts null meaning "every partition the group has committed".
    const requested = v >= 2 ? request.nullableArray(readTopic) : request.array(readTopic);
    const { offsets } = ctx.broker;

    let topics: TopicOffsets[];
    if (requested === null) {
      const byTopic = new Map<string, Array<{ index: number; offset: number; metadata: string | null }>>();
      for (const entry of offsets.all(groupId)) {
        const list = byTopic.get(entry.topic) ?? [];
        list.push({ index: entry.partition, offset: entry.offset, metadata: entry.metadata });
        byTopic.set(entry.topic, list);
      }
      topics = [...byTopic.entries()].map(([name, partitions]) => ({ name, partitions }));
    } else {
      topics = requested.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((index) => {
          const committed = offsets.fetch(groupId, t.name, index);
          // No commit yet: offset -1 and empty metadata with no error, which makes clients apply their reset policy.
          return { index, offset: committed?.offset ?? -1, metadata: committed ? committed.metadata : '' };
        }),
      }));
    }

    const writer = new ProtocolWriter();
    if (v >= 3) writer.int32(NO_THROTTLE);
    writer.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (pw, p) => {
        pw.int32(p.index).int64(p.offset);
        if (v >= 5) pw.int32(-1); // committed_leader_epoch: not tracked
        pw.nullableString(p.metadata).int16(ErrorCode.NONE);
      });
    });
    if (v >= 2) writer.int16(ErrorCode.NONE);
    return Promise.resolve(writer);
  },
};
