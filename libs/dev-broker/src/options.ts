import type { SaslOptions } from './security/sasl';

export interface Logger {
  info(msg: string, ctx?: object): void;
  warn(msg: string, ctx?: object): void;
  error(msg: string, ctx?: object): void;
}

export interface DevBrokerOptions {
  /** Default 9092; 0 picks an ephemeral port. */
  port?: number;
  /** Address to bind, default 127.0.0.1. */
  host?: string;
  /** Host name put in metadata responses, default 'localhost'. */
  advertisedHost?: string;
  /** Directory for partition logs and committed offsets; undefined keeps everything in memory. */
  dataDir?: string;
  /** Partitions for auto-created topics and CreateTopics with num_partitions -1, default 3. */
  defaultPartitions?: number;
  /** Create unknown topics when a Metadata request allows it, default true. */
  autoCreateTopics?: boolean;
  /** fsync every append before acknowledging it, default false (the write itself is always awaited). */
  fsync?: boolean;
  logger?: Logger;
  /** Serve TLS instead of plain TCP (Kafka's SSL / SASL_SSL listeners); off by default. */
  tls?: DevBrokerTlsOptions;
  /** Require SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) on every connection; off by default. */
  sasl?: SaslOptions;
}

export interface DevBrokerTlsOptions {
  /** The broker's certificate (PEM, may include the intermediate chain). */
  cert: string | Buffer;
  /** Its private key (PEM, unencrypted). */
  key: string | Buffer;
  /**
   * CA certificates (PEM) a client certificate must chain to. When set the listener requires
   * mutual TLS: a client without a certificate signed by one of them cannot connect.
   */
  clientCa?: string | Buffer;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly advertisedHost: string;
  readonly dataDir: string | undefined;
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  readonly fsync: boolean;
  readonly logger: Logger;
  readonly tls: DevBrokerTlsOptions | null;
  readonly sasl: SaslOptions | null;
}

const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function resolveOptions(options: DevBrokerOptions = {}): ResolvedOptions {
  const defaultPartitions = options.defaultPartitions ?? 3;
  if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1) {
    throw new Error(`defaultPartitions must be a positive integer, got ${defaultPartitions}`);
  }
  const port = options.port ?? 9092;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  return {
    port,
    host: options.host ?? '127.0.0.1',
    advertisedHost: options.advertisedHost ?? 'localhost',
    dataDir: options.dataDir,
    defaultPartitions,
    autoCreateTopics: options.autoCreateTopics ?? true,
    fsync: options.fsync ?? false,
    logger: options.logger ?? silentLogger,
    tls: options.tls ?? null,
    sasl: options.sasl ?? null,
  };
}
