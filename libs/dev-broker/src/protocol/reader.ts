/**
 * Reads Kafka's big-endian primitive types from a request body. Every read checks bounds so a
 * truncated or malicious frame surfaces as a ProtocolError (the connection is then closed, as a
 * real broker does) instead of a RangeError deep inside Buffer.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export class ProtocolReader {
  private position: number;

  constructor(
    private readonly buffer: Buffer,
    offset = 0,
  ) {
    this.position = offset;
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.buffer.length - this.position;
  }

  private take(size: number): number {
    if (size < 0 || this.position + size > this.buffer.length) {
      throw new ProtocolError(`cannot read ${size} bytes at offset ${this.position} of ${this.buffer.length}`);
    }
    const at = this.position;
    this.position += size;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  /** Offsets, timestamps and producer ids all fit comfortably in a double's 53-bit integer range. */
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.take(8)));
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolError('unexpected null string');
    return value;
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    return this.raw(length);
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** A view (not a copy) of the next `length` bytes. */
  raw(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  nullableArray<T>(readItem: (reader: ProtocolReader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    // Each item is at least one byte, so a count larger than what is left is certainly corrupt;
    // checking it up front avoids allocating a huge array for garbage input.
    if (count > this.remaining) throw new ProtocolError(`array count ${count} exceeds remaining bytes`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  array<T>(readItem: (reader: ProtocolReader) => T): T[] {
    return this.nullableArray(readItem) ?? [];
  }

  /** Zig-zag encoded signed varint (record lengths, deltas, key/value sizes). */
  varInt(): number {
    let raw = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer[this.take(1)];
      raw |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        const n = raw >>> 0;
        return (n >>> 1) ^ -(n & 1);
      }
    }
    throw new ProtocolError('varint is longer than 5 bytes');
  }

  /**
   * Zig-zag encoded signed varlong (timestamp deltas). Decoded with plain numbers, which is exact
   * up to 49 bits and far cheaper than BigInt; longer encodings take the exact BigInt path.
   */
  varLong(): number {
    const start = this.position;
    let raw = 0;
    let multiplier = 1;
    for (let i = 0; i < 7; i++) {
      const byte = this.buffer[this.take(1)];
      raw += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      multiplier *= 128;
    }
    this.position = start;
    return this.bigVarLong();
  }

  private bigVarLong(): number {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buffer[this.take(1)];
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return Number((raw >> 1n) ^ -(raw & 1n));
    }
    throw new ProtocolError('varint is longer than 10 bytes');
  }

  /** Varint-length-prefixed bytes inside a record; -1 means null. */
  varBytes(): Buffer | null {
    const length = this.varInt();
    if (length < 0) return null;
    return this.raw(length);
  }
}
