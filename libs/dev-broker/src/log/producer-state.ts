import { ErrorCode, KafkaError } from '../protocol/error-codes';
import { NO_PRODUCER_ID, type RecordBatchHeader } from '../protocol/record-batch';

/** Kafka keeps the last five batches per producer so an in-flight retry can be recognised. */
const RETAINED_BATCHES = 5;

interface RecentBatch {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  recent: RecentBatch[];
}

/** Sequence numbers wrap from Int32.MAX back to 0, mirroring DefaultRecordBatch.incrementSequence. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 0x7fffffff - increment) return increment - (0x7fffffff - sequence) - 1;
  return sequence + increment;
}

/**
 * Per-partition idempotent producer bookkeeping: rejects zombie epochs and sequence gaps, and turns
 * a retried batch into a duplicate that is acknowledged with its original offset.
 */
export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Returns the original base offset if this batch was already appended, otherwise null. */
  check(header: RecordBatchHeader): number | null {
    if (header.producerId === NO_PRODUCER_ID) return null;
    const entry = this.producers.get(header.producerId);
    if (entry && header.producerEpoch < entry.epoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `producer epoch ${header.producerEpoch} is older than ${entry.epoch}`);
    }
    if (!entry) {
      // No state (a restarted in-memory broker, a re-created topic): like Kafka since KIP-360, trust
      // the producer's sequence rather than failing it with UNKNOWN_PRODUCER_ID.
      return null;
    }
    if (header.producerEpoch > entry.epoch) {
      if (header.baseSequence !== 0) {
        throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `new epoch must start at sequence 0, got ${header.baseSequence}`);
      }
      return null;
    }
    const lastSequence = incrementSequence(header.baseSequence, header.lastOffsetDelta);
    const duplicate = entry.recent.find((b) => b.firstSequence === header.baseSequence && b.lastSequence === lastSequence);
    if (duplicate) return duplicate.baseOffset;
    const expected = incrementSequence(entry.lastSequence, 1);
    if (header.baseSequence !== expected) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${header.producerId} sent sequence ${header.baseSequence}, expected ${expected}`,
      );
    }
    return null;
  }

  record(header: RecordBatchHeader, baseOffset: number): void {
    if (header.producerId === NO_PRODUCER_ID) return;
    let entry = this.producers.get(header.producerId);
    if (!entry || header.producerEpoch !== entry.epoch) {
      entry = { epoch: header.producerEpoch, lastSequence: -1, recent: [] };
      this.producers.set(header.producerId, entry);
    }
    entry.lastSequence = incrementSequence(header.baseSequence, header.lastOffsetDelta);
    entry.recent.push({ firstSequence: header.baseSequence, lastSequence: entry.lastSequence, baseOffset });
    if (entry.recent.length > RETAINED_BATCHES) entry.recent.shift();
  }

  maxProducerId(): number {
    let max = NO_PRODUCER_ID;
    for (const id of this.producers.keys()) max = Math.max(max, id);
    return max;
  }
}
