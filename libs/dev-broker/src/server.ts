import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { resolveOptions, type DevBrokerOptions, type ResolvedOptions } from './options';
import { createRequestRouter } from './request-router';
import { ConnectionSession } from './security/connection-session';

export interface DevBroker {
  readonly port: number;
  /** Kafka's name for what the listener requires: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  readonly securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  /** Bootstrap address for clients, e.g. 'localhost:9092'. */
  readonly brokers: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Plain TCP, or TLS (mutual when client CAs are given) on Kafka's SSL / SASL_SSL listeners. */
function createListener(options: ResolvedOptions, onConnection: (socket: Socket) => void): Server {
  const { tls, logger } = options;
  if (!tls) return createServer(onConnection);
  const mutual = tls.clientCa !== undefined;
  const server = createTlsServer(
    { cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: mutual, rejectUnauthorized: mutual, minVersion: 'TLSv1.2' },
    onConnection,
  );
  // A client that does not trust us, or that we do not trust, never gets a Connection.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    // A port probe (connect, then close) is routine; a refused certificate is worth a warning.
    const probe = error.code === 'ECONNRESET' || error.message === 'socket hang up';
    (probe ? logger.info : logger.warn)('TLS handshake with a client failed', { client: socket.remoteAddress, reason: error.message });
  });
  return server;
}

function certificateSubject(socket: Socket): string | null {
  const peer = 'getPeerCertificate' in socket ? (socket as TLSSocket).getPeerCertificate() : null;
  const subject = peer?.subject as Record<string, string | string[]> | undefined;
  if (!subject) return null;
  return Object.entries(subject)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(',');
}

/** Starts a Kafka-compatible development broker; resolves once it accepts connections. */
export async function startDevBroker(input?: DevBrokerOptions): Promise<DevBroker> {
  const options = resolveOptions(input);
  const { logger } = options;
  const broker = await BrokerContext.create(options);
  const route = createRequestRouter(broker);

  const connections = new Set<Connection>();
  const server = createListener(options, (socket) => {
    if (broker.closing) {
      socket.destroy();
      return;
    }
    const session: ConnectionSession = new ConnectionSession(broker.sasl, () => connection.endAfterReply(), certificateSubject(socket));
    const connection: Connection = new Connection(
      socket,
      (request) => route(request, `/${connection.remoteAddress}`, session),
      logger,
      (closed) => connections.delete(closed),
    );
    connections.add(connection);
  });

  let port: number;
  try {
    port = await listen(server, options.port, options.host);
  } catch (error) {
    await broker.closeStores();
    throw error;
  }
  broker.setPort(port);
  const securityProtocol = options.tls ? (options.sasl ? 'SASL_SSL' : 'SSL') : options.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  logger.info('dev kafka broker listening', {
    host: options.host,
    port,
    dataDir: options.dataDir ?? '(memory)',
    securityProtocol,
    mutualTls: options.tls?.clientCa !== undefined,
    saslMechanisms: broker.sasl?.mechanisms ?? [],
  });

  const close = async (): Promise<void> => {
    // Wake long polls and parked group requests first so every connection can go idle.
    broker.beginClose();
    broker.groups.close();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    const active = [...connections];
    for (const connection of active) connection.destroy();
    // In-flight appends still complete, so whatever was accepted reaches the disk before files close.
    await Promise.all(active.map((c) => c.idle()));
    await broker.closeStores();
    await serverClosed;
    logger.info('dev kafka broker stopped', { port });
  };

  let closing: Promise<void> | null = null;
  return {
    port,
    securityProtocol,
    brokers: `${options.advertisedHost}:${port}`,
    close: () => (closing ??= close()),
  };
}
