import Decoder from 'kafkajs/src/protocol/decoder';
import Encoder from 'kafkajs/src/protocol/encoder';
import { ProtocolError, ProtocolReader } from '../protocol/reader';
import { ProtocolWriter } from '../protocol/writer';

// kafkajs's own encoder/decoder serve as an independent reference for the wire format.
describe('ProtocolWriter / ProtocolReader', () => {
  it('round-trips fixed-width integers, booleans, strings, bytes and arrays', () => {
    const written = new ProtocolWriter(4) // tiny initial size forces several buffer growths
      .int8(-5)
      .int16(-12345)
      .int32(-2147483648)
      .uint32(0xfedcba98)
      .int64(-1)
      .int64(1_700_000_000_123)
      .boolean(true)
      .string('héllo ✓')
      .nullableString(null)
      .bytes(Buffer.from([1, 2, 3]))
      .nullableBytes(null)
      .array([7, 8, 9], (w, n) => w.int32(n))
      .nullableArray(null, (w, n: number) => w.int32(n))
      .toBuffer();

    const r = new ProtocolReader(written);
    expect(r.int8()).toBe(-5);
    expect(r.int16()).toBe(-12345);
    expect(r.int32()).toBe(-2147483648);
    expect(r.uint32()).toBe(0xfedcba98);
    expect(r.int64()).toBe(-1);
    expect(r.int64()).toBe(1_700_000_000_123);
    expect(r.boolean()).toBe(true);
    expect(r.string()).toBe('héllo ✓');
    expect(r.nullableString()).toBeNull();
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.array((x) => x.int32())).toEqual([7, 8, 9]);
    expect(r.nullableArray((x) => x.int32())).toBeNull();
    expect(r.remaining).toBe(0);
  });

  it('writes exactly what kafkajs writes', () => {
    const ours = new ProtocolWriter()
      .int16(3)
      .int32(-7)
      .int64(42)
      .string('topic')
      .nullableString(null)
      .bytes(Buffer.from('abc'))
      .boolean(false)
      .toBuffer();
    const theirs = new Encoder()
      .writeInt16(3)
      .writeInt32(-7)
      .writeInt64(42)
      .writeString('topic')
      .writeString(null)
      .writeBytes(Buffer.from('abc'))
      .writeBoolean(false).buffer;
    expect(ours.equals(theirs)).toBe(true);
  });

  const varInts = [0, 1, -1, 63, -64, 64, -65, 300, -300, 2 ** 20, 2147483647, -2147483648];
  it.each(varInts)('encodes zig-zag varint %d like kafkajs and decodes it back', (value) => {
    const ours = new ProtocolWriter().varInt(value).toBuffer();
    expect(ours.equals(new Encoder().writeVarInt(value).buffer)).toBe(true);
    expect(new ProtocolReader(ours).varInt()).toBe(value);
    expect(new Decoder(ours).readVarInt()).toBe(value);
  });

  const varLongs = [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 1_700_000_000_000, -1_700_000_000_000, Number.MAX_SAFE_INTEGER];
  it.each(varLongs)('encodes zig-zag varlong %d like kafkajs and decodes it back', (value) => {
    const ours = new ProtocolWriter().varLong(value).toBuffer();
    expect(ours.equals(new Encoder().writeVarLong(value).buffer)).toBe(true);
    expect(new ProtocolReader(ours).varLong()).toBe(value);
    expect(new Decoder(ours).readVarLong().toString()).toBe(String(value));
  });

  it('encodes varint-prefixed bytes, with -1 for null', () => {
    const ours = new ProtocolWriter().varBytes(Buffer.from('key')).varBytes(null).toBuffer();
    expect(ours.equals(new Encoder().writeVarIntBytes(Buffer.from('key')).writeVarIntBytes(null).buffer)).toBe(true);
    const r = new ProtocolReader(ours);
    expect(r.varBytes()?.toString()).toBe('key');
    expect(r.varBytes()).toBeNull();
  });

  it('reports truncated input as a ProtocolError instead of reading past the end', () => {
    expect(() => new ProtocolReader(Buffer.from([0, 1])).int32()).toThrow(ProtocolError);
    // A string claiming 10 bytes with only 2 present.
    expect(() => new ProtocolReader(Buffer.from([0, 10, 65, 66])).string()).toThrow(ProtocolError);
    // An array count far beyond what the buffer can hold is rejected before allocating.
    expect(() => new ProtocolReader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).array((r) => r.int8())).toThrow(ProtocolError);
    // A varint that never terminates.
    expect(() => new ProtocolReader(Buffer.alloc(11, 0xff)).varLong()).toThrow(ProtocolError);
    expect(() => new ProtocolReader(new ProtocolWriter().nullableString(null).toBuffer()).string()).toThrow('unexpected null string');
  });

  it('returns subarray views for raw reads and copies on toBuffer', () => {
    const source = Buffer.from([1, 2, 3, 4]);
    const view = new ProtocolReader(source).raw(2);
    source[0] = 9;
    expect(view[0]).toBe(9);
    const writer = new ProtocolWriter().int8(1);
    const first = writer.toBuffer();
    writer.int8(2);
    expect(first.length).toBe(1);
  });
});

describe('varlong decoding beyond the fast path', () => {
  it.each([2 ** 49, -(2 ** 49), 2 ** 52 + 3, -(2 ** 53) + 1])('decodes %d exactly through the BigInt fallback', (value) => {
    const encoded = new Encoder().writeVarLong(value).buffer;
    expect(encoded.length).toBeGreaterThan(7);
    const reader = new ProtocolReader(Buffer.concat([encoded, Buffer.from([42])]));
    expect(reader.varLong()).toBe(value);
    expect(reader.int8()).toBe(42); // the position ends exactly after the varlong
  });
});
