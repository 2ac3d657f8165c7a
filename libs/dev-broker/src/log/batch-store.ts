import { constants as fsConstants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../options';
import { BATCH_HEADER_SIZE, hasValidCrc, LOG_OVERHEAD, readBatchHeader, type RecordBatchHeader } from '../protocol/record-batch';

/** Largest single batch accepted or trusted while scanning; anything bigger is treated as corruption. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

export interface StoredBatch {
  readonly position: number;
  readonly size: number;
  readonly header: RecordBatchHeader;
}

/**
 * Where a partition's batches live. Batches are stored back to back, so any run of consecutive
 * batches is one contiguous byte range and a fetch is a single read.
 */
export interface BatchStore {
  /** Existing batches, oldest first; a torn or corrupt tail is cut off. */
  recover(): Promise<StoredBatch[]>;
  /** Appends and resolves with the batch's position once the bytes are written. */
  append(batch: Buffer): Promise<number>;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export class MemoryBatchStore implements BatchStore {
  private readonly positions: number[] = [];
  private readonly batches: Buffer[] = [];
  private size = 0;

  recover(): Promise<StoredBatch[]> {
    return Promise.resolve([]);
  }

  append(batch: Buffer): Promise<number> {
    const position = this.size;
    this.positions.push(position);
    this.batches.push(batch);
    this.size += batch.length;
    return Promise.resolve(position);
  }

  read(position: number, length: number): Promise<Buffer> {
    let low = 0;
    let high = this.positions.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.positions[mid] <= position) low = mid;
      else high = mid - 1;
    }
    if (this.positions[low] !== position) return Promise.reject(new Error(`no batch starts at position ${position}`));
    const parts: Buffer[] = [];
    let collected = 0;
    for (let i = low; i < this.batches.length && collected < length; i++) {
      parts.push(this.batches[i]);
      collected += this.batches[i].length;
    }
    return Promise.resolve(Buffer.concat(parts).subarray(0, length));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const SCAN_CHUNK_BYTES = 1024 * 1024;

export class FileBatchStore implements BatchStore {
  private size = 0;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly fsync: boolean,
    private readonly logger: Logger,
  ) {}

  static async open(path: string, fsync: boolean, logger: Logger): Promise<FileBatchStore> {
    // Positional reads and writes on one read-write handle: O_APPEND would make the position we
    // track and the position the kernel uses diverge after a tail truncation.
    const handle = await fs.open(path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
    return new FileBatchStore(path, handle, fsync, logger);
  }

  async recover(): Promise<StoredBatch[]> {
    const fileSize = (await this.handle.stat()).size;
    const batches: StoredBatch[] = [];
    let buffer = Buffer.alloc(0);
    let bufferStart = 0; // file position of buffer[0]
    let cursor = 0; // file position of the next batch
    let expectedOffset: number | null = null;

    const ensure = async (bytes: number): Promise<boolean> => {
      const available = bufferStart + buffer.length - cursor;
      if (available >= bytes) return true;
      const readFrom = bufferStart + buffer.length;
      const toRead = Math.min(Math.max(SCAN_CHUNK_BYTES, bytes - available), fileSize - readFrom);
      if (toRead <= 0) return false;
      const chunk = Buffer.alloc(toRead);
      const { bytesRead } = await this.handle.read(chunk, 0, toRead, readFrom);
      buffer = Buffer.concat([buffer.subarray(cursor - bufferStart), chunk.subarray(0, bytesRead)]);
      bufferStart = cursor;
      return bufferStart + buffer.length - cursor >= bytes;
    };

    let problem: string | null = null;
    while (cursor < fileSize) {
      if (!(await ensure(LOG_OVERHEAD))) {
        problem = 'torn batch header';
        break;
      }
      const batchLength = buffer.readInt32BE(cursor - bufferStart + 8);
      const size = LOG_OVERHEAD + batchLength;
      if (size < BATCH_HEADER_SIZE || size > MAX_BATCH_BYTES) {
        problem = `implausible batch length ${batchLength}`;
        break;
      }
      if (!(await ensure(size))) {
        problem = 'torn batch';
        break;
      }
      const at = cursor - bufferStart;
      if (!hasValidCrc(buffer, at, size)) {
        problem = 'CRC mismatch';
        break;
      }
      const header = readBatchHeader(buffer, at);
      if (expectedOffset !== null && header.baseOffset !== expectedOffset) {
        problem = `offset gap (expected ${expectedOffset}, found ${header.baseOffset})`;
        break;
      }
      batches.push({ position: cursor, size, header });
      expectedOffset = header.baseOffset + header.lastOffsetDelta + 1;
      cursor += size;
    }
    if (problem !== null) {
      // Only an unacknowledged write can be incomplete (acks wait for the write), so dropping the
      // tail loses nothing a producer was told is safe.
      this.logger.warn('truncating damaged partition log tail', { path: this.path, position: cursor, fileSize, problem });
      await this.handle.truncate(cursor);
    }
    this.size = cursor;
    return batches;
  }

  async append(batch: Buffer): Promise<number> {
    const position = this.size;
    try {
      let written = 0;
      while (written < batch.length) {
        const { bytesWritten } = await this.handle.write(batch, written, batch.length - written, position + written);
        written += bytesWritten;
      }
      if (this.fsync) await this.handle.datasync();
    } catch (error) {
      await this.handle.truncate(position).catch(() => undefined);
      throw error;
    }
    this.size = position + batch.length;
    return position;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) throw new Error(`unexpected end of ${this.path} at ${position + filled}`);
      filled += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
