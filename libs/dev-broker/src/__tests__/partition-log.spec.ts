import { MemoryBatchStore } from '../log/batch-store';
import { PartitionLog } from '../log/partition-log';
import { incrementSequence } from '../log/producer-state';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { decodeRecords, encodeRecordBatch, readBatchHeader, splitBatches, validateBatch, type RecordInput } from '../protocol/record-batch';

function batchOf(values: string[], extra: { producerId?: number; producerEpoch?: number; baseSequence?: number; timestamp?: number } = {}): Buffer {
  const records: RecordInput[] = values.map((value, i) => ({ key: `k-${value}`, value, timestamp: (extra.timestamp ?? 1000) + i }));
  return encodeRecordBatch({ records, ...extra });
}

async function append(log: PartitionLog, batch: Buffer): Promise<{ baseOffset: number; duplicate: boolean }> {
  return log.append(batch, validateBatch(batch));
}

async function valuesFrom(log: PartitionLog, offset: number, maxBytes = 1 << 20): Promise<Array<[number, string]>> {
  const bytes = await log.read(offset, maxBytes, true);
  if (!bytes) return [];
  return splitBatches(bytes).flatMap((b) => (decodeRecords(b) ?? []).map((r): [number, string] => [r.offset, r.value?.toString() ?? '']));
}

async function rejection(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KafkaError) return error.code;
    throw error;
  }
  throw new Error('expected a KafkaError');
}

describe('PartitionLog (in memory)', () => {
  let log: PartitionLog;
  beforeEach(async () => {
    log = await PartitionLog.open('orders', 0, new MemoryBatchStore());
  });
  afterEach(async () => {
    await log.close();
  });

  it('assigns consecutive offsets across batches and rewrites each stored base offset', async () => {
    expect(log.highWatermark).toBe(0);
    expect(await append(log, batchOf(['a', 'b', 'c']))).toEqual({ baseOffset: 0, duplicate: false });
    expect(await append(log, batchOf(['d']))).toEqual({ baseOffset: 3, duplicate: false });
    expect(await append(log, batchOf(['e', 'f']))).toEqual({ baseOffset: 4, duplicate: false });
    expect(log.highWatermark).toBe(6);
    expect(log.logStartOffset).toBe(0);
    expect(await valuesFrom(log, 0)).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
      [4, 'e'],
      [5, 'f'],
    ]);
  });

  it('serves whole batches from the one containing the fetch offset (clients skip earlier records)', async () => {
    await append(log, batchOf(['a', 'b', 'c']));
    await append(log, batchOf(['d', 'e']));
    expect((await valuesFrom(log, 1)).map(([o]) => o)).toEqual([0, 1, 2, 3, 4]);
    expect((await valuesFrom(log, 3)).map(([o]) => o)).toEqual([3, 4]);
    expect(await log.read(5, 1 << 20, true)).toBeNull(); // at the high watermark: nothing yet
  });

  it('respects maxBytes but always returns the first batch when allowed to (KIP-74)', async () => {
    const first = batchOf(['a'.repeat(100)]);
    const second = batchOf(['b']);
    await append(log, first);
    await append(log, second);
    expect((await log.read(0, first.length, false))?.length).toBe(first.length);
    expect((await log.read(0, first.length + second.length, false))?.length).toBe(first.length + second.length);
    expect(await log.read(0, 10, false)).toBeNull();
    expect((await log.read(0, 10, true))?.length).toBe(first.length);
  });

  it('does not keep a reference to the caller’s buffer', async () => {
    const batch = batchOf(['x']);
    const copy = Buffer.from(batch);
    await append(log, batch);
    expect(batch.equals(copy)).toBe(true); // the offset rewrite happened on the stored copy
    batch.fill(0);
    expect(await valuesFrom(log, 0)).toEqual([[0, 'x']]);
  });

  it('finds the first offset at or after a timestamp', async () => {
    await append(log, batchOf(['a', 'b'], { timestamp: 1000 })); // 1000, 1001
    await append(log, batchOf(['c', 'd'], { timestamp: 2000 })); // 2000, 2001
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
    expect(await log.offsetForTimestamp(1001)).toEqual({ offset: 1, timestamp: 1001 });
    expect(await log.offsetForTimestamp(1500)).toEqual({ offset: 2, timestamp: 2000 });
    expect(await log.offsetForTimestamp(2001)).toEqual({ offset: 3, timestamp: 2001 });
    expect(await log.offsetForTimestamp(3000)).toBeNull();
  });

  it('keeps offsets in request order when appends race', async () => {
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => append(log, batchOf([v, v]))));
    expect(results.map((r) => r.baseOffset)).toEqual([0, 2, 4, 6]);
    expect((await valuesFrom(log, 0)).map(([, v]) => v).join('')).toBe('aabbccdd');
  });

  it('notifies append listeners until they unsubscribe', async () => {
    const seen: number[] = [];
    const unsubscribe = log.onAppend(() => seen.push(log.highWatermark));
    await append(log, batchOf(['a']));
    unsubscribe();
    await append(log, batchOf(['b']));
    expect(seen).toEqual([1]);
  });

  it('refuses appends after close but finishes the ones already accepted', async () => {
    const pending = append(log, batchOf(['a']));
    const closing = log.close();
    expect(await rejection(append(log, batchOf(['b'])))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await pending).baseOffset).toBe(0);
    await closing;
  });

  describe('idempotent producers', () => {
    const pid = 5000;

    it('acknowledges a retried batch with its original offset instead of appending it twice', async () => {
      expect((await append(log, batchOf(['a', 'b'], { producerId: pid, producerEpoch: 0, baseSequence: 0 }))).baseOffset).toBe(0);
      expect((await append(log, batchOf(['c'], { producerId: pid, producerEpoch: 0, baseSequence: 2 }))).baseOffset).toBe(2);
      const retry = await append(log, batchOf(['a', 'b'], { producerId: pid, producerEpoch: 0, baseSequence: 0 }));
      expect(retry).toEqual({ baseOffset: 0, duplicate: true });
      expect(log.highWatermark).toBe(3);
    });

    it('rejects a gap in sequence numbers', async () => {
      await append(log, batchOf(['a'], { producerId: pid, producerEpoch: 0, baseSequence: 0 }));
      const gap = append(log, batchOf(['c'], { producerId: pid, producerEpoch: 0, baseSequence: 2 }));
      expect(await rejection(gap)).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(log.highWatermark).toBe(1);
    });

    it('fences an older epoch and requires a new epoch to start at sequence 0', async () => {
      await append(log, batchOf(['a'], { producerId: pid, producerEpoch: 1, baseSequence: 0 }));
      expect(await rejection(append(log, batchOf(['z'], { producerId: pid, producerEpoch: 0, baseSequence: 1 })))).toBe(
        ErrorCode.INVALID_PRODUCER_EPOCH,
      );
      expect(await rejection(append(log, batchOf(['b'], { producerId: pid, producerEpoch: 2, baseSequence: 5 })))).toBe(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      );
      expect((await append(log, batchOf(['b'], { producerId: pid, producerEpoch: 2, baseSequence: 0 }))).baseOffset).toBe(1);
    });

    it('accepts a producer it has no state for at any sequence (KIP-360), then enforces order from there', async () => {
      expect((await append(log, batchOf(['a'], { producerId: 77, producerEpoch: 0, baseSequence: 3 }))).baseOffset).toBe(0);
      expect(await rejection(append(log, batchOf(['c'], { producerId: 77, producerEpoch: 0, baseSequence: 5 })))).toBe(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      );
      expect((await append(log, batchOf(['b'], { producerId: 77, producerEpoch: 0, baseSequence: 4 }))).baseOffset).toBe(1);
    });

    it('keeps only the last five batches for duplicate detection, like Kafka', async () => {
      for (let seq = 0; seq < 7; seq++) await append(log, batchOf([`m${seq}`], { producerId: pid, producerEpoch: 0, baseSequence: seq }));
      expect((await append(log, batchOf(['m6'], { producerId: pid, producerEpoch: 0, baseSequence: 6 }))).duplicate).toBe(true);
      expect((await append(log, batchOf(['m2'], { producerId: pid, producerEpoch: 0, baseSequence: 2 }))).duplicate).toBe(true);
      expect(await rejection(append(log, batchOf(['m1'], { producerId: pid, producerEpoch: 0, baseSequence: 1 })))).toBe(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      );
    });

    it('wraps sequence numbers at Int32.MAX', () => {
      expect(incrementSequence(5, 1)).toBe(6);
      expect(incrementSequence(2147483647, 1)).toBe(0);
      expect(incrementSequence(2147483646, 3)).toBe(1);
    });

    it('reports the highest producer id seen, so restarts never reuse one', async () => {
      await append(log, batchOf(['a'], { producerId: 12, producerEpoch: 0, baseSequence: 0 }));
      await append(log, batchOf(['b'], { producerId: 40, producerEpoch: 0, baseSequence: 0 }));
      expect(log.maxProducerId()).toBe(40);
      expect(readBatchHeader(batchOf(['c'])).producerId).toBe(-1);
    });
  });
});
