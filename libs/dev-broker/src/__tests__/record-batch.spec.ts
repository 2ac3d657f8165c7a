import Decoder from 'kafkajs/src/protocol/decoder';
import { RecordBatch } from 'kafkajs/src/protocol/recordBatch/v0';
import Record from 'kafkajs/src/protocol/recordBatch/record/v0';
import decodeRecordBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder';
import { crc32c } from '../protocol/crc32c';
import { ErrorCode, KafkaError } from '../protocol/error-codes';
import {
  assignBaseOffset,
  decodeRecords,
  encodeRecordBatch,
  hasValidCrc,
  readBatchHeader,
  splitBatches,
  validateBatch,
} from '../protocol/record-batch';

const GZIP = 1;

/** A batch exactly as kafkajs's producer builds it. */
async function kafkajsBatch(
  messages: Array<{ key: string | null; value: string | null; headers?: Record<string, string>; timestampDelta?: number }>,
  options: { compression?: number; producerId?: number; firstSequence?: number } = {},
): Promise<Buffer> {
  const encoded = await RecordBatch({
    compression: options.compression ?? 0,
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000 + Math.max(0, ...messages.map((m) => m.timestampDelta ?? 0)),
    lastOffsetDelta: messages.length - 1,
    producerId: options.producerId ?? -1,
    producerEpoch: 0,
    firstSequence: options.firstSequence ?? 0,
    records: messages.map((m, i) => Record({ offsetDelta: i, timestampDelta: m.timestampDelta ?? 0, key: m.key, value: m.value, headers: m.headers })),
  });
  return encoded.buffer;
}

function expectKafkaError(fn: () => unknown, code: ErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KafkaError);
  expect((caught as KafkaError).code).toBe(code);
}

describe('crc32c', () => {
  it('matches the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('record batch v2', () => {
  it('validates and decodes a kafkajs-built batch with keys, null values and headers', async () => {
    const batch = await kafkajsBatch([
      { key: 'k1', value: 'v1', headers: { trace: 'abc', tenant: 't-1' } },
      { key: null, value: 'no key', timestampDelta: 5 },
      { key: 'tombstone', value: null },
    ]);
    const header = validateBatch(batch);
    expect(header).toMatchObject({ magic: 2, recordCount: 3, lastOffsetDelta: 2, producerId: -1, firstTimestamp: 1_700_000_000_000 });
    expect(batch.length).toBe(12 + header.batchLength);

    const records = decodeRecords(batch);
    expect(records?.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [0, 'k1', 'v1'],
      [1, null, 'no key'],
      [2, 'tombstone', null],
    ]);
    expect(records?.[0].headers.map((h) => [h.key, h.value?.toString()])).toEqual([
      ['trace', 'abc'],
      ['tenant', 't-1'],
    ]);
    expect(records?.[1].timestamp).toBe(1_700_000_000_005);
  });

  it('produces batches that kafkajs decodes identically', async () => {
    const ours = encodeRecordBatch({
      baseOffset: 40,
      records: [
        { key: 'a', value: 'first', headers: { h: 'x' }, timestamp: 1000 },
        { key: null, value: Buffer.from([0, 255]), timestamp: 1003 },
      ],
    });
    validateBatch(ours); // our own CRC and layout checks agree with what we wrote
    const decoded = await decodeRecordBatch(new Decoder(ours));
    expect(decoded.firstOffset).toBe('40');
    expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null])).toEqual([
      ['40', '1000', 'a'],
      ['41', '1003', null],
    ]);
    expect(decoded.records[0].headers.h.toString()).toBe('x');
    expect([...(decoded.records[1].value ?? [])]).toEqual([0, 255]);
  });

  it('accepts gzip batches, counting records from the header, and can decode them', async () => {
    const batch = await kafkajsBatch(
      [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ],
      { compression: GZIP },
    );
    expect(validateBatch(batch).recordCount).toBe(2);
    expect(decodeRecords(batch)?.map((r) => r.value?.toString())).toEqual(['one', 'two']);
  });

  it('rewrites the base offset and leader epoch without invalidating the CRC', async () => {
    const batch = await kafkajsBatch([{ key: 'k', value: 'v' }]);
    assignBaseOffset(batch, 123_456, 7);
    const header = readBatchHeader(batch);
    expect(header.baseOffset).toBe(123_456);
    expect(header.partitionLeaderEpoch).toBe(7);
    expect(hasValidCrc(batch, 0, batch.length)).toBe(true);
    expect(() => validateBatch(batch)).not.toThrow();
    expect(decodeRecords(batch)?.[0].offset).toBe(123_456);
  });

  it('rejects a batch whose payload was altered (CRC mismatch) with CORRUPT_MESSAGE', async () => {
    const batch = await kafkajsBatch([{ key: 'k', value: 'value' }]);
    batch[batch.length - 3] ^= 0xff;
    expect(hasValidCrc(batch, 0, batch.length)).toBe(false);
    expectKafkaError(() => validateBatch(batch), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects old message formats with UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    const batch = await kafkajsBatch([{ key: 'k', value: 'v' }]);
    batch.writeInt8(1, 16);
    expectKafkaError(() => validateBatch(batch), ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  });

  it('rejects a record count that disagrees with the records', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    // Claim three records (and a matching lastOffsetDelta), then fix the CRC so only the count is wrong.
    batch.writeInt32BE(3, 57);
    batch.writeInt32BE(2, 23);
    batch.writeUInt32BE(crc32c(batch, 21), 17);
    expectKafkaError(() => validateBatch(batch), ErrorCode.CORRUPT_MESSAGE);
    // lastOffsetDelta inconsistent with the count.
    const other = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    other.writeInt32BE(5, 23);
    other.writeUInt32BE(crc32c(other, 21), 17);
    expectKafkaError(() => validateBatch(other), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a batch whose length field does not match its size', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'a' }] });
    expectKafkaError(() => validateBatch(batch.subarray(0, batch.length - 1)), ErrorCode.CORRUPT_MESSAGE);
    expectKafkaError(() => validateBatch(batch.subarray(0, 30)), ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects transactional batches, which the dev broker does not support', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'a' }] });
    batch.writeInt16BE(0x10, 21);
    batch.writeUInt32BE(crc32c(batch, 21), 17);
    expectKafkaError(() => validateBatch(batch), ErrorCode.INVALID_RECORD);
  });

  it('splits a record set into its batches and rejects truncated sets', () => {
    const a = encodeRecordBatch({ records: [{ value: 'a' }] });
    const b = encodeRecordBatch({ records: [{ value: 'b' }, { value: 'c' }] });
    const parts = splitBatches(Buffer.concat([a, b]));
    expect(parts.map((p) => p.length)).toEqual([a.length, b.length]);
    expect(parts[1].equals(b)).toBe(true);
    expectKafkaError(() => splitBatches(Buffer.concat([a, b.subarray(0, b.length - 4)])), ErrorCode.CORRUPT_MESSAGE);
    expectKafkaError(() => splitBatches(a.subarray(0, 10)), ErrorCode.CORRUPT_MESSAGE);
  });

  it('carries idempotent producer fields through', async () => {
    const batch = await kafkajsBatch([{ key: 'k', value: 'v' }], { producerId: 9001, firstSequence: 17 });
    expect(validateBatch(batch)).toMatchObject({ producerId: 9001, producerEpoch: 0, baseSequence: 17 });
  });
});

describe('crc32c implementation details', () => {
  /** The textbook bitwise definition, as an independent reference for the table-driven version. */
  function reference(data: Buffer): number {
    let crc = 0xffffffff;
    for (const byte of data) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
  }

  it('agrees with the bitwise definition for every length around the 8-byte stride and for sub-ranges', () => {
    let seed = 7;
    const random = Buffer.from(Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) & 0xff)));
    for (let length = 0; length <= 40; length++) expect(crc32c(random.subarray(0, length))).toBe(reference(random.subarray(0, length)));
    expect(crc32c(random)).toBe(reference(random));
    expect(crc32c(random, 13, 251)).toBe(reference(random.subarray(13, 251)));
  });
});
