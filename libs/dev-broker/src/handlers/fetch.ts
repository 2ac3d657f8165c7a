import type { PartitionLog } from '../log/partition-log';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolWriter } from '../protocol/writer';
import { NO_THROTTLE, type ApiHandler, type RequestContext } from './types';

interface PartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface PartitionData {
  readonly partition: number;
  readonly errorCode: ErrorCode;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly records: Buffer | null;
}

interface Collected {
  readonly partitions: PartitionData[];
  readonly bytes: number;
  readonly hasError: boolean;
}

function lookup(ctx: RequestContext, p: PartitionRequest): PartitionLog | undefined {
  return ctx.broker.topics.get(p.topic)?.partitions[p.partition];
}

async function collect(ctx: RequestContext, requests: readonly PartitionRequest[], maxBytes: number): Promise<Collected> {
  const partitions: PartitionData[] = [];
  let bytes = 0;
  let hasError = false;
  for (const p of requests) {
    const log = lookup(ctx, p);
    const fail = (errorCode: ErrorCode): PartitionData => {
      hasError = true;
      return { partition: p.partition, errorCode, highWatermark: -1, logStartOffset: -1, records: null };
    };
    if (!log) {
      partitions.push(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      continue;
    }
    const highWatermark = log.highWatermark;
    const logStartOffset = log.logStartOffset;
    if (p.fetchOffset < logStartOffset || p.fetchOffset > highWatermark) {
      partitions.push({ ...fail(ErrorCode.OFFSET_OUT_OF_RANGE), highWatermark, logStartOffset });
      continue;
    }
    let records: Buffer | null;
    try {
      // Only the first partition with data may exceed the limits, so a huge batch cannot wedge a consumer.
      records = await log.read(p.fetchOffset, Math.max(0, Math.min(p.maxBytes, maxBytes - bytes)), bytes === 0);
    } catch {
      partitions.push(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)); // deleted while we were reading
      continue;
    }
    bytes += records?.length ?? 0;
    partitions.push({ partition: p.partition, errorCode: ErrorCode.NONE, highWatermark, logStartOffset, records });
  }
  return { partitions, bytes, hasError };
}

/**
 * Resolves when any of the logs grows past what was seen, the broker starts closing, or the time
 * is up. The high-watermark comparison closes the race between reading and subscribing.
 */
function waitForData(ctx: RequestContext, logs: readonly PartitionLog[], seen: readonly number[], ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const cleanups: Array<() => void> = [];
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const cleanup of cleanups) cleanup();
      resolve();
    };
    for (const log of logs) cleanups.push(log.onAppend(finish));
    cleanups.push(ctx.broker.onClose(finish));
    const timer = setTimeout(finish, Math.max(0, ms));
    cleanups.push(() => clearTimeout(timer));
    if (ctx.broker.closing || logs.some((log, i) => log.highWatermark !== seen[i])) finish();
  });
}

export const fetchHandler: ApiHandler = {
  apiKey: ApiKey.Fetch,
  // v4 is the first version returning record batch v2 with a last stable offset; v12+ is flexible.
  minVersion: 4,
  maxVersion: 11,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    request.int32(); // replica_id: always a consumer here
    const maxWaitMs = request.int32();
    const minBytes = request.int32();
    const maxBytes = request.int32();
    request.int8(); // isolation_level: no transactions, so read_committed equals read_uncommitted
    let sessionId = 0;
    if (v >= 7) {
      sessionId = request.int32();
      request.int32(); // session_epoch: we never create sessions, so every request is a full fetch
    }
    const partitions: PartitionRequest[] = [];
    request.array((t) => {
      const topic = t.string();
      t.array((p) => {
        const partition = p.int32();
        if (v >= 9) p.int32(); // current_leader_epoch
        const fetchOffset = p.int64();
        if (v >= 5) p.int64(); // log_start_offset (only meaningful for followers)
        partitions.push({ topic, partition, fetchOffset, maxBytes: p.int32() });
      });
    });
    if (v >= 7) {
      // forgotten_topics_data only matters to fetch sessions
      request.array((t) => {
        t.string();
        t.array((p) => p.int32());
      });
    }
    if (v >= 11) request.string(); // rack_id

    const writer = new ProtocolWriter(1024);
    writer.int32(NO_THROTTLE);
    if (v >= 7) {
      if (sessionId !== 0) {
        // Session id 0 in our responses told the client no session exists; anything else is stale.
        return writer.int16(ErrorCode.FETCH_SESSION_ID_NOT_FOUND).int32(0).array([], () => undefined);
      }
      writer.int16(ErrorCode.NONE).int32(0);
    }

    // Long poll, as a real broker does: without it consumers would spin on empty fetches.
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    let collected: Collected;
    for (;;) {
      const logs = partitions.map((p) => lookup(ctx, p)).filter((log): log is PartitionLog => log !== undefined);
      const seen = logs.map((log) => log.highWatermark);
      collected = await collect(ctx, partitions, maxBytes);
      const remaining = deadline - Date.now();
      if (collected.hasError || collected.bytes >= minBytes || remaining <= 0 || ctx.broker.closing) break;
      await waitForData(ctx, logs, seen, remaining);
    }

    // Responses group partitions by topic in request order.
    const byTopic = new Map<string, PartitionData[]>();
    partitions.forEach((p, i) => {
      const list = byTopic.get(p.topic) ?? [];
      list.push(collected.partitions[i]);
      byTopic.set(p.topic, list);
    });
    writer.array([...byTopic.entries()], (w, [topic, data]) => {
      w.string(topic);
      w.array(data, (pw, d) => {
        pw.int32(d.partition).int16(d.errorCode).int64(d.highWatermark);
        pw.int64(d.highWatermark); // last_stable_offset: no open transactions, so it is the high watermark
        if (v >= 5) pw.int64(d.logStartOffset);
        pw.array([], () => undefined); // aborted_transactions
        if (v >= 11) pw.int32(-1); // preferred_read_replica: read from the leader
        pw.bytes(d.records ?? Buffer.alloc(0));
      });
    });
    return writer;
  },
};
