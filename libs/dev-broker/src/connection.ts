import type { Socket } from 'node:net';
import type { Logger } from './options';
import { ProtocolError } from './protocol/reader';

/** Kafka's socket.request.max.bytes default; larger frames mean a confused or hostile peer. */
const MAX_FRAME_BYTES = 100 * 1024 * 1024;

/** Turns one request frame (without its size prefix) into a full response frame, or null for none. */
export type FrameHandler = (frame: Buffer) => Promise<Buffer | null>;

/**
 * One client connection. Requests are handled strictly one after another, like a real broker's
 * per-connection ordering: clients pipeline requests and match responses by order as well as by
 * correlation id. Independent connections proceed in parallel.
 */
export class Connection {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly queue: Buffer[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private endRequested = false;

  constructor(
    private readonly socket: Socket,
    private readonly handleFrame: FrameHandler,
    private readonly logger: Logger,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // Resets and aborted clients are routine during tests and shutdowns; 'close' follows.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      this.onClosed(this);
    });
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  /** Resolves when the request being handled (if any) has finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Ends the connection once the reply being prepared has been written (a failed SASL exchange). */
  endAfterReply(): void {
    this.endRequested = true;
  }

  destroy(): void {
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= 4) {
      if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const size = this.chunks[0].readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) {
        this.logger.warn('closing connection: invalid frame size', { client: this.remoteAddress, size });
        this.destroy();
        return;
      }
      if (this.bufferedBytes < 4 + size) break;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.queue.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
    }
    if (this.queue.length > 0 && this.running === null) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
  }

  private async drain(): Promise<void> {
    for (let frame = this.queue.shift(); frame !== undefined && !this.closed; frame = this.queue.shift()) {
      try {
        const response = await this.handleFrame(frame);
        if (response !== null && !this.closed) this.socket.write(response);
        if (this.endRequested) {
          // end() flushes the reply first; nothing queued after it is served.
          this.closed = true;
          this.queue.length = 0;
          this.socket.end();
          return;
        }
      } catch (error) {
        // After a malformed or unsupported request the stream position is unreliable; a real broker
        // closes the connection too, and clients reconnect.
        if (error instanceof ProtocolError) {
          this.logger.warn('closing connection after protocol error', { client: this.remoteAddress, reason: error.message });
        } else {
          this.logger.error('closing connection after internal error', {
            client: this.remoteAddress,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
        }
        this.destroy();
      }
    }
  }
}
