import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { assignBaseOffset, decodeRecords, type RecordBatchHeader } from '../protocol/record-batch';
import type { BatchStore } from './batch-store';
import { ProducerStateTable } from './producer-state';

interface IndexEntry {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly position: number;
  readonly size: number;
  readonly maxTimestamp: number;
}

export interface AppendResult {
  readonly baseOffset: number;
  /** True when an idempotent producer retried a batch that was already stored. */
  readonly duplicate: boolean;
}

export interface TimestampLookup {
  readonly offset: number;
  readonly timestamp: number;
}

/**
 * One partition: an in-memory index over an append-only batch store. Appends run one at a time
 * (offsets must be assigned in write order), and a batch only becomes visible to readers, and is
 * only acknowledged, once its bytes are written.
 */
export class PartitionLog {
  private readonly index: IndexEntry[] = [];
  private readonly producers = new ProducerStateTable();
  private readonly listeners = new Set<() => void>();
  private nextOffset = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly store: BatchStore,
  ) {}

  static async open(topic: string, partition: number, store: BatchStore): Promise<PartitionLog> {
    const log = new PartitionLog(topic, partition, store);
    for (const { position, size, header } of await store.recover()) {
      log.addToIndex(header, position, size);
      log.producers.record(header, header.baseOffset);
    }
    return log;
  }

  /** No retention in the dev broker, so the log always starts at its first offset. */
  get logStartOffset(): number {
    return this.index.length > 0 ? this.index[0].baseOffset : this.nextOffset;
  }

  /** Single replica: everything written is committed, so log end offset = high watermark. */
  get highWatermark(): number {
    return this.nextOffset;
  }

  maxProducerId(): number {
    return this.producers.maxProducerId();
  }

  append(batch: Buffer, header: RecordBatchHeader): Promise<AppendResult> {
    if (this.closed) {
      return Promise.reject(new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${this.topic}-${this.partition} is closed`));
    }
    const result = this.tail.then(() => this.appendNow(batch, header));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async appendNow(batch: Buffer, header: RecordBatchHeader): Promise<AppendResult> {
    const duplicateOf = this.producers.check(header);
    if (duplicateOf !== null) return { baseOffset: duplicateOf, duplicate: true };
    const baseOffset = this.nextOffset;
    // Copy: the incoming bytes are a view into the request frame, which must not be mutated or retained.
    const stored = Buffer.from(batch);
    assignBaseOffset(stored, baseOffset);
    let position: number;
    try {
      position = await this.store.append(stored);
    } catch (error) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `write to ${this.topic}-${this.partition} failed: ${String(error)}`);
    }
    this.addToIndex({ ...header, baseOffset }, position, stored.length);
    this.producers.record(header, baseOffset);
    for (const listener of [...this.listeners]) listener();
    return { baseOffset, duplicate: false };
  }

  private addToIndex(header: RecordBatchHeader, position: number, size: number): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    this.index.push({ baseOffset: header.baseOffset, lastOffset, position, size, maxTimestamp: header.maxTimestamp });
    this.nextOffset = lastOffset + 1;
  }

  /** Index of the batch holding `offset`, or -1 past the end. */
  private locate(offset: number): number {
    let low = 0;
    let high = this.index.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.index[mid].lastOffset < offset) low = mid + 1;
      else high = mid - 1;
    }
    return low < this.index.length ? low : -1;
  }

  /**
   * Whole batches starting with the one containing `fetchOffset`, up to `maxBytes`. Clients skip the
   * records before their fetch offset themselves, exactly as with a real broker. When
   * `allowOversized` is set the first batch is returned even if it exceeds `maxBytes`, so a consumer
   * can always make progress (KIP-74).
   */
  async read(fetchOffset: number, maxBytes: number, allowOversized: boolean): Promise<Buffer | null> {
    const first = this.locate(fetchOffset);
    if (first < 0) return null;
    let end = first;
    let total = 0;
    while (end < this.index.length && total + this.index[end].size <= maxBytes) {
      total += this.index[end].size;
      end++;
    }
    if (end === first) {
      if (!allowOversized) return null;
      total = this.index[first].size;
    }
    return this.store.read(this.index[first].position, total);
  }

  /** The first record with timestamp >= `timestamp` (ListOffsets), or null if there is none. */
  async offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    const entry = this.index.find((e) => e.maxTimestamp >= timestamp);
    if (!entry) return null;
    const batch = await this.store.read(entry.position, entry.size);
    const records = decodeRecords(batch);
    const match = records?.find((r) => r.timestamp >= timestamp);
    // Compressed with a codec we cannot read: answer at batch granularity, which is still a safe
    // place to start consuming since nothing before it qualifies.
    return match ? { offset: match.offset, timestamp: match.timestamp } : { offset: entry.baseOffset, timestamp: entry.maxTimestamp };
  }

  /** Calls `listener` after every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Refuses new appends, lets already accepted ones finish writing, then releases the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.store.close();
    for (const listener of [...this.listeners]) listener();
  }
}
