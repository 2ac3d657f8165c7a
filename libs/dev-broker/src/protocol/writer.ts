/**
 * Builds response bodies. Grows a single buffer geometrically so large fetch responses do not
 * turn into thousands of tiny allocations.
 */
export class ProtocolWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  get size(): number {
    return this.length;
  }

  private reserve(size: number): number {
    const needed = this.length + size;
    if (needed > this.buffer.length) {
      let next = this.buffer.length * 2;
      while (next < needed) next *= 2;
      const grown = Buffer.allocUnsafe(next);
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length = needed;
    return at;
  }

  int8(value: number): this {
    const at = this.reserve(1);
    this.buffer.writeInt8(value, at);
    return this;
  }

  int16(value: number): this {
    const at = this.reserve(2);
    this.buffer.writeInt16BE(value, at);
    return this;
  }

  int32(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeInt32BE(value, at);
    return this;
  }

  uint32(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeUInt32BE(value, at);
    return this;
  }

  int64(value: number | bigint): this {
    const at = this.reserve(8);
    this.buffer.writeBigInt64BE(BigInt(value), at);
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const length = Buffer.byteLength(value, 'utf8');
    this.int16(length);
    const at = this.reserve(length);
    this.buffer.write(value, at, length, 'utf8');
    return this;
  }

  string(value: string): this {
    return this.nullableString(value);
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    return this.raw(value);
  }

  bytes(value: Buffer): this {
    return this.nullableBytes(value);
  }

  raw(value: Buffer): this {
    const at = this.reserve(value.length);
    value.copy(this.buffer, at);
    return this;
  }

  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, writeItem: (writer: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, writeItem);
  }

  private unsignedVarLong(value: bigint): this {
    let rest = value;
    while (rest >= 0x80n) {
      const at = this.reserve(1);
    this.buffer.writeUInt8(Number(rest & 0x7fn) | 0x80, at);
      rest >>= 7n;
    }
    const at = this.reserve(1);
    this.buffer.writeUInt8(Number(rest), at);
    return this;
  }

  varInt(value: number): this {
    return this.unsignedVarLong(BigInt(((value << 1) ^ (value >> 31)) >>> 0));
  }

  varLong(value: number): this {
    const v = BigInt(value);
    return this.unsignedVarLong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  varBytes(value: Buffer | null): this {
    if (value === null) return this.varInt(-1);
    this.varInt(value.length);
    return this.raw(value);
  }

  /** A copy, so the writer may keep being used or discarded independently. */
  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}
