/**
 * Minimal typings for kafkajs internals that the tests use as an independent reference
 * implementation of the wire format (kafkajs ships no types for them).
 */
declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    constructor(initialSize?: number);
    readonly buffer: Buffer;
    writeInt8(value: number): this;
    writeInt16(value: number): this;
    writeInt32(value: number): this;
    writeInt64(value: number | string): this;
    writeBoolean(value: boolean): this;
    writeString(value: string | null): this;
    writeBytes(value: Buffer | null): this;
    writeVarInt(value: number): this;
    writeVarLong(value: number | string): this;
    writeVarIntBytes(value: Buffer | null): this;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/decoder' {
  interface KafkaJsLong {
    toString(): string;
  }
  class Decoder {
    constructor(buffer: Buffer);
    readInt8(): number;
    readInt16(): number;
    readInt32(): number;
    readInt64(): KafkaJsLong;
    readBoolean(): boolean;
    readString(): string | null;
    readBytes(): Buffer;
    readVarInt(): number;
    readVarLong(): KafkaJsLong;
    readVarIntBytes(): Buffer | null;
  }
  export = Decoder;
}

declare module 'kafkajs/src/protocol/request' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  interface KafkaJsRequest {
    apiKey: number;
    apiVersion: number;
    encode(): Promise<Encoder>;
  }
  function encodeRequest(args: { correlationId: number; clientId: string; request: KafkaJsRequest }): Promise<Encoder>;
  export = encodeRequest;
}

declare module 'kafkajs/src/protocol/requests' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  export interface KafkaJsProtocol {
    request: { apiKey: number; apiVersion: number; encode(): Promise<Encoder> };
    response: { decode(payload: Buffer): Promise<Record<string, unknown>> };
  }
  export interface KafkaJsRequestDefinition {
    versions: string[];
    protocol(options: { version: number }): (args: object) => KafkaJsProtocol;
  }
  export const requests: Record<string, KafkaJsRequestDefinition>;
}

declare module 'kafkajs/src/protocol/recordBatch/v0' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  export function RecordBatch(args: {
    compression?: number;
    firstOffset?: number;
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    producerId?: number;
    producerEpoch?: number;
    firstSequence?: number;
    records: Encoder[];
  }): Promise<Encoder>;
}

declare module 'kafkajs/src/protocol/recordBatch/record/v0' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  function Record(args: {
    offsetDelta?: number;
    timestampDelta?: number;
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers?: Record<string, Buffer | string>;
  }): Encoder;
  export = Record;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder' {
  import type Decoder from 'kafkajs/src/protocol/decoder';
  export interface KafkaJsDecodedRecord {
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer>;
    offset: string;
    timestamp: string;
  }
  function decodeRecordBatch(decoder: Decoder): Promise<{
    firstOffset: string;
    lastOffsetDelta: number;
    producerId: string;
    firstSequence: number;
    records: KafkaJsDecodedRecord[];
  }>;
  export = decodeRecordBatch;
}

declare module 'kafkajs/src/broker/saslAuthenticator' {
  interface KafkaJsLogger {
    namespace(name: string): KafkaJsLogger;
    debug(message: string, extra?: object): void;
    info(message: string, extra?: object): void;
    warn(message: string, extra?: object): void;
    error(message: string, extra?: object): void;
  }
  /** kafkajs's SASL client: handshake, then its mechanism over SaslAuthenticate (or raw tokens). */
  class SASLAuthenticator {
    constructor(
      connection: { sasl: { mechanism: string; username: string; password: string }; host: string; port: number; send(protocol: unknown): Promise<unknown>; sendAuthRequest(protocol: never): Promise<unknown> },
      logger: KafkaJsLogger,
      versions: Record<number, { minVersion: number; maxVersion: number }>,
      supportAuthenticationProtocol: boolean,
    );
    authenticate(): Promise<void>;
  }
  export = SASLAuthenticator;
}
