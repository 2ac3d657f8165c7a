import { gunzipSync } from 'node:zlib';
import { crc32c } from './crc32c';
import { ErrorCode, KafkaError } from './error-codes';
import { ProtocolError, ProtocolReader } from './reader';
import { ProtocolWriter } from './writer';

/**
 * Record batch v2 (magic 2) handling. The broker stores batches exactly as produced; it only reads
 * the header (to count records and track idempotent producers) and rewrites the two fields that lie
 * outside the CRC: baseOffset and partitionLeaderEpoch.
 */

/** baseOffset (int64) + batchLength (int32): the part of a batch not counted in batchLength. */
export const LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = 61;

const OFFSET_PARTITION_LEADER_EPOCH = 12;
const OFFSET_MAGIC = 16;
const OFFSET_CRC = 17;
/** The CRC covers everything from the attributes field to the end of the batch. */
const OFFSET_ATTRIBUTES = 21;

const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
const MAX_COMPRESSION_CODEC = 4; // none, gzip, snappy, lz4, zstd

export const NO_PRODUCER_ID = -1;

export interface RecordBatchHeader {
  readonly baseOffset: number;
  /** Size of the batch after the batchLength field; the whole batch is LOG_OVERHEAD + batchLength. */
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface DecodedRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}

/** Reads the fixed 61-byte header; the caller guarantees the bytes are there. */
export function readBatchHeader(buffer: Buffer, at = 0): RecordBatchHeader {
  return {
    baseOffset: Number(buffer.readBigInt64BE(at)),
    batchLength: buffer.readInt32BE(at + 8),
    partitionLeaderEpoch: buffer.readInt32BE(at + OFFSET_PARTITION_LEADER_EPOCH),
    magic: buffer.readInt8(at + OFFSET_MAGIC),
    crc: buffer.readUInt32BE(at + OFFSET_CRC),
    attributes: buffer.readInt16BE(at + OFFSET_ATTRIBUTES),
    lastOffsetDelta: buffer.readInt32BE(at + 23),
    firstTimestamp: Number(buffer.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buffer.readBigInt64BE(at + 35)),
    producerId: Number(buffer.readBigInt64BE(at + 43)),
    producerEpoch: buffer.readInt16BE(at + 51),
    baseSequence: buffer.readInt32BE(at + 53),
    recordCount: buffer.readInt32BE(at + 57),
  };
}

export function compressionCodec(attributes: number): number {
  return attributes & COMPRESSION_MASK;
}

/**
 * Splits a produce request's record set into individual batches (clients normally send one per
 * partition, but the format allows several back to back).
 */
export function splitBatches(records: Buffer): Buffer[] {
  const batches: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < LOG_OVERHEAD + 5) throw corrupt('record set ends inside a batch header');
    const batchLength = records.readInt32BE(at + 8);
    const end = at + LOG_OVERHEAD + batchLength;
    if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || end > records.length) {
      throw corrupt(`record batch length ${batchLength} is inconsistent with the record set`);
    }
    batches.push(records.subarray(at, end));
    at = end;
  }
  return batches;
}

/**
 * Checks a single produced batch the way a broker must before accepting it: format version, CRC,
 * a record count that agrees with lastOffsetDelta and, when the batch is not compressed, records
 * that parse and fill the batch exactly. Returns the parsed header.
 */
export function validateBatch(batch: Buffer): RecordBatchHeader {
  if (batch.length < BATCH_HEADER_SIZE) throw corrupt('record batch shorter than its header');
  const magic = batch.readInt8(OFFSET_MAGIC);
  if (magic !== 2) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `record batch magic ${magic} is not supported (need 2)`);
  }
  const header = readBatchHeader(batch);
  if (LOG_OVERHEAD + header.batchLength !== batch.length) throw corrupt('record batch length does not match its size');
  const actualCrc = crc32c(batch, OFFSET_ATTRIBUTES);
  if (actualCrc !== header.crc) throw corrupt(`record batch CRC mismatch (stored ${header.crc}, computed ${actualCrc})`);
  if (compressionCodec(header.attributes) > MAX_COMPRESSION_CODEC) throw corrupt('unknown compression codec');
  if ((header.attributes & (TRANSACTIONAL_FLAG | CONTROL_FLAG)) !== 0) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, 'transactional and control batches are not supported by the dev broker');
  }
  if (header.recordCount < 1 || header.lastOffsetDelta !== header.recordCount - 1) {
    throw corrupt(`record count ${header.recordCount} disagrees with lastOffsetDelta ${header.lastOffsetDelta}`);
  }
  if (compressionCodec(header.attributes) === 0) {
    // Parsing proves the count is honest; compressed batches are trusted on their count since the
    // broker cannot decompress snappy/lz4/zstd without extra dependencies.
    walkRecords(header, batch.subarray(BATCH_HEADER_SIZE), false);
  }
  return header;
}

/** Stamps the broker-assigned offset and leader epoch; both lie outside the CRC. */
export function assignBaseOffset(batch: Buffer, baseOffset: number, partitionLeaderEpoch = 0): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  batch.writeInt32BE(partitionLeaderEpoch, OFFSET_PARTITION_LEADER_EPOCH);
}

/** Whether the stored batch at `at` is intact; used when scanning a log after a crash. */
export function hasValidCrc(buffer: Buffer, at: number, size: number): boolean {
  if (size < BATCH_HEADER_SIZE || buffer.readInt8(at + OFFSET_MAGIC) !== 2) return false;
  return crc32c(buffer, at + OFFSET_ATTRIBUTES, at + size) === buffer.readUInt32BE(at + OFFSET_CRC);
}

/**
 * Parses every record of an uncompressed payload, checking that the lengths and offset deltas are
 * consistent. With `materialize` false (validation on the produce path) nothing is copied or kept.
 */
function walkRecords(header: RecordBatchHeader, payload: Buffer, materialize: boolean): DecodedRecord[] {
  const reader = new ProtocolReader(payload);
  const records: DecodedRecord[] = [];
  try {
    for (let i = 0; i < header.recordCount; i++) {
      const length = reader.varInt();
      const end = reader.offset + length;
      if (length < 0 || end > payload.length) throw corrupt('record length runs past the batch');
      reader.int8(); // record attributes, unused by the protocol today
      const timestampDelta = reader.varLong();
      const offsetDelta = reader.varInt();
      const key = reader.varBytes();
      const value = reader.varBytes();
      const headerCount = reader.varInt();
      if (headerCount < 0) throw corrupt('negative record header count');
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const headerKey = reader.varBytes();
        if (headerKey === null) throw corrupt('null record header key');
        const headerValue = reader.varBytes();
        if (materialize) headers.push({ key: headerKey.toString('utf8'), value: headerValue && Buffer.from(headerValue) });
      }
      if (reader.offset !== end) throw corrupt('record length disagrees with its fields');
      if (offsetDelta !== i) throw corrupt(`record ${i} has offset delta ${offsetDelta}`);
      if (!materialize) continue;
      records.push({
        offset: header.baseOffset + offsetDelta,
        timestamp: header.firstTimestamp + timestampDelta,
        key: key && Buffer.from(key),
        value: value && Buffer.from(value),
        headers,
      });
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw corrupt(`malformed record: ${error.message}`);
    throw error;
  }
  if (reader.remaining !== 0) throw corrupt('trailing bytes after the last record');
  return records;
}

/**
 * Decodes the records of a stored batch. Supports uncompressed and gzip batches (zlib is built in);
 * returns null for codecs the broker cannot read, so callers can fall back to batch granularity.
 */
export function decodeRecords(batch: Buffer): DecodedRecord[] | null {
  const header = readBatchHeader(batch);
  const payload = batch.subarray(BATCH_HEADER_SIZE, LOG_OVERHEAD + header.batchLength);
  switch (compressionCodec(header.attributes)) {
    case 0:
      return walkRecords(header, payload, true);
    case 1:
      return walkRecords(header, gunzipSync(payload), true);
    default:
      return null;
  }
}

export interface RecordInput {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  readonly timestamp?: number;
}

export interface BatchInput {
  readonly records: readonly RecordInput[];
  readonly baseOffset?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Encodes an uncompressed batch; used by tests and tooling to produce exactly-known bytes. */
export function encodeRecordBatch(input: BatchInput): Buffer {
  if (input.records.length === 0) throw new Error('a record batch needs at least one record');
  const now = Date.now();
  const timestamps = input.records.map((r) => r.timestamp ?? now);
  const firstTimestamp = timestamps[0];
  const maxTimestamp = Math.max(...timestamps);
  const body = new ProtocolWriter();
  input.records.forEach((record, index) => {
    const inner = new ProtocolWriter();
    inner.int8(0).varLong(timestamps[index] - firstTimestamp).varInt(index);
    inner.varBytes(toBuffer(record.key)).varBytes(toBuffer(record.value));
    const headers = Object.entries(record.headers ?? {});
    inner.varInt(headers.length);
    for (const [key, value] of headers) inner.varBytes(Buffer.from(key, 'utf8')).varBytes(toBuffer(value));
    body.varInt(inner.size).raw(inner.toBuffer());
  });
  const crcPart = new ProtocolWriter()
    .int16(0)
    .int32(input.records.length - 1)
    .int64(firstTimestamp)
    .int64(maxTimestamp)
    .int64(input.producerId ?? NO_PRODUCER_ID)
    .int16(input.producerEpoch ?? -1)
    .int32(input.baseSequence ?? -1)
    .int32(input.records.length)
    .raw(body.toBuffer())
    .toBuffer();
  return new ProtocolWriter()
    .int64(input.baseOffset ?? 0)
    .int32(crcPart.length + 9) // leader epoch (4) + magic (1) + crc (4) precede the CRC'd part
    .int32(0)
    .int8(2)
    .uint32(crc32c(crcPart))
    .raw(crcPart)
    .toBuffer();
}
