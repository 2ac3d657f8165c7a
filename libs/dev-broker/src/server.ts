import { createServer, type AddressInfo, type Server } from 'node:net';
import { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { resolveOptions, type DevBrokerOptions } from './options';
import { createRequestRouter } from './request-router';

export interface DevBroker {
  readonly port: number;
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

/** Starts a Kafka-compatible development broker; resolves once it accepts connections. */
export async function startDevBroker(input?: DevBrokerOptions): Promise<DevBroker> {
  const options = resolveOptions(input);
  const { logger } = options;
  const broker = await BrokerContext.create(options);
  const route = createRequestRouter(broker);

  const connections = new Set<Connection>();
  const server = createServer((socket) => {
    if (broker.closing) {
      socket.destroy();
      return;
    }
    const connection: Connection = new Connection(
      socket,
      (request) => route(request, `/${connection.remoteAddress}`),
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
  logger.info('dev kafka broker listening', { host: options.host, port, dataDir: options.dataDir ?? '(memory)' });

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
    brokers: `${options.advertisedHost}:${port}`,
    close: () => (closing ??= close()),
  };
}
