import './instrument';
import { createLogger, shutdownTracing } from '@offboarding/platform';
import { loadGatewayConfig } from './gateway-config';
import { startGateway } from './gateway-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url }, 'gateway ready');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway
      .stop()
      .then(() => shutdownTracing())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Started by `npm start`'s supervisor: stop when it is gone (its IPC channel closed).
  if (process.connected) process.once('disconnect', () => shutdown('supervisor gone'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'gateway start-up failed', error: String(error) })}\n`);
  process.exit(1);
});
